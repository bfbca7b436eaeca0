HTTP/1.1 200 OK
Date: Wed, 30 May 2018 12:45:53 GMT
Server: Apache/2.4.12 (Ubuntu)
Content-Length: 24
Content-Type: text/html; charset=UTF-8

Hi john dauny mladshiy
!
HTTP/1.1 200 OK
Date: Fri, 16 Feb 2018 20:49:12 GMT
Server: Apache
Last-Modified: Mon, 15 Jan 2007 23:11:55 GMT
ETag: "27-4271c5f1ac4c0"
Accept-Ranges: bytes
Content-Length: 39
Content-Type: text/html

uid=0(root) gid=0(root) groups=0(root)

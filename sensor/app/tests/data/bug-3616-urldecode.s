HTTP/1.1 404 Not Found
Date: Fri, 17 May 2019 11:21:11 GMT
Server: Apache/2.4.6 (CentOS) PHP/5.6.8
Content-Length: 209
Content-Type: text/html; charset=iso-8859-1

<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">
<html><head>
<title>404 Not Found</title>
</head><body>
<h1>Not Found</h1>
<p>The requested URL /evil%27sqli was not found on this server.</p>
</body></html>

GET / HTTP/1.1
Host: 100.64.0.200
Connection: keep-alive
Accept-Encoding: gzip, deflate
Accept: */*
User-Agent: python-requests/2.21.0


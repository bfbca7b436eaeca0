GET /evil%2527sqli HTTP/1.1
Host: osif.net
User-Agent: curl/7.54.0
Accept: */*


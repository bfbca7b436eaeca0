GET / HTTP/1.1
Host: www.testmyids.com
User-Agent: curl/7.55.1
Accept: */*
X-Forwarded-For: 10.2.2.2, 10.3.3.3


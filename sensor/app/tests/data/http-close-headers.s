HTTP/1.0 200 OK
Server:ng1nx

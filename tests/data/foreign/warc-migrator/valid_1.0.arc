filedesc://valid_1.0.arc 0.0.0.0 20210615181500 text/plain 65
1 0 Test
URL IP-address Archive-date Content-type Archive-length


dns:localhost 0.0.0.0 20210615181400 text/dns 45
20210615181400
localhost.	12345	IN	A	0.0.0.0

http://localhost/localfile.txt 0.0.0.0 20210615181300 text/html 170
HTTP/1.1 200 OK
Date: Tue, 15 Jun 2021 18:13:00 GMT
Server: Local Server
Content-Length: 9
Content-Type: text/html; charset=ISO-8859-1
Connection: close

<html/>


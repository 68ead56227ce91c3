filedesc://valid_1.0.arc 0.0.0.0 20210615181500 text/plain 862
1 1 Test
URL IP-address Archive-date Content-type Archive-length
<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<arcmetadata xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:arc="http://archive.org/arc/1.0/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://archive.org/arc/1.0/ http://www.archive.org/arc/1.0/arc.xsd">
<arc:software>Test Crawler</arc:software>
<arc:hostname>localhost</arc:hostname>
<arc:ip>0.0.0.0</arc:ip>
<dcterms:isPartOf>test collection</dcterms:isPartOf>
<dc:description>Test description</dc:description>
<dc:date xsi:type="dcterms:W3CDTF">2021-06-15T18:15:00+00:00</dc:date>
<dc:format>ARC file version 1.1</dc:format>
<dcterms:conformsTo xsi:type="dcterms:URI">http://www.archive.org/web/researcher/ArcFileFormat.php</dcterms:conformsTo>
</arcmetadata>

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


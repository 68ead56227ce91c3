"""A 304 freshens the stored response it stands for (RFC 9111 4.3.4): its values replace the
original's, except those describing the empty 304 message itself."""

from __future__ import annotations

from crawler.prior import Original

HEADERS = [("Date", "Mon, 01 Jan 2024 00:00:00 GMT"), ("Content-Type", "text/html; charset=utf-8"),
           ("Content-Length", "5120"), ("ETag", '"a"'), ("Cache-Control", "max-age=60"),
           ("Content-Encoding", "gzip")]


def test_the_304_values_replace_the_originals_in_place():
    original = Original(200, HEADERS, "200 OK", "HTTP/1.1")
    statusline, merged, protocol = original.freshened([
        ("Date", "Tue, 02 Jan 2024 00:00:00 GMT"), ("ETag", '"b"'), ("Cache-Control", "max-age=0"),
        ("Expires", "Tue, 02 Jan 2024 00:01:00 GMT"),
    ])
    assert (statusline, protocol) == ("200 OK", "HTTP/1.1")
    assert merged == [("Date", "Tue, 02 Jan 2024 00:00:00 GMT"), ("Content-Type", "text/html; charset=utf-8"),
                      ("Content-Length", "5120"), ("ETag", '"b"'), ("Cache-Control", "max-age=0"),
                      ("Content-Encoding", "gzip"), ("Expires", "Tue, 02 Jan 2024 00:01:00 GMT")]


def test_the_304s_own_body_headers_never_replace_the_originals():
    original = Original(200, HEADERS, "200 OK", "HTTP/1.1")
    _, merged, _ = original.freshened([("content-length", "0"), ("Content-Type", "text/plain"),
                                       ("Transfer-Encoding", "chunked"), ("Content-Encoding", "br"),
                                       ("Content-Range", "bytes 0-0/1")])
    assert merged == HEADERS


def test_names_match_whatever_their_case():
    original = Original(200, HEADERS, "200 OK", "HTTP/1.1")
    _, merged, _ = original.freshened([("date", "Tue, 02 Jan 2024 00:00:00 GMT")])
    assert merged[0] == ("date", "Tue, 02 Jan 2024 00:00:00 GMT") and len(merged) == len(HEADERS)

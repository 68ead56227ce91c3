"""The HTTP payload of a record as a browser would see it, and which payloads are HTML pages."""

from __future__ import annotations

import io

from warcio.bufferedreaders import BufferedReader, ChunkedDataReader

HTML_MIMES = frozenset({"text/html", "application/xhtml+xml"})


def mime_of(content_type: str | None) -> str | None:
    if not content_type:
        return None
    return content_type.split(";", 1)[0].strip().lower() or None


def is_html(content_type: str | None) -> bool:
    """By the declared type only: every stage decides from the headers, before reading the body."""
    return mime_of(content_type) in HTML_MIMES


def header_value(headers, name: str) -> str | None:
    """The first value of a header in (name, value) pairs, matched without case, as HTTP wants."""
    name = name.lower()
    for key, value in headers:
        if key.lower() == name:
            return value
    return None


def _header(headers, name: str) -> str:
    return header_value(headers, name) or ""


def is_chunked(headers) -> bool:
    return "chunked" in _header(headers, "transfer-encoding").lower()


def dechunk(raw: bytes) -> bytes | None:
    """The body without its chunked transfer coding; None when it is not validly chunked."""
    try:
        return ChunkedDataReader(io.BytesIO(raw), raise_exceptions=True).read()
    except Exception:  # noqa: BLE001 - warcio raises its own and ValueError for a bad chunk
        return None


def decode_payload(raw: bytes, headers) -> bytes:
    """The entity body as a browser would see it.

    Tools differ: wget keeps the wire bytes (chunked, gzip), others store it de-chunked but still
    encoded, or decoded with the original headers left in place. When a declared coding does not
    apply, the bytes are taken as they are rather than lost.
    """
    encoding = _header(headers, "content-encoding").strip().lower() or None
    if encoding not in BufferedReader.get_supported_decompressors():
        encoding = None
    chunked = is_chunked(headers)
    for decomp in ([encoding, None] if encoding else [None]):
        try:
            if chunked:
                reader = ChunkedDataReader(io.BytesIO(raw), decomp_type=decomp)
            elif decomp:
                reader = BufferedReader(io.BytesIO(raw), decomp_type=decomp)
            else:
                return raw
            out = reader.read()
            if out or not raw:
                return out
        except Exception:  # noqa: BLE001 - any decoding failure falls back to the next reading
            continue
    return raw

"""Bytes to text: the declared charset when it decodes, else detection.

Order follows what a browser trusts: a byte-order mark, the HTTP Content-Type charset, the page's own
``<meta charset>``/``http-equiv``, then UTF-8, then statistical detection. A declaration that fails to
decode strictly is skipped rather than trusted, since a mislabelled page would otherwise turn into
replacement characters.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable, Mapping

# WHATWG maps these labels to windows-1252; Python's latin-1 would leave C1 controls in the text.
_WHATWG_ALIASES = {
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "l1": "cp1252",
    "ascii": "cp1252",
    "us-ascii": "cp1252",
    "iso-8859-9": "cp1254",
    "iso-8859-11": "cp874",
    "tis-620": "cp874",
    "x-sjis": "shift_jis",
    "gb2312": "gb18030",
    "gbk": "gb18030",
}
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_META_CHARSET = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.IGNORECASE)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.IGNORECASE)

Headers = Mapping[str, str] | Iterable[tuple[str, str]] | None


def header_value(headers: Headers, name: str) -> str | None:
    """A header's value from a dict or a list of pairs, matching the name case-insensitively."""
    if not headers:
        return None
    items = headers.items() if isinstance(headers, Mapping) else headers
    name = name.lower()
    for item in items:
        try:
            key, value = item
        except (TypeError, ValueError):
            continue
        if isinstance(key, bytes):
            key = key.decode("latin-1")
        if isinstance(value, bytes):
            value = value.decode("latin-1")
        if str(key).lower() == name:
            return str(value)
    return None


def codec_for(label: str | None) -> str | None:
    """Python's codec for a charset label, or None when the label names nothing usable."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    label = _WHATWG_ALIASES.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def declared_charsets(body: bytes, headers: Headers = None) -> list[str]:
    found = []
    content_type = header_value(headers, "content-type")
    if content_type:
        m = _HEADER_CHARSET.search(content_type)
        if m:
            found.append(m.group(1))
    m = _META_CHARSET.search(body[:4096])
    if m:
        found.append(m.group(1).decode("ascii", "ignore"))
    return found


# What undeclared pages on the web are actually in; a detector's guess outside this list (MacLatin2
# for a few curly quotes) is noise, and windows-1252 is the better bet.
WEB_ENCODINGS = {
    codecs.lookup(name).name
    for name in (
        "cp1250", "cp1251", "cp1252", "cp1253", "cp1254", "cp1255", "cp1256", "cp1257", "cp1258",
        "iso8859-2", "iso8859-5", "iso8859-6", "iso8859-7", "iso8859-8", "iso8859-15", "koi8-r", "koi8-u",
        "shift_jis", "euc-jp", "iso2022_jp", "gb18030", "gb2312", "big5", "euc-kr", "utf-8", "utf-16",
    )
}  # fmt: skip
_TEXT_RUNS = re.compile(rb">([^<>]*[\x80-\xff][^<>]*)<")


def detect_charset(body: bytes) -> str | None:
    """A guess from the text between tags only: markup is ASCII and would drown a short Arabic text
    in evidence for any Latin charset."""
    sample = b" ".join(_TEXT_RUNS.findall(body[:2_000_000])) or body[:200_000]
    if not any(b >= 0x80 for b in sample):
        return None
    guess = None
    try:
        import chardet  # better on short texts than charset_normalizer; present with the pinned set

        guess = chardet.detect(sample).get("encoding")
    except ImportError:
        try:
            from charset_normalizer import from_bytes

            best = from_bytes(sample).best()
            guess = best.encoding if best is not None else None
        except Exception:  # detection is best effort
            guess = None
    codec = codec_for(guess)
    return codec if codec in WEB_ENCODINGS else None


def decode_html(body: bytes, headers: Headers = None) -> str:
    if isinstance(body, str):
        return body
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return body.decode(codec, errors="replace")
    tried = set()
    for label in [*declared_charsets(body, headers), "utf-8"]:
        codec = codec_for(label)
        if not codec or codec in tried:
            continue
        tried.add(codec)
        try:
            return body.decode(codec)
        except (UnicodeDecodeError, LookupError):
            continue
    guess = detect_charset(body)
    if guess:
        return body.decode(guess, errors="replace")
    return body.decode("cp1252", errors="replace")

"""WARC-Block-Digest and WARC-Payload-Digest: computed while a record streams past, then compared.

Tools write `algorithm:value` with sha1, sha256 or md5 (others if hashlib has them), the value in
base32 (the WARC spec's example), hex (file-scraper, some Java tools) or base64.
"""

from __future__ import annotations

import base64
import binascii
import hashlib


def parse(value: str | None):
    """(hashlib object, expected digest bytes) for a digest field, or None when it cannot be checked."""
    if not value or ":" not in value:
        return None
    algo, _, text = value.strip().partition(":")
    name = algo.strip().lower().replace("-", "")
    try:
        hasher = hashlib.new(name)
    except ValueError:
        return None
    expected = decode(text.strip(), hasher.digest_size)
    return (hasher, expected) if expected is not None else None


_RFC4648 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_INT32 = "0123456789abcdefghijklmnopqrstuv"
_B32 = str.maketrans(_RFC4648 + _RFC4648[:26].lower(), _INT32 + _INT32[:26])


def _b32(text: str, size: int) -> bytes:
    """RFC 4648 base32 by int(): base64.b32decode is pure Python, and it runs for every record."""
    text = text.rstrip("=")
    extra = len(text) * 5 - size * 8
    if not 0 <= extra < 5 or not text.isalnum():
        raise ValueError(text)
    return (int(text.translate(_B32), 32) >> extra).to_bytes(size, "big")


def decode(text: str, size: int) -> bytes | None:
    """The digest bytes of a base32, hex or base64 value of `size` bytes (the length tells which)."""
    candidates = []
    if len(text) == 2 * size:
        candidates.append(lambda: base64.b16decode(text, casefold=True))
    candidates.append(lambda: _b32(text, size))
    candidates.append(lambda: base64.b64decode(text + "=" * (-len(text) % 4)))
    candidates.append(lambda: base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    for attempt in candidates:
        try:
            out = attempt()
        except (binascii.Error, ValueError):
            continue
        if len(out) == size:
            return out
    return None


def sha1_b32(data_digest: bytes) -> str:
    return "sha1:" + base64.b32encode(data_digest).decode("ascii")


class Check:
    """A declared digest and the hash being computed to compare with it."""

    def __init__(self, field: str, value: str | None):
        self.field = field
        self.declared = (value or "").strip() or None
        parsed = parse(self.declared)
        self.hasher, self.expected = parsed if parsed else (None, None)

    def update(self, data: bytes) -> None:
        if self.hasher is not None:
            self.hasher.update(data)

    def matches(self) -> bool | None:
        """True or False when the digest could be checked, None when it was absent or unreadable."""
        if self.hasher is None:
            return None
        return self.hasher.digest() == self.expected

    def matches_bytes(self, data: bytes) -> bool | None:
        parsed = parse(self.declared)
        if parsed is None:
            return None
        hasher, expected = parsed
        hasher.update(data)
        return hasher.digest() == expected

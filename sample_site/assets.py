"""Page requisites: the static files shipped in static/, and article images made on demand.

Images are generated per id (a valid 8x8 grayscale baseline JPEG whose shade and comment depend on
the id) so that a 20,000-article site has 20,000 distinct image URLs without storing any of them.
Run ``python -m sample_site.assets`` to rewrite the PNG and WOFF files in static/.
"""

from __future__ import annotations

import struct
import zlib
from functools import lru_cache
from pathlib import Path

STATIC = Path(__file__).resolve().parent / "static"

TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "application/javascript; charset=utf-8",
    ".png": "image/png",
    ".woff": "font/woff",
    ".jpg": "image/jpeg",
}


@lru_cache(maxsize=1)
def static_files() -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(STATIC.iterdir()) if p.is_file()}


def _segment(marker: int, payload: bytes) -> bytes:
    return struct.pack(">BBH", 0xFF, marker, len(payload) + 2) + payload


def _bits(value: int, size: int) -> str:
    """JPEG's magnitude coding: negative values are sent as their ones' complement."""
    if size == 0:
        return ""
    v = value if value >= 0 else value + (1 << size) - 1
    return format(v, f"0{size}b")


def _metadata_segments(image_id: int, total: int = 36_000) -> list[bytes]:
    """Photoshop-style metadata (APP13, an embedded preview) of deterministic noise: news photos
    carry tens of kilobytes of it, so the sample's images weigh about what a real article image
    does and compress as little."""
    import random

    rng = random.Random(f"deeply-sample-image:{image_id}")
    segments = []
    while total > 0:
        n = min(total, 60_000)
        segments.append(_segment(0xED, b"Photoshop 3.0\x00" + rng.randbytes(n)))
        total -= n
    return segments


@lru_cache(maxsize=2048)
def jpeg(image_id: int) -> bytes:
    shade = 40 + image_id % 176
    dc = 8 * (shade - 128)  # DC coefficient of a flat 8x8 block with an all-ones quantization table
    size = abs(dc).bit_length()
    bits = "0" + _bits(dc, size) + "0"  # DC code (1 bit), magnitude, then the AC end-of-block code
    bits += "1" * (-len(bits) % 8)
    data = bytearray()
    for k in range(0, len(bits), 8):
        byte = int(bits[k:k + 8], 2)
        data.append(byte)
        if byte == 0xFF:
            data.append(0x00)
    return b"".join((
        b"\xff\xd8",
        _segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"),
        _segment(0xFE, f"deeply sample image {image_id}".encode()),
        *_metadata_segments(image_id),
        _segment(0xDB, b"\x00" + b"\x01" * 64),
        _segment(0xC0, b"\x08\x00\x08\x00\x08\x01\x01\x11\x00"),
        _segment(0xC4, b"\x00" + b"\x01" + b"\x00" * 15 + bytes([size])),
        _segment(0xC4, b"\x10" + b"\x01" + b"\x00" * 15 + b"\x00"),
        _segment(0xDA, b"\x01\x01\x00\x00\x3f\x00"),
        bytes(data),
        b"\xff\xd9",
    ))


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    def chunk(kind: bytes, payload: bytes) -> bytes:
        crc = zlib.crc32(kind + payload)
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", crc)

    row = b"\x00" + bytes(rgb) * width
    return b"".join((
        b"\x89PNG\r\n\x1a\n",
        chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)),
        chunk(b"IDAT", zlib.compress(row * height, 9)),
        chunk(b"IEND", b""),
    ))


def woff() -> bytes:
    """A WOFF container with no tables: enough bytes for a crawler to fetch and store."""
    return struct.pack(">4s4sIHHIHHIIIII", b"wOFF", b"OTTO", 44, 0, 0, 12, 1, 0, 0, 0, 0, 0, 0)


def write_static() -> None:
    (STATIC / "bookmark.png").write_bytes(png(16, 16, (66, 73, 75)))
    (STATIC / "header-shadow.png").write_bytes(png(4, 4, (200, 200, 200)))
    (STATIC / "dinnext-regular.woff").write_bytes(woff())


if __name__ == "__main__":
    write_static()

"""Which files are archives, what is inside them, and byte windows to read them through.

One rule for every stage: a file is taken by its name (`.warc`, `.warc.gz`, `.arc`, `.arc.gz`,
`.wacz`, any case) and then judged by its first bytes, so a mis-named file is read for what it is
and a file that is no archive is named with the reason, never passed over in silence.
"""

from __future__ import annotations

import hashlib
import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

ARCHIVE_NAME = re.compile(r"\.(warc|arc)(\.gz)?$|\.wacz$", re.IGNORECASE)
OPEN_SUFFIX = ".open"
WACZ_MEMBER = re.compile(r"^archive/[^/]+\.warc(\.gz)?$", re.IGNORECASE)
SNIFF = 1 << 16
BLOCK = 1 << 16
# Past this much output the first gzip member is not one record's (a whole-file gzip).
FIRST_MEMBER_LIMIT = 64 << 20


@dataclass
class Skipped:
    path: Path
    why: str

    def line(self) -> str:
        return f"{self.path.name}: skipped, {self.why}"


def file_sha256(path, block: int = 1 << 20, limit: int | None = None) -> tuple[str, int]:
    """(SHA-256, size) of the file, or of its first `limit` bytes: how a file is known."""
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as f:
        while chunk := f.read(block if limit is None else min(block, limit - size)):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


# A crawl's own bookkeeping in its WARC folder (the lock, the state file, a worker's result): the
# crawler names them from here, so that reading the folder passes over them without a word.
BOOKKEEPING_PREFIX = ".deeply"
LOCK_NAME = ".deeply.lock"
STATE_NAME = ".deeply-crawl.json"


def is_bookkeeping(name: str) -> bool:
    return name.startswith(BOOKKEEPING_PREFIX)


def is_archive_name(name: str) -> bool:
    return bool(ARCHIVE_NAME.search(name))


def archives_in(folder, recursive: bool = False) -> tuple[list[Path], list[Skipped]]:
    """The archives of a folder in name order, and every other file with why it was left out.

    A file still being written (`.open`) is left for later; hidden files (an index's lock, a temp
    file) are named too, so nothing in the folder goes unmentioned but the crawl's own bookkeeping.
    """
    folder = Path(folder)
    found: list[Path] = []
    skipped: list[Skipped] = []
    entries = sorted(folder.rglob("*") if recursive else folder.iterdir())
    for path in entries:
        if not path.is_file():
            continue
        name = path.name
        if name.endswith(OPEN_SUFFIX):
            skipped.append(Skipped(path, "still being written (.open)"))
        elif is_archive_name(name):
            found.append(path)
        elif is_bookkeeping(name):
            continue
        elif name.startswith("."):
            skipped.append(Skipped(path, "a hidden file"))
        else:
            kind, why = classify(path)
            if kind is None:
                skipped.append(Skipped(path, why))
            else:
                found.append(path)
    return found, skipped


def classify(path) -> tuple[str | None, str]:
    """('warc' | 'arc' | 'wacz', what it is) by the file's first bytes, or (None, why it is not)."""
    path = Path(path)
    try:
        with open(path, "rb") as fh:
            head = fh.read(SNIFF)
    except OSError as e:
        return None, f"cannot be read ({e.strerror or e})"
    if not head:
        return None, "an empty file"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        try:
            with zipfile.ZipFile(path) as zf:
                members = [n for n in zf.namelist() if WACZ_MEMBER.match(n)]
        except (zipfile.BadZipFile, OSError):
            return None, "a damaged zip file, not a readable WACZ package"
        if not members:
            return None, "a zip file without archive/*.warc(.gz) members, not a WACZ package"
        return "wacz", "a WACZ package"
    text = head
    if head.startswith(b"\x1f\x8b"):
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            text = d.decompress(head, 4096)
        except zlib.error:
            return None, "a damaged gzip file (its first member does not decompress)"
    kind = kind_of_text(text)
    if kind:
        return kind, ("a WARC file" if kind == "warc" else "an ARC file")
    if head.startswith(b"\x1f\x8b"):
        return None, "a gzip file, but not of a WARC or ARC"
    return None, "not an archive (no WARC or ARC record at its start)"


def starts_warc(line: bytes) -> bool:
    """A WARC record's first line; some writers spell the version in lower case."""
    return line[:5].upper() == b"WARC/"


def kind_of_text(text: bytes) -> str | None:
    text = text.lstrip(b"\r\n")
    if starts_warc(text):
        return "warc"
    if text.startswith(b"filedesc://"):
        return "arc"
    return None


class Window:
    """Bytes [start, start + size) of an open file, read as a file of their own.

    A WARC still being appended to reads as the bytes that were hashed; a WARC stored in a WACZ is
    read in place, its offsets counted from its own first byte.
    """

    def __init__(self, fh, start: int = 0, size: int | None = None):
        self.fh = fh
        self.start = start
        if size is None:
            fh.seek(0, 2)
            size = fh.tell() - start
        self.size = size
        self.pos = 0

    def read(self, n: int = -1) -> bytes:
        left = self.size - self.pos
        if left <= 0:
            return b""
        n = left if n is None or n < 0 else min(n, left)
        self.fh.seek(self.start + self.pos)
        data = self.fh.read(n)
        self.pos += len(data)
        return data

    def readline(self, limit: int = -1) -> bytes:
        left = self.size - self.pos
        if left <= 0:
            return b""
        self.fh.seek(self.start + self.pos)
        data = self.fh.readline(left if limit is None or limit < 0 else min(limit, left))
        self.pos += len(data)
        return data

    def tell(self) -> int:
        return self.pos

    def seek(self, offset: int, whence: int = 0) -> int:
        base = {0: 0, 1: self.pos, 2: self.size}[whence]
        self.pos = max(0, base + offset)
        return self.pos

    def seekable(self) -> bool:
        return True

    def readable(self) -> bool:
        return True


def wacz_members(zf: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    """The WARCs of a WACZ (`archive/*.warc`, `archive/*.warc.gz`), in the order the zip lists them."""
    return [info for info in zf.infolist() if WACZ_MEMBER.match(info.filename)]


def member_window(fh, zf: zipfile.ZipFile, info: zipfile.ZipInfo):
    """A stored member read in place: its bytes lie as they are at a fixed place in the zip. A deflated
    member (rare: WACZ 1.1 asks for stored) is read through zipfile, which decompresses it."""
    if info.compress_type != zipfile.ZIP_STORED:
        return zf.open(info)
    fh.seek(info.header_offset)
    local = fh.read(30)
    if len(local) < 30 or local[:4] != b"PK\x03\x04":
        return zf.open(info)
    name_len = int.from_bytes(local[26:28], "little")
    extra_len = int.from_bytes(local[28:30], "little")
    return Window(fh, info.header_offset + 30 + name_len + extra_len, info.file_size)


def gzip_member_end(fh, start: int, limit: int | None = None) -> tuple[int | None, int]:
    """(offset just past the gzip member starting at `start`, its decompressed size); the offset is
    None when the member is cut short or corrupt. The one check of "is this gzip member whole"."""
    fh.seek(start)
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    consumed = total = 0
    while not d.eof:
        data = fh.read(BLOCK)
        if not data:
            return None, total
        try:
            out = d.decompress(data)
        except zlib.error:
            return None, total
        total += len(out)
        consumed += len(data)
        if limit is not None and total > limit:
            return None, total
    return start + consumed - len(d.unused_data), total


_CONTENT_LENGTH = re.compile(rb"(?im)^content-length:[ \t]*(\d+)")


def first_record_size(head: bytes) -> int | None:
    """Bytes the first record of an uncompressed WARC or ARC stream takes, from its header alone."""
    head = head.lstrip(b"\r\n")
    if starts_warc(head):
        end = head.find(b"\r\n\r\n")
        sep = 4
        if end < 0:
            end, sep = head.find(b"\n\n"), 2
        if end < 0:
            return None
        m = _CONTENT_LENGTH.search(head[:end])
        return end + sep + int(m.group(1)) if m else None
    if head.startswith(b"filedesc://"):
        line = head.split(b"\n", 1)[0]
        try:
            return len(line) + 1 + int(line.split()[-1])
        except (ValueError, IndexError):
            return None
    return None


def framing(fh) -> str:
    """How a (WARC or ARC) stream is compressed: 'plain', 'record-gzip' (one gzip member per record,
    as the standards ask: each record can be read at its own offset) or 'stream-gzip' (records share
    members: the file can only be read as one decompressed stream).

    Only the first member is looked at, decompressed until it is clearly one record's or more.
    """
    fh.seek(0)
    if fh.read(2) != b"\x1f\x8b":
        fh.seek(0)
        return "plain"
    fh.seek(0)
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    head = b""
    total = 0
    need = None
    while True:
        data = fh.read(BLOCK)
        if not data:
            break
        try:
            out = d.decompress(data)
        except zlib.error:
            break
        if len(head) < SNIFF:
            head += out[: SNIFF - len(head)]
        total += len(out)
        if need is None:
            need = first_record_size(head)
        if d.eof:
            break
        if need is not None and total > need + 64:
            fh.seek(0)
            return "stream-gzip"
        if total > FIRST_MEMBER_LIMIT:
            fh.seek(0)
            return "stream-gzip"
    fh.seek(0)
    if d.eof and need is not None and (total > need + 64 or total < need):
        # The member holds more than its first record, or less: records and members do not align.
        return "stream-gzip"
    if d.eof and need is None and _header_cut(head):
        # The member ends inside the first record's header: no record has a member of its own.
        return "stream-gzip"
    return "record-gzip"


def _header_cut(head: bytes) -> bool:
    """A WARC or ARC stream's start whose first header has not ended (a WARC's blank line, the line of
    an ARC's first record)."""
    head = head.lstrip(b"\r\n")
    if starts_warc(head):
        return b"\r\n\r\n" not in head and b"\n\n" not in head
    return head.startswith(b"filedesc://") and b"\n" not in head

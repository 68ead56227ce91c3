"""WARC files on disk: names, rotation at a size limit, the `.open` suffix, and repair after a crash.

A file is written under `NAME.open` and renamed when closed, so any file without the suffix is
complete and is never touched again. A crash leaves at most one `.open` file per crawl; `repair`
cuts it at its last whole record and closes it.
"""

from __future__ import annotations

import os
import queue
import re
import socket
import threading
import time
import zlib
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

import uuid6
from warcio.recordbuilder import RecordBuilder
from warcio.warcwriter import WARCWriter

from archive import ArchiveDamage, iter_records
from crawler.options import WARC_MAX_SIZE

OPEN_SUFFIX = ".open"
SYNC_SECONDS = 1.0  # a durable writer fsyncs at least this often while its queue is never empty
NAME_RE = re.compile(r"^[A-Za-z0-9_.-]+$")


class TimeOrderedRecordBuilder(RecordBuilder):
    """warcio's record builder, with WARC-Record-IDs in time order: UUID version 7 (RFC 9562: a
    millisecond timestamp, then random bits) instead of warcio's random version 4. They are as
    unique as WARC asks of a record id, and a store keyed by them (storage's captures) takes a
    crawl's ids at one end of its index, instead of one index page per record."""

    @classmethod
    def _make_warc_id(cls) -> str:
        return f"<urn:uuid:{uuid6.uuid7()}>"


def safe_component(text: str, fallback: str = "host") -> str:
    """File names carry only a vetted alphabet: nothing from a URL or hostname can make a path."""
    cleaned = re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-.")[:60]
    return cleaned or fallback


def warc_name(prefix: str, when: datetime, serial: int, host: str | None = None) -> str:
    host = safe_component(host or socket.gethostname())
    return f"{safe_component(prefix, 'deeply')}-{when:%Y%m%d%H%M%S}-{serial:05d}-{host}.warc.gz"


def closed_warcs(folder: Path) -> list[Path]:
    return sorted(p for p in Path(folder).glob("*.warc.gz") if p.is_file())


def open_warcs(folder: Path) -> list[Path]:
    return sorted(Path(folder).glob("*.warc.gz" + OPEN_SUFFIX))


GZIP_LEVEL = 6  # zlib's default, as wget's WARCs: higher levels cost much more CPU for little size


def serialize(record, warc_version: str = "1.1") -> bytes:
    """A warcio record as the uncompressed bytes of one WARC record (digests and lengths set)."""
    out = BytesIO()
    WARCWriter(out, gzip=False, warc_version=warc_version).write_record(record)
    return out.getvalue()


def gzip_member(data: bytes, level: int = GZIP_LEVEL) -> bytes:
    """One whole gzip member, in one call: zlib releases the GIL for all of it."""
    packer = zlib.compressobj(level, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush()


class RotatingWarcWriter:
    """Appends records to the current `.open` file, starting a new file past `max_size` bytes.

    Each record is its own gzip member, so a cut between members leaves a valid file. A warcinfo
    record heads every file. Records come in as uncompressed record bytes (`serialize`).
    """

    def __init__(self, folder: Path, prefix: str, info: dict, max_size: int = WARC_MAX_SIZE,
                 warc_version: str = "1.1", started: datetime | None = None, first_serial: int = 0,
                 host: str | None = None):
        self.folder = Path(folder)
        self.host = host  # the name's last part (default: this machine's name)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.prefix = prefix
        self.info = info
        self.max_size = max_size
        self.warc_version = warc_version
        self.started = started or datetime.now(UTC)
        self.serial = first_serial
        self._fh = None
        self._path: Path | None = None
        self._name_synced = False
        self.closed_files: list[Path] = []
        self.bytes_written = 0

    @property
    def current(self) -> Path | None:
        return self._path

    def _open(self) -> None:
        while True:
            name = warc_name(self.prefix, self.started, self.serial, self.host)
            final = self.folder / name
            path = self.folder / (name + OPEN_SUFFIX)
            self.serial += 1
            if not final.exists() and not path.exists():
                break
        self._fh = open(path, "xb")  # noqa: SIM115 - lives as long as the file is being written
        self._path = path
        self._name_synced = False
        builder = TimeOrderedRecordBuilder(warc_version=self.warc_version)
        info = builder.create_warcinfo_record(name, dict(self.info))
        self._fh.write(gzip_member(serialize(info, self.warc_version)))

    def write(self, *records: bytes) -> None:
        """Write records back to back (a request beside its response), never split across files."""
        members = [gzip_member(r) for r in records]
        if self._fh is not None and self._fh.tell() >= self.max_size:
            self.close()
        if self._fh is None:
            self._open()
        before = self._fh.tell()
        self._fh.write(b"".join(members))
        self._fh.flush()
        self.bytes_written += self._fh.tell() - before

    def sync(self) -> None:
        """What is written so far on disk, the open file's name too."""
        if self._fh is None:
            return
        self._fh.flush()
        os.fsync(self._fh.fileno())
        if not self._name_synced:
            _fsync_dir(self.folder)
            self._name_synced = True

    def close(self) -> None:
        if self._fh is None:
            return
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self._fh.close()
        final = self._path.with_name(self._path.name[: -len(OPEN_SUFFIX)])
        os.replace(self._path, final)
        _fsync_dir(self.folder)
        self.closed_files.append(final)
        self._fh = self._path = None


class WriteProgress:
    """How far the writer thread has got: records handed to it, and how many of those hand-overs
    are in the file. A distributed crawl tells Redis a request is done only once its records are
    written: done in Redis while still queued here, a capture would die with the process and no
    other worker would fetch it again. `durable`: written means on disk (fsynced, so a power cut
    keeps it too), not only handed to the operating system (which a SIGKILL does not lose).
    Handed to the crawl through its settings, never copied (crawler/shared.py says why)."""

    def __init__(self, durable: bool = False) -> None:
        self.durable = durable
        self.handed = 0  # only the crawl's thread counts these
        self.written = 0  # only the writer thread moves this
        self.failed = False
        self._changed = threading.Condition()

    def __deepcopy__(self, memo):
        return self

    def hand(self) -> int:
        self.handed += 1
        return self.handed

    def wrote(self, ticket: int) -> None:
        with self._changed:
            self.written = ticket
            self._changed.notify_all()

    def fail(self) -> None:
        with self._changed:
            self.failed = True
            self._changed.notify_all()

    def wait(self, ticket: int, seconds: float) -> bool:
        """Whether hand-over `ticket` is in the file, waiting at most `seconds` (less if writing failed)."""
        with self._changed:
            self._changed.wait_for(lambda: self.written >= ticket or self.failed, timeout=seconds)
            return self.written >= ticket


class BackgroundWriter:
    """Compresses and writes records on a thread of its own. The crawl's thread hands over whole
    uncompressed records, so each costs this thread two calls that release the interpreter lock
    (compress, write) and the two threads do not trade the lock back and forth (warcio's writer,
    which compresses piece by piece, had the crawl waiting on it). The queue is bounded (a full queue
    makes the crawl wait, memory stays flat) and keeps order; a write error stops all later writes
    and is raised to the crawl at its next write and at close, never swallowed."""

    def __init__(self, rotating: RotatingWarcWriter, depth: int = 64, progress: WriteProgress | None = None):
        self.rotating = rotating
        self.queue: queue.Queue = queue.Queue(depth)
        self.error: BaseException | None = None
        self.progress = progress if progress is not None else WriteProgress()
        self.thread = threading.Thread(target=self._run, name="warc-writer", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        synced_at = time.monotonic()
        while True:
            item = self.queue.get()
            if item is None:
                return
            ticket, records = item
            if self.error is None:
                try:
                    self.rotating.write(*records)
                    # Durable: one fsync for all the queue held, once it is drained (or SYNC_SECONDS
                    # after the last, so that a queue never drained still has its releases).
                    counted = (not self.progress.durable or self.queue.empty()
                               or time.monotonic() - synced_at >= SYNC_SECONDS)
                    if counted and self.progress.durable:
                        self.rotating.sync()
                        synced_at = time.monotonic()
                except BaseException as exc:  # noqa: BLE001 - handed to the crawl, not lost
                    self.error = exc
                    self.progress.fail()
                else:
                    if counted:
                        self.progress.wrote(ticket)

    def write(self, *records: bytes) -> int:
        """Hand records over; returns their ticket in `progress`."""
        if self.error is not None:
            raise self.error
        ticket = self.progress.hand()
        self.queue.put((ticket, records))
        return ticket

    @property
    def bytes_written(self) -> int:
        return self.rotating.bytes_written

    def close(self) -> None:
        """Write what is queued, then close the file under its final name."""
        if self.thread.is_alive():
            self.queue.put(None)
            self.thread.join()
        if self.error is not None:
            raise self.error
        self.rotating.close()


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def whole_records(path: Path):
    """(start, end, type) of each whole record, stopping at the first that is not: the archive
    reader yields a record only once it is whole (its gzip member complete, its block exactly its
    Content-Length), so a file cut anywhere gives exactly its whole records."""
    try:
        for record in iter_records(path, types=None):
            yield record.offset, record.offset + record.length, record.warc_type
    except ArchiveDamage:
        return


def last_whole_offset(path: Path) -> tuple[int, int]:
    """(offset just past the last whole record, whole records). A trailing `request` without its
    response is dropped too, so every kept response keeps its request."""
    end = count = 0
    pending_request_start = None
    for start, stop, kind in whole_records(path):
        count += 1
        pending_request_start = start if kind == "request" else None
        end = stop
    if pending_request_start is not None:
        end = pending_request_start
    return end, count


def repair(path: Path) -> Path:
    """Cut an `.open` file at its last whole record and close it under its final name.

    Returns the closed path, or removes the file and returns it when nothing whole was in it.
    """
    path = Path(path)
    end, _ = last_whole_offset(path)
    final = path.with_name(path.name[: -len(OPEN_SUFFIX)]) if path.name.endswith(OPEN_SUFFIX) else path
    if end == 0:
        path.unlink()
        return final
    with open(path, "r+b") as fh:
        fh.truncate(end)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(path, final)
    _fsync_dir(path.parent)
    return final

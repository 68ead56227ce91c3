"""WARC files on disk: names, rotation at a size limit, the `.open` suffix, and repair after a crash.

A file is written under `NAME.open` and renamed when closed, so any file without the suffix is
complete and is never touched again. A crash leaves at most one `.open` file per crawl; `repair`
cuts it at its last whole record and closes it.
"""

from __future__ import annotations

import os
import re
import socket
from datetime import UTC, datetime
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.warcwriter import WARCWriter

OPEN_SUFFIX = ".open"
NAME_RE = re.compile(r"^[A-Za-z0-9_.-]+$")


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


class RotatingWarcWriter:
    """Appends records to the current `.open` file, starting a new file past `max_size` bytes.

    Each record is its own gzip member (warcio's default), so a cut between members leaves a
    valid file. A warcinfo record heads every file.
    """

    def __init__(self, folder: Path, prefix: str, info: dict, max_size: int = 1_000_000_000,
                 warc_version: str = "1.1", started: datetime | None = None, first_serial: int = 0):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.prefix = prefix
        self.info = info
        self.max_size = max_size
        self.warc_version = warc_version
        self.started = started or datetime.now(UTC)
        self.serial = first_serial
        self._fh = None
        self._writer: WARCWriter | None = None
        self._path: Path | None = None
        self.closed_files: list[Path] = []
        self.bytes_written = 0

    @property
    def current(self) -> Path | None:
        return self._path

    def _open(self) -> None:
        while True:
            name = warc_name(self.prefix, self.started, self.serial)
            final = self.folder / name
            path = self.folder / (name + OPEN_SUFFIX)
            self.serial += 1
            if not final.exists() and not path.exists():
                break
        self._fh = open(path, "xb")  # noqa: SIM115 - lives as long as the file is being written
        self._path = path
        self._writer = WARCWriter(self._fh, gzip=True, warc_version=self.warc_version)
        info = dict(self.info)
        record = self._writer.create_warcinfo_record(name, info)
        self._writer.write_record(record)

    def write(self, *records) -> None:
        """Write records back to back (a request beside its response), never split across files."""
        if self._fh is not None and self._fh.tell() >= self.max_size:
            self.close()
        if self._fh is None:
            self._open()
        before = self._fh.tell()
        for record in records:
            self._writer.write_record(record)
        self._fh.flush()
        self.bytes_written += self._fh.tell() - before

    @property
    def writer(self) -> WARCWriter:
        if self._writer is None:
            self._open()
        return self._writer

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
        self._fh = self._writer = self._path = None


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def last_whole_offset(path: Path) -> tuple[int, int]:
    """(offset just past the last whole record, records read). A trailing `request` without its
    response is dropped too, so every kept response keeps its request and vice versa."""
    end = 0
    count = 0
    pending_request_start = None
    with open(path, "rb") as fh:
        it = ArchiveIterator(fh, no_record_parse=False)
        try:
            for record in it:
                start = it.get_record_offset()
                record.content_stream().read()
                it.read_to_end()
                stop = it.get_record_offset() + it.get_record_length()
                count += 1
                if record.rec_type == "request":
                    pending_request_start = start
                else:
                    pending_request_start = None
                end = stop
        except Exception:  # noqa: BLE001 - any damage ends the good prefix
            pass
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

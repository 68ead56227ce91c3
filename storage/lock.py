"""Who may use the store: one ingest at a time, and no ingest under an immutable Datasette.

A lock file beside the database, not a lock on the database file itself: SQLite holds POSIX locks
on that file, and closing any other descriptor of it in this process would silently drop them.
Ingest takes the lock exclusively; `deeply serve` in immutable mode holds it shared for as long as
it runs, because Datasette's immutable mode assumes the file never changes underneath it.
"""

from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager
from pathlib import Path

from storage.util import StoreError


class StoreBusy(StoreError):
    pass


def lock_path(db_path) -> Path:
    p = Path(db_path)
    return p.with_name(f".{p.name}.lock")


def _open(db_path) -> int:
    path = lock_path(db_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return os.open(path, os.O_RDWR | os.O_CREAT, 0o644)


@contextmanager
def writer_lock(db_path):
    fd = _open(db_path)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StoreBusy(
                f"{db_path} is in use: another ingest is running, or `deeply serve` serves it "
                "immutable (stop it, or serve with --live while ingesting)"
            ) from None
        yield
    finally:
        os.close(fd)


def try_reader_lock(db_path) -> int | None:
    """A shared lock held until the returned descriptor is closed; None while an ingest runs."""
    fd = _open(db_path)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


def ingest_running(db_path) -> bool:
    fd = try_reader_lock(db_path)
    if fd is None:
        return True
    os.close(fd)
    return False

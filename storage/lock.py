"""Who may use the store: one ingest at a time, and no ingest under an immutable Datasette.

A lock file beside the database (archive/lock.py says why not the database file itself). Ingest
takes the lock exclusively; `deeply serve` in immutable mode holds it shared for as long as it runs,
because Datasette's immutable mode assumes the file never changes underneath it.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from archive.lock import exclusive, try_lock
from storage.util import StoreError


class StoreBusy(StoreError):
    pass


def lock_path(db_path) -> Path:
    p = Path(db_path)
    return p.with_name(f".{p.name}.lock")


@contextmanager
def writer_lock(db_path):
    def busy(_holder: str) -> StoreBusy:
        return StoreBusy(
            f"{db_path} is in use: another ingest is running, or `deeply serve` serves it "
            "immutable (stop it, or serve with --live while ingesting)"
        )

    with exclusive(lock_path(db_path), busy):
        yield


def try_reader_lock(db_path) -> int | None:
    """A shared lock held until the returned descriptor is closed; None while an ingest runs."""
    return try_lock(lock_path(db_path), shared=True)

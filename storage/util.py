"""Small helpers shared by the store: time stamps and database handles."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils

from archive.fields import format_utc, normalize_date  # noqa: F401 - one spelling of time, below
from archive.files import file_sha256  # noqa: F401 - a file is known by its content


class StoreError(RuntimeError):
    """The store cannot be used as it is (busy, damaged, newer, unwritable); the message is the one
    line a person needs, so commands print it instead of a traceback."""


def utc_now() -> str:
    return format_utc(datetime.now(UTC).replace(microsecond=0))


def as_db(db) -> sqlite_utils.Database:
    """Accept a path or an open Database, so library functions suit both scripts and `deeply run`."""
    if isinstance(db, sqlite_utils.Database):
        return db
    from storage.schema import open_store

    return open_store(Path(db))

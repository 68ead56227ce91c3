"""Small helpers shared by the store: time stamps and database handles."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils

from archive.fields import format_utc, normalize_date  # noqa: F401 - one spelling of time, below
from archive.files import file_sha256  # noqa: F401 - a file is known by its content

DEFAULT_REPLAY_PREFIX = "http://127.0.0.1:8080/deeply"


class StoreError(RuntimeError):
    """The store cannot be used as it is (busy, damaged, newer, unwritable); the message is the one
    line a person needs, so commands print it instead of a traceback."""


def utc_now() -> str:
    return format_utc(datetime.now(UTC).replace(microsecond=0))


def timestamp14(iso: str) -> str:
    """The 14-digit form wayback-style replay URLs use."""
    return "".join(c for c in iso[:19] if c.isdigit())


def replay_url(prefix: str | None, fetched_at: str | None, url: str) -> str | None:
    if not fetched_at:
        return None
    prefix = (prefix or DEFAULT_REPLAY_PREFIX).rstrip("/")
    return f"{prefix}/{timestamp14(fetched_at)}/{url}"


def as_db(db) -> sqlite_utils.Database:
    """Accept a path or an open Database, so library functions suit both scripts and `deeply run`."""
    if isinstance(db, sqlite_utils.Database):
        return db
    from storage.schema import open_store

    return open_store(Path(db))

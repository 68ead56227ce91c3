"""Small helpers shared by the store: time stamps and database handles."""

from __future__ import annotations

import hashlib
import os
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils

DEFAULT_REPLAY_PREFIX = "http://127.0.0.1:8080/deeply"


class StoreError(RuntimeError):
    """The store cannot be used as it is (busy, damaged, newer, unwritable); the message is the one
    line a person needs, so commands print it instead of a traceback."""


def utc_now() -> str:
    return format_utc(datetime.now(UTC).replace(microsecond=0))


def format_utc(dt: datetime) -> str:
    """ISO 8601 in UTC with a Z, to the second unless the source had a fraction.

    One spelling everywhere means string comparison and ordering in SQL are time comparison.
    """
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    dt = dt.astimezone(UTC)
    text = dt.strftime("%Y-%m-%dT%H:%M:%S")
    if dt.microsecond:
        text += f".{dt.microsecond:06d}".rstrip("0")
    return text + "Z"


def normalize_date(value: str | None) -> str | None:
    """WARC-Date (or WARC-Refers-To-Date) in our spelling; None when it cannot be read."""
    if not value:
        return None
    value = value.strip()
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        # 14-digit form, as some tools write in WARC-Refers-To-Date.
        digits = "".join(c for c in value if c.isdigit())
        if len(digits) < 14:
            return None
        try:
            dt = datetime.strptime(digits[:14], "%Y%m%d%H%M%S")
        except ValueError:
            return None
    return format_utc(dt)


def timestamp14(iso: str) -> str:
    """The 14-digit form wayback-style replay URLs use."""
    return "".join(c for c in iso[:19] if c.isdigit())


def replay_url(prefix: str | None, fetched_at: str | None, url: str) -> str | None:
    if not fetched_at:
        return None
    prefix = (prefix or DEFAULT_REPLAY_PREFIX).rstrip("/")
    return f"{prefix}/{timestamp14(fetched_at)}/{url}"


def file_sha256(path: os.PathLike | str, block: int = 1 << 20, limit: int | None = None) -> tuple[str, int]:
    """(SHA-256, size) of the file, or of its first `limit` bytes."""
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as f:
        while chunk := f.read(block if limit is None else min(block, limit - size)):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def as_db(db) -> sqlite_utils.Database:
    """Accept a path or an open Database, so library functions suit both scripts and `deeply run`."""
    if isinstance(db, sqlite_utils.Database):
        return db
    from storage.schema import open_store

    return open_store(Path(db))

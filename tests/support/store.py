"""Reading a store back in the tests, with plain sqlite3 (the store's own code is what is under test),
and the library's ingest with the tests' defaults."""

from __future__ import annotations

import sqlite3

from storage import ingest


def rows(db_path, sql, params=()):
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql, params)]
    finally:
        conn.close()


def scalar(db_path, sql, params=()):
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(sql, params).fetchone()[0]
    finally:
        conn.close()


def run_ingest(db, paths, **kw):
    """The tests' defaults: no progress bar, workers=0."""
    kw.setdefault("progress", False)
    kw.setdefault("workers", 0)
    return ingest(db, paths, **kw)

"""Ingest: the first ingest is the ingest phase of the first ``deeply run`` (bench/pipeline_run.py);
this module measures ``deeply ingest`` over the same, unchanged WARCs a second time, which should
find every file already ingested (by SHA-256) and cost next to nothing.
"""

from __future__ import annotations

import sys
from pathlib import Path

from bench import measure, pipeline_run


def reingest(warc_dir: Path, db: Path, *, timeout: float, log) -> tuple[measure.Measured, int]:
    """The measurement and the number of versions it added (0 when nothing changed)."""
    before = pipeline_run.store_counts(db)["versions"]
    cmd = [sys.executable, "-m", "deeply", "ingest", str(warc_dir), "--db", str(db), "--workers", "2",
           "--no-progress"]
    m = measure.run(cmd, timeout=timeout, log=log)
    if not m.ok:
        raise measure.CommandFailed(f"deeply ingest failed (exit {m.returncode}): {m.tail()}")
    return m, pipeline_run.store_counts(db)["versions"] - before

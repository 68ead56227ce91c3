"""Extraction: ``deeply extract`` over a crawl's WARCs against a plain trafilatura loop over the same pages.

Ours is timed as a user runs it, start-up and WARC reading included, on one worker (in process) and on
one per core. The reference (bench/plain_extract.py) runs in its own process with the pages already
in memory. On a large crawl the reference takes one article page in K (at most ``PLAIN_MAX`` pages):
its rate per page does not depend on the size of the site, and a full loop over 12,000 pages would
take four minutes of the bench's fifteen. 500 pages (about 12 s) time the loop to within a few per
cent.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

from bench import measure

PLAIN_MAX = 500


@dataclass
class ExtractResult:
    measured: measure.Measured
    records: int
    pages: int | None = None  # the reference: pages it was given
    seconds: float = 0.0  # timed part
    cpu: float = 0.0  # CPU seconds of the timed part

    @property
    def rate(self) -> float:
        return self.records / self.seconds if self.seconds > 0 else 0.0


def ours(warcs: list[Path], out: Path, workers: int, *, timeout: float, log) -> ExtractResult:
    cmd = [sys.executable, "-m", "deeply", "extract", *map(str, warcs), "-o", str(out), "--workers",
           str(workers), "--quiet"]
    m = measure.run(cmd, timeout=timeout, log=log)
    if not m.ok:
        raise measure.CommandFailed(f"deeply extract failed (exit {m.returncode}): {m.tail()}")
    with open(out, "rb") as fh:
        records = sum(1 for _ in fh)
    out.unlink(missing_ok=True)
    return ExtractResult(m, records, seconds=m.wall, cpu=m.cpu)


def plain(warcs: list[Path], article_pages: int, *, timeout: float, log) -> ExtractResult:
    every = max(1, -(-article_pages // PLAIN_MAX))
    cmd = [sys.executable, "-m", "bench.plain_extract", "--every", str(every), *map(str, warcs)]
    m = measure.run(cmd, timeout=timeout, log=log)
    if not m.ok:
        raise measure.CommandFailed(f"plain trafilatura loop failed (exit {m.returncode}): {m.tail()}")
    data = json.loads(m.stdout.strip().splitlines()[-1])
    return ExtractResult(m, data["extracted"], pages=data["pages"], seconds=data["seconds"], cpu=data["cpu"])

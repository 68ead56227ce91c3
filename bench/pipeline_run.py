"""One ``deeply run`` (crawl, then ingest what the crawl wrote), measured as a whole and per phase.

The first run over a site gives three rows at the price of one crawl: end to end, the crawl (the
crawl phase runs the same ``run_crawl`` as ``deeply crawl``, with priors from a store that is still
empty), and the ingest (the same ``ingest`` as ``deeply ingest``). A separate ``deeply crawl`` per size
would cost about four more minutes at 10,000 articles and push the bench past its 15 minutes. The
second run over the unchanged site is the re-crawl.

The phases are split at the moment the crawl's last WARC file was last written (its mtime): the
crawler closes its files as its last act, and ingest starts right after.
"""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench import measure, warcstats


@dataclass
class RunResult:
    measured: measure.Measured
    warcs: warcstats.WarcStats
    crawl_seconds: float
    ingest_seconds: float
    crawl_cpu: float  # CPU seconds of the crawl phase (sampled, to 0.1 s)
    crawl_peak: int
    ingest_peak: int
    versions: int  # versions in the store after the run
    new_versions: int  # versions this run added
    captures: int
    files: list[Path]  # the WARC files this run wrote

    @property
    def pages_per_second(self) -> float:
        return self.warcs.pages / self.crawl_seconds if self.crawl_seconds > 0 else 0.0

    @property
    def versions_per_second(self) -> float:
        return self.new_versions / self.ingest_seconds if self.ingest_seconds > 0 else 0.0


def store_counts(db: Path) -> dict[str, int]:
    if not db.exists():
        return {"versions": 0, "captures": 0}
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        out = {}
        for table in ("versions", "captures"):
            try:
                out[table] = conn.execute(f"select count(*) from {table}").fetchone()[0]
            except sqlite3.OperationalError:
                out[table] = 0
        return out
    finally:
        conn.close()


def deeply_run(start_url: str, warc_dir: Path, db: Path, *, timeout: float, helpers: list[int], log,
               extra_args: list[str] = (), counted: bool = True) -> RunResult:
    """``counted=False`` leaves ``warcs`` empty, for the caller to count with others at once."""
    before_files = set(warcstats.warc_files(warc_dir)) if warc_dir.exists() else set()
    before = store_counts(db)
    cmd = [sys.executable, "-m", "deeply", "run", start_url, "--warcs", str(warc_dir), "--db", str(db),
           "--quiet", *extra_args]
    m = measure.run(cmd, timeout=timeout, helpers=helpers, log=log)
    # Exit 1 is a complete run in which some fetch failed (the real copy links to pages it lacks):
    # still a run to measure. Interrupted (3), locked (4) or killed is not.
    if m.timed_out or m.returncode not in (0, 1):
        raise measure.CommandFailed(f"deeply run failed (exit {m.returncode}): {m.tail()}")
    new_files = warcstats.warc_files(warc_dir, since=before_files)
    stats = warcstats.count(new_files) if counted else warcstats.WarcStats()
    ended = m.started_at + m.wall
    crawl_end = max((p.stat().st_mtime for p in new_files), default=m.started_at)
    crawl_end = min(max(crawl_end, m.started_at), ended)
    after = store_counts(db)
    return RunResult(
        measured=m,
        warcs=stats,
        crawl_seconds=crawl_end - m.started_at,
        ingest_seconds=ended - crawl_end,
        crawl_cpu=m.cpu_until(crawl_end),
        crawl_peak=m.peak_between(m.started_at, crawl_end),
        ingest_peak=m.peak_between(crawl_end, ended),
        versions=after["versions"],
        new_versions=after["versions"] - before["versions"],
        captures=after["captures"] - before["captures"],
        files=new_files,
    )


def killed_then_resumed(start_url: str, warc_dir: Path, db: Path, *, kill_at: int, timeout: float,
                        helpers: list[int], log) -> RunResult:
    """A re-crawl SIGKILLed once its open WARC holds ``kill_at`` bytes, then the same command again:
    the measured run is the resumed one, which rebuilds its frontier from the killed run's WARC."""
    before_files = set(warcstats.warc_files(warc_dir))
    cmd = [sys.executable, "-m", "deeply", "run", start_url, "--warcs", str(warc_dir), "--db", str(db),
           "--quiet"]
    log("$ " + " ".join(cmd) + f"  (SIGKILL at {kill_at:,} bytes written)")
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            stdin=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + timeout
    killed = False
    try:
        while proc.poll() is None and time.monotonic() < deadline:
            if any(p.stat().st_size >= kill_at for p in warc_dir.glob("*.warc.gz.open")):
                killed = True
                break
            time.sleep(0.05)
    finally:
        measure.stop_group(proc, signal.SIGKILL)
    if not killed:
        raise measure.CommandFailed(f"the re-crawl ended (exit {proc.returncode}) before it wrote "
                                    f"{kill_at:,} bytes: nothing to resume")
    result = deeply_run(start_url, warc_dir, db, timeout=timeout, helpers=helpers, log=log)
    result.files = warcstats.warc_files(warc_dir, since=before_files)
    result.warcs = warcstats.count(result.files)
    return result

"""The crawl reference: GNU Wget mirroring the same site into a WARC, counted the same way as ours.

Same start URL and the same scope as ``deeply crawl``: robots.txt obeyed, no parent directories, page
requisites fetched (on the sample site from its asset hosts too: ``-p -H``).
``--no-parent`` from ``/syria`` (no trailing slash) would allow the whole host,
whose parent folder is ``/``: ``--exclude-directories`` keeps wget out of the sister sites that the
sample site links to and that our crawler's scope leaves out, so both fetch the same pages. The files
wget mirrors go to a scratch folder and are deleted as it goes (``--delete-after``); only the WARC
is kept, as with ours.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from bench import measure, warcstats

WGET = shutil.which("wget") or "/usr/bin/wget"
SISTER_SITES = "/peacebuilding,/refugees"


@dataclass
class CrawlResult:
    measured: measure.Measured
    warcs: warcstats.WarcStats
    files: list[Path]

    @property
    def seconds(self) -> float:
        return self.measured.wall

    @property
    def pages_per_second(self) -> float:
        return self.warcs.pages / self.seconds if self.seconds > 0 else 0.0


def wget_version() -> str:
    try:
        m = measure.run([WGET, "--version"], timeout=10)
    except OSError:
        return "wget: not found"
    first = (m.stdout.splitlines() or ["wget"])[0]
    return first.split(" built on")[0].strip()


def wget_crawl(start_url: str, out_dir: Path, *, timeout: float, helpers: list[int], log,
               exclude: str | None = SISTER_SITES, counted: bool = True,
               span_hosts: str | None = None) -> CrawlResult:
    """``span_hosts``: the hosts (comma-separated) wget may take requisites from, as ours does (``-H``
    with ``--domains``; its pages stay on the start host all the same: no page links elsewhere)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    scratch = out_dir / "mirror"
    cmd = [WGET, "--mirror", "--warc-file", str(out_dir / "wget"), "--no-parent", "-e", "robots=on",
           "--page-requisites", "--no-verbose", "--delete-after", "--directory-prefix", str(scratch),
           "--tries", "3", "--timeout", "60"]
    if exclude:
        cmd += ["--exclude-directories", exclude]
    if span_hosts:
        cmd += ["--span-hosts", "--domains", span_hosts]
    cmd.append(start_url)
    m = measure.run(cmd, timeout=timeout, helpers=helpers, log=log, cwd=out_dir)
    shutil.rmtree(scratch, ignore_errors=True)
    # wget exits 8 when any fetch answered 4xx/5xx (the sample site has a 404 on purpose): not a failure
    # of the run. Anything else, or no WARC at all, is.
    # With the sample site's hosts spanned, 4 (a network failure) is its refusing host, on purpose.
    files = warcstats.warc_files(out_dir)
    allowed = (0, 4, 8) if span_hosts else (0, 8)
    if m.timed_out or m.returncode not in allowed or not files:
        raise measure.CommandFailed(f"wget failed (exit {m.returncode}): {m.tail()}")
    return CrawlResult(m, warcstats.count(files) if counted else warcstats.WarcStats(), files)

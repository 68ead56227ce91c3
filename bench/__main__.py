"""``python -m bench``: every stage against its reference tool, on the sample site and the real copy.

    python -m bench [--sizes 1000,10000] [--quick] [--corpus PATH | --no-corpus] [--keep DIR]

Prints a markdown table, puts it in bench/RESULTS.md (between its markers; the page around them is
kept) and writes it to bench/results/latest.md (with the raw numbers beside it in latest.json). Each
site is served from its own process on 127.0.0.1 and stopped afterwards; every command runs under a
timeout; the scratch folder is removed unless --keep is given.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from dataclasses import asdict, is_dataclass
from datetime import UTC, datetime
from pathlib import Path

from archive.cores import usable_cores
from bench import crawl, extract, ingest, measure, pipeline_run, qa, results_file, servers, warcstats
from bench.report import Header, SiteRun, render
from replay.browser import find_chromium

RESULTS = Path(__file__).resolve().parent / "results"
MEASURED_PACKAGES = ("archive", "crawler", "extract", "storage", "deeply", "sample_site")


def source_state() -> dict[str, float]:
    """Modification times of the measured code: the tree is shared, and a file edited during the run
    means the rows before and after the edit measured different programs."""
    out = {}
    for package in MEASURED_PACKAGES:
        for path in (servers.REPO / package).rglob("*.py"):
            try:
                out[str(path.relative_to(servers.REPO))] = path.stat().st_mtime
            except OSError:
                continue
    return out


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def machine() -> str:
    cores = usable_cores()
    return (f"{platform.machine()}, {cores} cores, Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}")


def tools() -> str:
    try:
        from importlib.metadata import version

        traf = f"trafilatura {version('trafilatura')}"
        scrapy = f"Scrapy {version('scrapy')}"
    except Exception:  # noqa: BLE001 - versions are for the header only
        traf, scrapy = "trafilatura", "Scrapy"
    return f"{crawl.wget_version()}, {traf}, {scrapy}"


def _step(site: SiteRun, name: str, fn):
    """Run one measurement; a failure is written into the results, and the other steps go on."""
    try:
        return fn()
    except (measure.CommandFailed, OSError, ValueError) as exc:
        log(f"  {name} FAILED: {exc}")
        site.errors.append(f"{name}: {str(exc)[:300]}")
        return None


# The sample site's hosts (sample_site/server.py): pages, assets, pictures, the one that refuses.
SAMPLE_HOSTS = "127.0.0.1,127.0.0.2,127.0.0.3,127.0.0.4"


def bench_site(site: SiteRun, start_url: str, server_pid: int, work: Path, *, scale: float, one_core: bool,
               recrawl: bool, wget_exclude: str | None, span_hosts: str | None = None,
               replay_check: bool = False) -> SiteRun:
    """Every stage on one served site. ``scale`` is the site's size in thousands of articles: the
    commands' timeouts grow with it."""
    helpers = [server_pid]
    warc_dir, db = work / "warcs", work / "archive.db"
    long_timeout, short_timeout = 300 + 120 * scale, 120 + 40 * scale

    log(f"[{site.label}] deeply run (crawl + ingest)")
    site.run1 = _step(site, "deeply run", lambda: pipeline_run.deeply_run(
        start_url, warc_dir, db, timeout=long_timeout, helpers=helpers, log=log, counted=False))
    log(f"[{site.label}] wget --mirror --warc-file")
    site.wget = _step(site, "wget", lambda: crawl.wget_crawl(
        start_url, work / "wget", timeout=long_timeout, helpers=helpers, log=log, exclude=wget_exclude,
        counted=False, span_hosts=span_hosts))
    crawls = [c for c in (site.run1, site.wget) if c is not None]
    log(f"[{site.label}] counting the pages in the WARCs")
    counted = _step(site, "counting the WARCs", lambda: warcstats.count_each([c.files for c in crawls]))
    for done, stats in zip(crawls, counted or [], strict=False):
        done.warcs = stats
    if site.run1 is None:
        return site

    log(f"[{site.label}] deeply ingest again (unchanged WARCs)")
    got = _step(site, "re-ingest", lambda: ingest.reingest(warc_dir, db, timeout=short_timeout, log=log))
    if got:
        site.reingest, site.reingest_versions = got

    if replay_check and not find_chromium():
        site.skipped.append("replay check: no Chromium (apt-get install chromium)")
    elif replay_check:
        log(f"[{site.label}] deeply qa --pages {qa.PAGES}, and a bare Playwright loop over the same pages")
        site.qa = _step(site, "deeply qa", lambda: qa.ours(warc_dir, db, timeout=long_timeout, log=log))
        site.qa_plain = _step(site, "plain Playwright loop", lambda: qa.plain(
            warc_dir, db, timeout=long_timeout, log=log))
    else:
        site.skipped.append("replay check (measured at the smallest size)")

    warcs = warcstats.warc_files(warc_dir)
    out = work / "records.jsonl"
    if one_core:
        log(f"[{site.label}] deeply extract --workers 1")
        site.extract_w1 = _step(site, "deeply extract --workers 1", lambda: extract.ours(
            warcs, out, 1, timeout=long_timeout, log=log))
    else:
        site.skipped.append("extraction on 1 core (measured at the smallest size)")
    log(f"[{site.label}] deeply extract --workers 2")
    site.extract_w2 = _step(site, "deeply extract --workers 2", lambda: extract.ours(
        warcs, out, 2, timeout=long_timeout, log=log))
    done = site.extract_w2 or site.extract_w1
    article_pages = done.records if done else 0
    log(f"[{site.label}] plain trafilatura loop")
    site.plain = _step(site, "trafilatura loop", lambda: extract.plain(
        warcs, article_pages or site.run1.new_versions, timeout=long_timeout, log=log))

    if recrawl:
        log(f"[{site.label}] deeply run again (re-crawl of the unchanged site)")
        site.run2 = _step(site, "second deeply run", lambda: pipeline_run.deeply_run(
            start_url, warc_dir, db, timeout=long_timeout, helpers=helpers, log=log))
        if site.run2 is not None:
            log(f"[{site.label}] deeply run killed half-way through a re-crawl, then resumed")
            half = max(1, site.run2.warcs.bytes // 2)
            site.run3 = _step(site, "resumed deeply run", lambda: pipeline_run.killed_then_resumed(
                start_url, warc_dir, db, kill_at=half, timeout=long_timeout, helpers=helpers, log=log))
    else:
        site.skipped.append("re-crawl (--recrawl-all to include)")
    return site


def parse_args(argv: list[str] | None):
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default=None,
                   help="sample-site sizes in articles, comma-separated, or 'none' "
                        "(default 1000,10000; --quick: 1000)")
    p.add_argument("--quick", action="store_true", help="the smallest size only, and no real copy")
    corpus = p.add_mutually_exclusive_group()
    corpus.add_argument("--corpus", default=None,
                        help="tarball of the real copy (default $DEEPLY_CORPUS, else "
                             "../shared/newsdeeply/syria-mirror.tar.xz)")
    corpus.add_argument("--no-corpus", action="store_true", help="leave out the real copy")
    p.add_argument("--recrawl-all", action="store_true",
                   help="re-crawl the real copy too (the sample sites are always re-crawled, and "
                        "re-crawled again with a kill and a resume)")
    p.add_argument("--keep", type=Path, default=None, help="keep the WARCs and stores in this folder")
    p.add_argument("--out", type=Path, default=RESULTS, help="folder for latest.md and latest.json")
    p.add_argument("--results", type=Path, default=None,
                   help="the page whose marked section gets the tables (default bench/RESULTS.md; "
                        "with --out DIR: DIR/RESULTS.md, so that a trial run leaves the committed "
                        "page alone)")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    spec = args.sizes if args.sizes is not None else ("1000" if args.quick else "1000,10000")
    sizes = sorted(int(s.replace("_", "")) for s in spec.split(",") if s.strip() and s.strip() != "none")
    started = time.monotonic()
    load_before = Path("/proc/loadavg").read_text().split()[:3]
    sources_before = source_state()
    head = Header(date=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
                  command=" ".join(["python -m bench", *(sys.argv[1:] if argv is None else argv)]),
                  machine=machine(), tools=tools())
    root = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="deeply-bench-"))
    root.mkdir(parents=True, exist_ok=True)
    sites: list[SiteRun] = []
    try:
        for n in sizes:
            site = SiteRun(label=f"sample {n:,}", articles=n, end_to_end=(n == sizes[-1]))
            sites.append(site)
            work = root / f"sample-{n}"
            work.mkdir(exist_ok=True)
            log(f"== sample site, {n:,} articles")
            with servers.sample_site(n, work) as (url, pid):
                bench_site(site, url, pid, work, scale=max(1.0, n / 1000), one_core=(n == sizes[0]),
                           recrawl=True, wget_exclude=crawl.SISTER_SITES,
                           span_hosts=SAMPLE_HOSTS, replay_check=(n == sizes[0]))
        if not (args.quick or args.no_corpus):
            archive = servers.corpus_archive(args.corpus)
            site = SiteRun(label="real copy")
            sites.append(site)
            if archive is None:
                wanted = args.corpus or os.environ.get("DEEPLY_CORPUS") or servers.DEFAULT_CORPUS
                site.skipped.append(f"everything: no tarball at {wanted}")
                log(f"== real copy: skipped ({site.skipped[-1]})")
            else:
                work = root / "corpus"
                work.mkdir(exist_ok=True)
                log(f"== real copy, unpacking {archive}")
                with servers.unpacked(archive, work) as tree, servers.static_site(tree, work) as (port, pid):
                    files = sum(1 for p in (tree / "syria").rglob("*") if p.is_file())
                    site.label = f"real copy ({files:,} files)"
                    bench_site(site, f"http://127.0.0.1:{port}/syria/articles.html", pid, work, scale=8.0,
                               one_core=True, recrawl=args.recrawl_all, wget_exclude=None)
    finally:
        head.total_seconds = time.monotonic() - started
        load_after = Path("/proc/loadavg").read_text().split()[:3]
        head.load = f"Load average before / after: {' '.join(load_before)} / {' '.join(load_after)}."
        sources_after = source_state()
        head.changed = sorted(p for p in set(sources_before) | set(sources_after)
                              if sources_before.get(p) != sources_after.get(p))
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
        text = render(head, sites)
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "latest.md").write_text(text)
        (args.out / "latest.json").write_text(json.dumps(
            {"header": asdict(head), "sites": [_plain(s) for s in sites]}, indent=1, default=str))
        page = results_file.write(results_path(args), text)
        print(text)
        log(f"wrote {page} and {args.out / 'latest.md'} ({head.total_seconds / 60:.1f} min)")
    return 1 if any(s.errors for s in sites) else 0


def results_path(args) -> Path:
    if args.results is not None:
        return args.results
    return results_file.DEFAULT if args.out == RESULTS else args.out / "RESULTS.md"


def _plain(obj):
    """Dataclasses to JSON-able dicts, without the bulky bits (output text, memory samples)."""
    if is_dataclass(obj):
        d = {k: _plain(v) for k, v in obj.__dict__.items() if k not in ("stdout", "stderr", "samples")}
        for name in ("pages_per_second", "versions_per_second", "rate", "seconds"):
            if hasattr(type(obj), name) and isinstance(getattr(type(obj), name), property):
                d[name] = getattr(obj, name)
        return d
    if isinstance(obj, list | tuple):
        return [_plain(v) for v in obj]
    if isinstance(obj, dict):
        return {str(k): _plain(v) for k, v in obj.items()}
    return obj


if __name__ == "__main__":
    sys.exit(main())

"""Every Datasette page a person opens, timed through a real `deeply serve`, on a store after 1 and
after N weekly crawls, with this code and with an older checkout's (the schema before it).

    python -m bench.store_bench [--articles 10000] [--crawls 52] [--old-rev 38628bf] [--keep DIR]
                                [--schemas new] [--copies]

Builds each store with bench/store_gen.py (the old one with the old checkout's `storage` first on
sys.path, extracted with `git archive`), serves it from its own process on 127.0.0.1, requests
every page once to warm it and then --repeat times, and writes the table to bench/RESULTS-store.md
with the raw numbers in bench/results/store.json. Each command runs under a timeout.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "RESULTS-store.md"
RAW = REPO / "bench" / "results" / "store.json"
GOAL_MS = 200
CODE = ("storage", "extract", "deeply", "sample_site", "crawler", "replay")


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def old_checkout(rev: str, into: Path) -> Path:
    """The packages as they were at `rev`, for PYTHONPATH (nothing of the worktree is touched)."""
    into.mkdir(parents=True, exist_ok=True)
    tar = into / "code.tar"
    subprocess.run(["git", "-C", str(REPO), "archive", "-o", str(tar), rev, *CODE], check=True, timeout=120)
    with tarfile.open(tar) as t:
        t.extractall(into, filter="data")
    tar.unlink()
    return into


def env_for(code: Path | None) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = f"{code}{os.pathsep}{REPO}" if code is not None else str(REPO)
    return env


def generate(db: Path, articles: int, crawls: int, code: Path | None, snap1: Path, stats: Path):
    """Start building a store (a process of its own: the two stores are built side by side)."""
    cmd = [sys.executable, "-m", "bench.store_gen", str(db), "--articles", str(articles),
           "--crawls", str(crawls), "--snapshot", f"1={snap1}", "--stats", str(stats)]
    log_file = open(db.parent / "gen.log", "w")  # closed by run() once the process ends
    return subprocess.Popen(cmd, env=env_for(code), cwd=db.parent, stdout=log_file, stderr=log_file), log_file


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`deeply serve` on the store, from the given code (None: this worktree's)."""

    def __init__(self, db: Path, code: Path | None):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "deeply", "serve", "--db", str(db), "--port", str(self.port)],
            env=env_for(code), cwd=db.parent, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )

    def __enter__(self):
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"deeply serve exited: {self.proc.stderr.read().decode()[-500:]}")
            try:
                urllib.request.urlopen(self.base + "/-/versions.json", timeout=5).read()
                return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("deeply serve did not answer within 120 s")

    def __exit__(self, *exc):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=30)


def tilde(key: str) -> str:
    from datasette.utils import tilde_encode

    return tilde_encode(key)


def speaker_sample(path: Path) -> dict:
    """The interviewer (the speaker of most interviews: the site's own name, in thousands of them)
    and an interviewee, as the store being timed has them: their pages are the ones that list
    the most rows."""
    import sqlite3

    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        def top(role, never):
            # The site's own name also answers in a few interviews: an interviewee never asks.
            row = conn.execute("SELECT speaker, count(DISTINCT version_id) AS n FROM qa_turns q "
                               "WHERE role = ? AND NOT EXISTS (SELECT 1 FROM qa_turns o WHERE "
                               "o.speaker = q.speaker AND o.role = ?) GROUP BY speaker "
                               "ORDER BY n DESC, speaker LIMIT 1", [role, never]).fetchone()
            return row[0] if row else None

        out = {"interviewer": top("question", ""), "interviewee": top("answer", "question")}
        try:
            row = conn.execute("SELECT id FROM speakers WHERE name = ?", [out["interviewer"]]).fetchone()
            out["interviewer_id"] = row[0] if row else None
        except sqlite3.OperationalError:  # the schema-1 store: no speakers table
            out["interviewer_id"] = None
        return out
    finally:
        conn.close()


def pages(sample: dict, new: bool) -> list[tuple[str, str]]:
    """(label, path) of every page timed; the old schema's equivalent where it has one."""
    q = urllib.parse.quote
    key, db = sample["key"], "/archive"
    interviewer, interviewee = sample.get("interviewer") or sample["speaker"], sample.get("interviewee")
    out = [
        ("front page", "/"),
        ("database page", db),
        ("latest_versions (all its facets)", f"{db}/latest_versions"),
        ("latest_versions, site facet selected", f"{db}/latest_versions?site={q(sample['site'])}"),
        ("latest_versions, kind facet selected", f"{db}/latest_versions?kind={q(sample['kind'])}"),
        ("latest_versions, year facet selected", f"{db}/latest_versions?year={sample['year']}"),
    ]
    if new:
        out += [
            ("latest_versions, author facet selected", f"{db}/latest_versions?_author={q(sample['author'])}"),
            ("latest_versions, topic facet selected", f"{db}/latest_versions?_topic={q(sample['topic'])}"),
            ("latest_versions, speaker facet selected",
             f"{db}/latest_versions?_speaker={q(sample['speaker'])}"),
        ]
    else:
        out += [
            ("latest_versions, author facet selected",
             f"{db}/latest_versions?authors__arraycontains={q(sample['author'])}"),
            ("latest_versions, topic facet selected",
             f"{db}/latest_versions?topics__arraycontains={q(sample['topic'])}"),
            ("latest_versions, speaker facet selected", None),
        ]
    out += [
        ("versions (its facets)", f"{db}/versions"),
        ("captures", f"{db}/captures"),
        ("crawls", f"{db}/crawls"),
        ("query: latest", f"{db}/latest"),
        ("query: article_history", f"{db}/article_history?key={q(key)}"),
    ]
    # The speakers list and a speaker's interviews: schema 4 a table (paginated, by interviews) and
    # latest_versions filtered by the speaker; before, two canned queries of every row.
    if new:
        out += [
            ("speakers (table, most interviews first)", f"{db}/speakers"),
            ("speakers, role facet selected", f"{db}/speakers?role=answer"),
            ("row page of the interviewer", f"{db}/speakers/{sample.get('interviewer_id')}"),
            ("the interviewer's interviews", f"{db}/latest_versions?_speaker={q(interviewer)}"),
            ("an interviewee's interviews", f"{db}/latest_versions?_speaker={q(interviewee or '')}"),
            ("query: interviews_by_speaker, the interviewer",
             f"{db}/interviews_by_speaker?speaker={q(interviewer)}"),
            ("query: interviews_by_speaker, everyone", f"{db}/interviews_by_speaker?speaker="),
        ]
    else:
        out += [
            ("speakers (table, most interviews first)", f"{db}/speakers"),
            ("speakers, role facet selected", None),
            ("row page of the interviewer", None),
            ("the interviewer's interviews", f"{db}/interviews_by_speaker?speaker={q(interviewer)}"),
            ("an interviewee's interviews", f"{db}/interviews_by_speaker?speaker={q(interviewee or '')}"),
            ("query: interviews_by_speaker, the interviewer",
             f"{db}/interviews_by_speaker?speaker={q(interviewer)}"),
            ("query: interviews_by_speaker, everyone", f"{db}/interviews_by_speaker?speaker="),
        ]
    out += [
        ("query: crawl_changes", f"{db}/crawl_changes?crawl_id={q(sample['crawl'])}"),
        ("query: search", f"{db}/search?q={q(sample['q'])}"),
        ("query: article_captures", f"{db}/article_captures?key={q(key)}"),
        ("query: removed_articles", f"{db}/removed_articles"),
        ("row page of an article (with its diff)", f"{db}/articles/{tilde(key)}"),
    ]
    if new:
        out.append(("row page in latest_versions", f"{db}/latest_versions/{tilde(key)}"))
        out.append(("charts page", "/-/dashboards/store"))
        out += chart_queries()
    return out


def chart_queries() -> list[tuple[str, str]]:
    import yaml

    charts = yaml.safe_load((REPO / "storage" / "charts.yml").read_text())["charts"]
    return [(f"chart data: {slug}", "/archive.json?" + urllib.parse.urlencode(
        {"sql": c["query"], "_shape": "objects"})) for slug, c in charts.items()]


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process so far: what a page costs the server, whatever else the
    machine's other cores are doing (wall times on a shared machine are mostly waiting)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def time_pages(base: str, page_list, repeat: int, pid: int | None = None) -> dict:
    out = {}
    for label, path in page_list:
        if path is None:
            out[label] = None
            continue
        times, status, timed_out, cpu = [], None, False, None
        for i in range(repeat + 1):
            if i == 1 and pid is not None:
                cpu = cpu_seconds(pid)
            t = time.perf_counter()
            try:
                with urllib.request.urlopen(base + path, timeout=120) as r:
                    body = r.read()
                    status = r.status
            except urllib.error.HTTPError as e:
                body, status = e.read(), e.code
            ms = (time.perf_counter() - t) * 1000
            if i:  # the first request warms Datasette's caches and the page cache
                times.append(ms)
            timed_out = timed_out or b"These facets timed out" in body or b"facets_timed_out\": [\"" in body
        out[label] = {"median_ms": statistics.median(times), "max_ms": max(times), "status": status,
                      "facets_timed_out": timed_out,
                      "cpu_ms": (cpu_seconds(pid) - cpu) * 1000 / repeat if cpu is not None else None}
    return out


def run(args) -> dict:
    work = Path(args.keep or tempfile.mkdtemp(prefix="deeply-store-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    old_code = old_checkout(args.old_rev, work / "old-code") if "old" in args.schemas else None
    # A snapshot of the measured code when asked for: edits to the worktree during a long run then
    # cannot reach half of it.
    new_code = old_checkout(args.new_rev, work / "new-code") if args.new_rev else None
    from storage.schema import SCHEMA_VERSION

    result = {"articles": args.articles, "crawls": args.crawls, "old_rev": args.old_rev,
              "schema": SCHEMA_VERSION,
              "new_rev": args.new_rev or "worktree",
              "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "schemas": {}}
    codes = {name: code for name, code in (("new", new_code), ("old", old_code)) if name in args.schemas}
    building = {}
    for name, code in codes.items():
        folder = work / name
        folder.mkdir(exist_ok=True)
        if not (folder / "gen.json").exists():
            for stale in (folder / "archive.db", folder / "one" / "archive.db"):
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{stale}{suffix}").unlink(missing_ok=True)
            log(f"== building the {name} store: {args.articles} articles, {args.crawls} crawls "
                f"(log: {folder / 'gen.log'})")
            building[name] = generate(folder / "archive.db", args.articles, args.crawls, code,
                                      folder / "one" / "archive.db", folder / "gen.json")
    deadline = time.monotonic() + args.timeout
    for name, (proc, log_file) in building.items():
        try:
            code = proc.wait(timeout=max(deadline - time.monotonic(), 1))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise RuntimeError(f"building the {name} store took over {args.timeout:.0f} s") from None
        finally:
            log_file.close()
        if code != 0:
            raise RuntimeError(f"building the {name} store failed: see {work / name / 'gen.log'}")
    for name, code in codes.items():
        folder = work / name
        db, snap1 = folder / "archive.db", folder / "one" / "archive.db"
        gen = json.loads((folder / "gen.json").read_text())
        entry = {"gen": gen["stats"], "sample": gen["sample"], "pages": {}}
        for label, path in ((1, snap1), (args.crawls, db)):
            served = path
            if args.copies:  # the kept store as it is; its copy migrated by `deeply serve`
                served = folder / f"served-{label}" / "archive.db"  # the name the pages ask for
                served.parent.mkdir(exist_ok=True)
                _remove(served)
                log(f"== copying {path} to {served}")
                shutil.copyfile(path, served)
            log(f"== timing the {name} store after {label} crawl(s)")
            try:
                with Server(served, code) as server:
                    sample = {**gen["sample"], **speaker_sample(served)}
                    entry["pages"][str(label)] = time_pages(
                        server.base, pages(sample, name == "new"),
                        args.repeat if name == "new" else args.old_repeat, server.proc.pid)
                entry.setdefault("size", {})[str(label)] = served.stat().st_size
                entry.setdefault("samples", {})[str(label)] = sample
            finally:
                if args.copies:
                    _remove(served)
        result["schemas"][name] = entry
    for name, code in codes.items():
        folder = work / name
        result["schemas"][name]["one_more"] = one_more(folder, code, args.crawls, args.more, args.timeout)
    result["load"] = os.getloadavg()
    return result


def _remove(db: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)


def one_more(folder: Path, code: Path | None, crawls: int, times: int, timeout: float) -> dict:
    """Seconds (wall, CPU) to write one more weekly crawl into copies of the store after 1 and
    after N crawls, alternating between the two so that the machine's load falls on both alike.
    Each copy is opened once beforehand, so that a migration it needs is not timed."""
    copies = {}
    for label, src in (("1", folder / "one" / "archive.db"), (str(crawls), folder / "archive.db")):
        dst = folder / f"more-{label}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{dst}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(src, dst)
        subprocess.run([sys.executable, "-c", "import sys; from storage.schema import open_store; "
                        "open_store(sys.argv[1]).close()", str(dst)], env=env_for(code), cwd=folder,
                       timeout=timeout, check=True)
        copies[label] = dst
    out: dict[str, list[float]] = {label: [] for label in copies}
    cpu: dict[str, list[float]] = {label: [] for label in copies}
    for i in range(times):
        for label, db in copies.items():
            proc = subprocess.run([sys.executable, "-m", "bench.store_gen", str(db), "--one-more", f"m{i}"],
                                  env=env_for(code), cwd=folder, capture_output=True, text=True,
                                  timeout=timeout, check=True)
            figures = proc.stdout.strip().splitlines()[-1].split()
            out[label].append(float(figures[0]))
            if len(figures) > 1:  # the CPU, from store_gen's of this branch on
                cpu[label].append(float(figures[1]))
            log(f"  one more crawl on the {folder.name} store after {label}: {out[label][-1]:.1f}s, "
                f"CPU {cpu[label][-1] if cpu[label] else float('nan'):.1f}s")
    for db in copies.values():
        _remove(db)
    return {**out, "cpu": cpu}


def render(r: dict) -> str:
    schemas = r["schemas"]
    new, old = schemas["new"], schemas.get("old")
    n = str(r["crawls"])
    load = r.get("load")
    lines = [
        f"# The store after {r['crawls']} weekly crawls of {r['articles']:,} articles",
        "",
        f"Measured {r['when']} with `{r.get('command') or 'python -m bench.store_bench'}` on a shared "
        "machine (2 cores, other engineers' tests and benchmarks running at the same time"
        + (f"; load average {load[0]:.1f}, {load[1]:.1f}, {load[2]:.1f} at the end" if load else "")
        + "): the absolute times are noisy, the ratios and the growth less so.",
        (f"\"old\" is the schema-1 code at {r['old_rev']} (latest_versions a view, array facets), "
         if old else "")
        + f"\"new\" this branch's schema {r.get('schema', 2)}. Every page through a real `deeply serve`; "
        "median of the repeats after one warm-up request, in milliseconds (max in brackets). "
        "\"CPU\" is the server process's own CPU time per request (user + system, mean of the "
        "repeats, 10 ms ticks), which the other engineers' load on the machine does not inflate. "
        f"Goal: every page under {GOAL_MS} ms at {r['crawls']} crawls.",
        "",
    ]
    if old:
        lines += [f"| page | old, 1 crawl | old, {n} crawls | new, 1 crawl | new, {n} crawls | "
                  f"new CPU, 1 | new CPU, {n} |", "|---|---:|---:|---:|---:|---:|---:|"]
    else:
        lines += [f"| page | 1 crawl | {n} crawls | CPU, 1 | CPU, {n} |", "|---|---:|---:|---:|---:|"]
    labels = list(dict.fromkeys([*new["pages"]["1"], *(old["pages"]["1"] if old else [])]))

    def cell(entry, crawls, label):
        m = entry["pages"][crawls].get(label)
        if m is None:
            return "n/a"
        flag = " **timed out**" if m["facets_timed_out"] else ""
        bad = f" (HTTP {m['status']})" if m["status"] != 200 else ""
        return f"{m['median_ms']:.0f} ({m['max_ms']:.0f}){flag}{bad}"

    def cpu(entry, crawls, label):
        m = entry["pages"][crawls].get(label)
        return "n/a" if m is None or m.get("cpu_ms") is None else f"{m['cpu_ms']:.0f}"

    worst, worst_cpu = ("", 0.0), ("", 0.0)
    for label in labels:
        olds = f"{cell(old, '1', label)} | {cell(old, n, label)} | " if old else ""
        lines.append(f"| {label} | {olds}{cell(new, '1', label)} | {cell(new, n, label)} | "
                     f"{cpu(new, '1', label)} | {cpu(new, n, label)} |")
        m = new["pages"][n].get(label)
        if m:
            worst = max(worst, (label, m["median_ms"]), key=lambda x: x[1])
            worst_cpu = max(worst_cpu, (label, m.get("cpu_ms") or 0), key=lambda x: x[1])
    lines += ["", f"Slowest page of the new schema at {n} crawls: {worst[1]:.0f} ms median wall "
              f"({worst[0]}); most of the server's CPU: {worst_cpu[1]:.0f} ms ({worst_cpu[0]}).", ""]

    def growth(entry, name):
        g = entry["gen"]
        second, last = g[1] if len(g) > 1 else g[0], g[-1]
        per_capture = [s["size"] / s["total_captures"] for s in g]
        return (f"| {name} | {g[0]['seconds']:.1f} | {second['seconds']:.1f} | {last['seconds']:.1f} | "
                f"{g[0]['size'] / 1e6:.0f} | {last['size'] / 1e6:.0f} | {last['total_captures']:,} | "
                f"{per_capture[1] if len(per_capture) > 1 else per_capture[0]:.0f} | {per_capture[-1]:.0f} |")

    def more(entry, name):
        m = entry.get("one_more") or {}
        c = m.get("cpu") or {}
        a, b = m.get("1") or [0], m.get(n) or [0]
        ca, cb = c.get("1") or [0], c.get(n) or [0]

        def ratio(x, y):
            return statistics.median(y) / statistics.median(x) if statistics.median(x) else 0

        return (f"| {name} | {statistics.median(ca):.1f} | {statistics.median(cb):.1f} | "
                f"{ratio(ca, cb):.2f} | "
                f"{statistics.median(a):.1f} | {statistics.median(b):.1f} | {ratio(a, b):.2f} | "
                f"{', '.join(f'{x:.1f}' for x in ca)} / {', '.join(f'{x:.1f}' for x in cb)} |")

    present = [(name, schemas[name]) for name in ("old", "new") if name in schemas]
    lines += [
        "One more weekly crawl written into a copy of the store after 1 and after the last crawl, "
        "alternately (median seconds; CPU is the writing process's own):",
        "",
        f"| schema | CPU after 1 | CPU after {n} | ratio | wall after 1 | wall after {n} | ratio | "
        f"each run's CPU (after 1 / after {n}) |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
        *[more(entry, name) for name, entry in present],
        "",
        "Writing a weekly crawl (the store's write functions, as ingest calls them; extraction, which",
        "does not depend on the store's size, left out) and the store's size, as the generator built it:",
        "",
        "| schema | crawl 1 s | crawl 2 s | last crawl s | MB after 1 | MB at the end | captures | "
        "bytes/capture after 2 | bytes/capture at the end |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        *[growth(entry, name) for name, entry in present],
        "",
        *[size_per_crawl(entry, name) for name, entry in present],
    ]
    return "\n".join(lines)


def size_per_crawl(entry: dict, name: str) -> str:
    """Bytes each weekly crawl after the first adds to the store, per capture it adds: flat when the
    store grows linearly with its captures."""
    g = entry["gen"]
    added = [(b["size"] - a["size"]) / b["captures"] for a, b in zip(g, g[1:], strict=False)]
    if not added:
        return ""
    return (f"Store size, {name} schema: each weekly crawl after the first adds {min(added):,.0f}-"
            f"{max(added):,.0f} bytes per capture (median {statistics.median(added):,.0f}; first half of "
            f"the crawls {statistics.median(added[: len(added) // 2] or added):,.0f}, second half "
            f"{statistics.median(added[len(added) // 2:]):,.0f}).\n")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--articles", type=int, default=10_000)
    p.add_argument("--crawls", type=int, default=52)
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--old-repeat", type=int, default=None,
                   help="Repeats on the old schema's store (default: --repeat; its pages take seconds).")
    p.add_argument("--more", type=int, default=3, help="Times one more crawl is written, at 1 and at N.")
    p.add_argument("--old-rev", default="38628bf", help="The commit whose schema is compared (default: "
                   "the last one of schema version 1).")
    p.add_argument("--new-rev", default=None, help="Measure this commit's code instead of the worktree's.")
    p.add_argument("--keep", type=Path, help="Build (or reuse) the stores in this folder.")
    p.add_argument("--timeout", type=float, default=7200, help="Seconds for building the stores.")
    p.add_argument("--out", type=Path, default=RESULTS)
    p.add_argument("--schemas", default="new,old", type=lambda v: [x for x in v.split(",") if x],
                   help="Which stores to time: new, old or both (default new,old; the old schema's "
                        "pages take seconds each).")
    p.add_argument("--copies", action="store_true",
                   help="Serve a copy of each kept store (migrated by deeply serve as it starts) "
                        "instead of the store itself.")
    args = p.parse_args(argv)
    if not set(args.schemas) <= {"new", "old"} or "new" not in args.schemas:
        p.error("--schemas takes new, or new,old")
    args.old_repeat = args.old_repeat or args.repeat
    result = run(args)
    result["command"] = "python -m bench.store_bench " + " ".join(argv if argv is not None else sys.argv[1:])
    RAW.parent.mkdir(parents=True, exist_ok=True)
    RAW.write_text(json.dumps(result, indent=1))
    text = render(result)
    args.out.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

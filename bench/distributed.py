"""``python -m bench.distributed``: the distributed crawl's scaling, and what Redis pays per URL.

    flock /tmp/bench.lock python -m bench.distributed [--corpus-dir /tmp/corpus] [--site syria]
        [--workers 1,2,4] [--servers nginx,http.server] [--keep DIR]

One site of the real copy (``--site``: syria, or a smaller sister such as malnutrition for a run of
minutes) is served on 127.0.0.1 by nginx (a config in the bench's temporary folder, not the system
service) and by ``python -m http.server``; on each, wget crawls it once (the reference), then 1, 2
and 4 `deeply crawl --redis` workers share one crawl of it through a fresh redis-server on a free
loopback port. Redis's own cost: commands and Redis CPU per URL (``INFO commandstats`` over the
crawl) and bytes per frontier entry and per filter entry (``INFO memory`` before and after pushing
requests such as the crawl queues). Writes bench/RESULTS-distributed.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from bench import crawl, measure, warcstats
from bench.servers import free_port, static_site

REPO = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "RESULTS-distributed.md"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
REDIS = shutil.which("redis-server") or "/usr/bin/redis-server"
DEEPLY = str(Path(sys.executable).parent / "deeply")
TIMEOUT = 3600.0
FRONTIER_SAMPLE = 20_000

NGINX_CONF = """worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  sendfile on;
  client_body_temp_path {tmp}/body; proxy_temp_path {tmp}/proxy; fastcgi_temp_path {tmp}/fastcgi;
  uwsgi_temp_path {tmp}/uwsgi; scgi_temp_path {tmp}/scgi;
  types {{ text/html html htm; text/css css; application/javascript js; image/png png;
          image/jpeg jpg jpeg; image/gif gif; image/svg+xml svg; font/woff woff; font/woff2 woff2;
          application/xml xml; application/rss+xml rss; application/json json; }}
  default_type application/octet-stream;
  server {{ listen 127.0.0.1:{port}; root {root}; }}
}}
"""


def _wait_port(port: int, proc: subprocess.Popen, seconds: float = 60) -> None:
    import socket

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args[0]} exited with {proc.returncode} before listening")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port} after {seconds:.0f} s")


@contextmanager
def nginx_site(root: Path, workdir: Path):
    tmp = workdir / "nginx"
    tmp.mkdir(parents=True, exist_ok=True)
    port = free_port()
    conf = tmp / "nginx.conf"
    conf.write_text(NGINX_CONF.format(tmp=tmp, port=port, root=root))
    proc = subprocess.Popen([NGINX, "-p", str(tmp), "-e", str(tmp / "error.log"), "-c", str(conf)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        _wait_port(port, proc)
        yield port, proc.pid
    finally:
        measure.stop_group(proc, signal.SIGQUIT)


@contextmanager
def redis_server(workdir: Path):
    import redis

    port = free_port()
    folder = workdir / f"redis-{port}"
    folder.mkdir(parents=True)
    proc = subprocess.Popen([REDIS, "--bind", "127.0.0.1", "--port", str(port), "--save", "",
                             "--appendonly", "no", "--dir", str(folder)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        _wait_port(port, proc)
        url = f"redis://127.0.0.1:{port}/0"
        yield url, redis.StrictRedis.from_url(url), proc.pid
    finally:
        measure.stop_group(proc)


def redis_version() -> str:
    out = subprocess.run([REDIS, "--version"], capture_output=True, text=True, timeout=10).stdout.split()
    return out[2].removeprefix("v=") if len(out) > 2 else "?"


def commands(client) -> int:
    """Commands Redis ran, those inside scripts included."""
    return sum(int(v["calls"]) for k, v in client.info("commandstats").items() if k.startswith("cmdstat_"))


def redis_cpu(client) -> float:
    """The redis-server process's CPU seconds (user + system: its network work included)."""
    cpu = client.info("cpu")
    return float(cpu["used_cpu_user"]) + float(cpu["used_cpu_sys"])


def load() -> str:
    return " / ".join(f"{n:.2f}" for n in os.getloadavg())


def workers_crawl(start: str, n: int, workdir: Path, helpers: list[int], log) -> dict:
    with redis_server(workdir) as (url, client, redis_pid):
        client.config_resetstat()
        cpu_before = redis_cpu(client)
        folders = [workdir / f"w{n}-{i}" for i in range(n)]
        script = " ".join(f"{DEEPLY} crawl {start} --redis {url} --warcs {f} --quiet > {f}.log 2>&1 &"
                          for f in folders) + " wait"
        m = measure.run(["sh", "-c", script], timeout=TIMEOUT, helpers=[*helpers, redis_pid], log=log)
        calls, cpu = commands(client), redis_cpu(client) - cpu_before
        peak = int(client.info("memory")["used_memory_peak"])
    files = [p for f in folders for p in warcstats.warc_files(f)]
    stats = warcstats.count(files)
    by_worker = [warcstats.count(warcstats.warc_files(f)).pages for f in folders]
    for f in folders:
        shutil.rmtree(f, ignore_errors=True)
    return {"workers": n, "seconds": m.wall, "cpu": m.cpu, "pages": stats.pages, "responses": stats.responses,
            "pps": stats.pages / m.wall if m.wall else 0.0, "by_worker": by_worker,
            "commands": calls, "redis_cpu": cpu, "peak_memory": peak, "other_load": m.other_load,
            "ok": m.ok}


def frontier_bytes(workdir: Path) -> dict:
    """Bytes Redis holds per queued request and per fingerprint, for requests like the crawl's."""
    import scrapy
    from scrapy_redis.dupefilter import RFPDupeFilter
    from scrapy_redis.queue import PriorityQueue

    from crawler.distributed import DistributedSpider

    spider = DistributedSpider(start_urls=["http://127.0.0.1:8000/syria/articles.html"], link_workers=0)
    with redis_server(workdir) as (_url, client, _pid):
        queue = PriorityQueue(client, spider, "bench:requests")
        df = RFPDupeFilter(client, "bench:dupefilter")
        before = int(client.info("memory")["used_memory"])
        for i in range(FRONTIER_SAMPLE):
            url = (f"http://127.0.0.1:8000/syria/articles/2016/0{1 + i % 9}/{10 + i % 18}/"
                   f"a-typical-article-title-{i}.html")
            queue.push(scrapy.Request(url, callback=spider.parse, errback=spider.failed,
                                      meta={"depth": 3}, priority=-3,
                                      headers={"Referer": "http://127.0.0.1:8000/syria/articles.html"}))
        mid = int(client.info("memory")["used_memory"])
        for i in range(FRONTIER_SAMPLE):
            df.request_seen(scrapy.Request(f"http://127.0.0.1:8000/syria/page-{i}.html"))
        after = int(client.info("memory")["used_memory"])
        usage = client.memory_usage("bench:requests") if hasattr(client, "memory_usage") else \
            int(client.execute_command("MEMORY", "USAGE", "bench:requests"))
    return {"queued": (mid - before) / FRONTIER_SAMPLE, "seen": (after - mid) / FRONTIER_SAMPLE,
            "memory_usage_queue": usage / FRONTIER_SAMPLE}


def render(rows: list[dict], frontier: dict, header: str) -> str:
    lines = [header, "",
             "| server | crawler | workers | pages | wall s | CPU s | pages/s | pages/CPU s "
             "| pages/s vs wget | pages by worker | Redis cmds/URL | Redis CPU ms/URL |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        urls = r.get("responses") or 0
        per_url = f"{r['commands'] / urls:.1f}" if r.get("commands") is not None and urls else "-"
        ms_url = f"{1000 * r['redis_cpu'] / urls:.3f}" if r.get("redis_cpu") is not None and urls else "-"
        per_cpu = f"{r['pages'] / r['cpu']:.1f}" if r.get("cpu") else "-"
        lines.append(f"| {r['server']} | {r['crawler']} | {r.get('workers', '-')} | {r['pages']} | "
                     f"{r['seconds']:.1f} | {r.get('cpu', 0):.1f} | {r['pps']:.1f} | {per_cpu} | "
                     f"{r.get('ratio', '-')} | {' / '.join(map(str, r.get('by_worker', []))) or '-'} | "
                     f"{per_url} | {ms_url} |")
    lines += ["", "Redis memory (redis-server's INFO memory, requests like the crawl's, "
              f"{FRONTIER_SAMPLE} of each):", "",
              f"- a queued request: {frontier['queued']:.0f} bytes "
              f"(MEMORY USAGE of the queue: {frontier['memory_usage_queue']:.0f} bytes an entry)",
              f"- a seen URL (filter fingerprint): {frontier['seen']:.0f} bytes",
              f"- so 1 GB holds about {2**30 / (frontier['queued'] + frontier['seen']):,.0f} queued URLs "
              f"(each also in the filter), or {2**30 / frontier['seen']:,.0f} seen ones", ""]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.distributed", description=__doc__.split("\n")[0])
    parser.add_argument("--corpus-dir", type=Path,
                        default=Path(os.environ.get("DEEPLY_CORPUS_DIR", "/tmp/corpus")),
                        help="The unpacked copy (its --site folder is crawled).")
    parser.add_argument("--site", default="syria", help="The site of the copy to crawl (its folder name).")
    parser.add_argument("--workers", default="1,2,4", help="Worker counts to run.")
    parser.add_argument("--servers", default="nginx,http.server",
                        help="Servers to run, of nginx,http.server.")
    parser.add_argument("--keep", type=Path, default=None, help="Keep the scratch folder here.")
    args = parser.parse_args(argv)
    if not (args.corpus_dir / args.site).is_dir():
        print(f"bench.distributed: no copy at {args.corpus_dir}/{args.site} (--corpus-dir, --site)",
              file=sys.stderr)
        return 2
    load_before = load()
    counts = [int(n) for n in args.workers.split(",")]
    workdir = Path(tempfile.mkdtemp(prefix="bench-distributed-", dir=args.keep))

    def log(text):
        print(text, file=sys.stderr, flush=True)

    rows = []
    try:
        for server in args.servers.split(","):
            ctx = nginx_site(args.corpus_dir, workdir) if server == "nginx" else \
                static_site(args.corpus_dir, workdir)
            with ctx as (port, pid):
                start = f"http://127.0.0.1:{port}/{args.site}/articles.html"
                # wget keeps out of the sister sites (their requisites) as it does in bench.crawl.
                others = ",".join(d for d in crawl.SISTER_SITES.split(",") if d != f"/{args.site}")
                w = crawl.wget_crawl(start, workdir / f"wget-{server}", timeout=TIMEOUT, helpers=[pid],
                                     log=log, exclude=others or None)
                wget_pps = w.pages_per_second
                rows.append({"server": server, "crawler": "wget", "pages": w.warcs.pages,
                             "seconds": w.seconds, "cpu": w.measured.cpu, "pps": wget_pps,
                             "other_load": w.measured.other_load})
                log(f"  {server}, wget: {w.warcs.pages} pages, {wget_pps:.1f} pages/s")
                shutil.rmtree(workdir / f"wget-{server}", ignore_errors=True)
                for n in counts:
                    r = workers_crawl(start, n, workdir, [pid], log)
                    r.update(server=server, crawler="deeply --redis",
                             ratio=f"{r['pps'] / wget_pps:.2f}" if wget_pps else "-")
                    rows.append(r)
                    log(f"  {server}, {n} worker(s): {r['pages']} pages, {r['pps']:.1f} pages/s, "
                        f"{r['cpu']:.1f} CPU s, by worker {r['by_worker']}, {r['commands']} Redis commands, "
                        f"{r['redis_cpu']:.3f} Redis CPU s")
        frontier = frontier_bytes(workdir)
    finally:
        if args.keep is None:
            shutil.rmtree(workdir, ignore_errors=True)
    cores = len(os.sched_getaffinity(0))
    command = "flock /tmp/bench.lock .venv/bin/python -m bench.distributed " + " ".join(argv or sys.argv[1:])
    header = (f"# Distributed crawl (scrapy-redis)\n\n`{command.strip()}`\n\n"
              f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {cores} cores shared with other work (load average "
              f"{load_before} before, {load()} after, from `uptime`; the machine's other load, in CPUs, was "
              f"{max(r.get('other_load', 0) for r in rows):.1f} at most during a crawl), Redis "
              f"{redis_version()}, {crawl.wget_version()}. The real copy's {args.site} site from "
              f"/{args.site}/articles.html; every worker on this machine, each a `deeply crawl --redis` "
              "process with its own WARC folder. Pages: distinct URLs with a 200 HTML response in the "
              "WARCs; URLs: all responses (pages, requisites, robots.txt). CPU: user + system seconds of "
              "the crawlers (Redis and the server not counted).")
    text = render(rows, frontier, header)
    RESULTS.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

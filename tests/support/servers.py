"""Real servers on the loopback for the tests: throwaway http.server sites, `deeply serve`,
`deeply replay` and pywb as processes, and the free ports they listen on."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from tests.support.processes import DEEPLY, ROOT, VENV_BIN, stop


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


def fetch(url: str, timeout: float = 20) -> tuple[int, dict, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


@contextmanager
def serving(handler):
    """Serve with `handler` (an http.server handler class) on 127.0.0.1, a free port; yields the base
    URL and always shuts down."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@contextmanager
def http_site(files: dict[str, tuple[str, bytes]]):
    """Serve `files` (path -> (content type, body)) on 127.0.0.1 (free port); yields the base URL and
    always shuts down. `files` is read on each request, so a caller may change it between crawls."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server API)
            entry = files.get(self.path.split("?", 1)[0])
            if entry is None:
                self.send_error(404)
                return
            ctype, body = entry
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    with serving(Handler) as base:
        yield base


def routed_server(handler_for):
    """A server answering each GET with `handler_for(path)` -> (status, headers, body), counting the
    hits per path; returns (server, hits). The caller shuts it down."""
    hits: Counter = Counter()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            hits[self.path] += 1
            status, headers, body = handler_for(self.path)
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *a):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, hits


@contextmanager
def deeply_serve(db: Path, log: Path, *extra):
    """`deeply serve` as a real process on a free loopback port; yields (base URL, process, port)."""
    port = free_port()
    with open(log, "wb") as fh:  # a file, not a pipe: a chatty server must never block on its log
        proc = subprocess.Popen([str(DEEPLY), "serve", "--db", str(db), "--port", str(port), *extra],
                                stdout=fh, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/-/databases.json", timeout=2) as r:
                    r.read()
                break
            except OSError:
                assert proc.poll() is None, log.read_text()
                assert time.monotonic() < deadline, "deeply serve did not come up:\n" + log.read_text()
                time.sleep(0.1)
        yield base, proc, port
    finally:
        stop(proc, grace=15)


@contextmanager
def deeply_replay(warc_dir: Path, port: int, log: Path, timeout: float = 60):
    """`deeply replay` as a user runs it; yields (process, {label: url}) from what it printed."""
    code = "from deeply.cmd_replay import replay_command; replay_command()"
    with open(log, "wb") as fh:
        proc = subprocess.Popen(
            [sys.executable, "-c", code, "--warcs", str(warc_dir), "--port", str(port)],
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=fh,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + timeout
        urls: dict[str, str] = {}
        while "an article" not in urls:
            text = log.read_text(errors="replace")
            urls = dict(re.findall(r"^\s+(collection|an article): (\S+)$", text, re.M))
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"deeply replay did not come up (rc={proc.poll()}):\n{text[-3000:]}")
            time.sleep(0.2)
        yield proc, urls
    finally:
        if proc.poll() is None:
            stop(proc, grace=20)


@contextmanager
def pywb_collection(root: Path, warcs, coll: str = "test"):
    """`wb-manager init` + `add`, then `wayback` on a free loopback port; yields its base URL."""
    root.mkdir(parents=True, exist_ok=True)
    run = dict(cwd=root, capture_output=True, text=True, timeout=120)
    out = subprocess.run([str(VENV_BIN / "wb-manager"), "init", coll], **run)
    assert out.returncode == 0, out.stderr
    out = subprocess.run([str(VENV_BIN / "wb-manager"), "add", coll, *map(str, warcs)], **run)
    assert out.returncode == 0, out.stderr
    port = free_port()
    proc = subprocess.Popen([str(VENV_BIN / "wayback"), "-p", str(port), "-b", "127.0.0.1"], cwd=root,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/{coll}/cdx?url=x", timeout=2).read()
                break
            except urllib.error.HTTPError:
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("pywb did not start: " + proc.stderr.read().decode()[-2000:]) from None
                time.sleep(0.2)
        yield base
    finally:
        stop(proc, grace=10)

"""A pywb collection over the WARC directory, and a pywb server to replay it.

The collection is a pywb ``config.yaml`` whose collection points ``archive_paths`` at the WARC
directory and ``index_paths`` at its ``indexes/index.cdxj``: pywb 2.10 supports both per
collection, so closed WARCs are read in place (never copied or linked) and a WARC indexed
while pywb runs is replayable at once (pywb reopens the index file on every lookup). Revisit
records resolve because their originals are in the same index.

pywb runs in its own process: it monkey-patches the interpreter with gevent on import, which
must not happen to the caller (Scrapy's Twisted, pytest).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from replay.index import IndexResult, index_path, update_index
from storage.replay_links import DEFAULT_COLLECTION, DEFAULT_HOST, DEFAULT_PORT, replay_url

ROOT_DIRNAME = "pywb"  # default collection root, inside the (git-ignored) WARC directory
CONFIG_NAME = "config.yaml"
START_TIMEOUT = 60.0

_WAYBACK = "from pywb.apps.cli import wayback; wayback()"


@dataclass
class Collection:
    root: Path  # pywb's working directory, holding config.yaml
    name: str
    warc_dir: Path
    index: Path
    indexing: IndexResult | None = None

    @property
    def config(self) -> Path:
        return self.root / CONFIG_NAME


def default_root(warc_dir: Path) -> Path:
    return Path(warc_dir) / ROOT_DIRNAME


def collection_config(warc_dir: Path, coll: str, framed: bool = True) -> dict:
    warc_dir = Path(warc_dir).resolve()
    return {
        "collections": {
            coll: {
                "index_paths": str(index_path(warc_dir)),
                # Trailing slash: pywb joins it with the CDXJ `filename` field.
                "archive_paths": str(warc_dir) + os.sep,
            }
        },
        # No auto-collections under ./collections: this root serves exactly one collection.
        "enable_auto_colls": False,
        # Framed replay (pywb's default) keeps the capture-date banner out of the page's DOM.
        "framed_replay": framed,
        "enable_memento": True,
    }


def build_collection(
    warc_dir: Path,
    root: Path | None = None,
    coll: str = DEFAULT_COLLECTION,
    *,
    framed: bool = True,
    index: bool = True,
) -> Collection:
    """Create or refresh the collection ``coll`` under ``root`` (updating the index first)."""
    warc_dir = Path(warc_dir).resolve()
    if not warc_dir.is_dir():
        raise FileNotFoundError(f"WARC directory not found: {warc_dir}")
    if not coll or not coll.replace("-", "").replace("_", "").isalnum():
        raise ValueError(f"collection name must be letters, digits, '-' or '_': {coll!r}")
    root = Path(root).resolve() if root else default_root(warc_dir)
    indexing = update_index(warc_dir) if index else None
    root.mkdir(parents=True, exist_ok=True)
    text = "# Written by `deeply replay`; rewritten on every run, edit the code instead.\n" + yaml.safe_dump(
        collection_config(warc_dir, coll, framed), sort_keys=False
    )
    config = root / CONFIG_NAME
    if not config.exists() or config.read_text() != text:
        tmp = config.with_name(config.name + ".tmp")
        tmp.write_text(text)
        os.replace(tmp, config)
    return Collection(root=root, name=coll, warc_dir=warc_dir, index=index_path(warc_dir), indexing=indexing)


@dataclass
class ReplayServer:
    """A running pywb; ``stop()`` (or the context manager) ends it and its process group."""

    process: subprocess.Popen
    host: str
    port: int
    collection: Collection
    log_path: Path | None = None
    _log_fh: object = field(default=None, repr=False)

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def coll_url(self) -> str:
        return f"{self.base_url}/{self.collection.name}/"

    def replay_url(self, timestamp: str, url: str, modifier: str = "") -> str:
        return replay_url(self.coll_url, timestamp, url, modifier)

    def log_text(self) -> str:
        if self._log_fh:
            self._log_fh.flush()
        return self.log_path.read_text(errors="replace") if self.log_path else ""

    def wait_ready(self, timeout: float = START_TIMEOUT) -> None:
        """Poll the collection page until pywb answers; fail early if pywb exits."""
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"pywb exited with {self.process.returncode}:\n{self.log_text()[-3000:]}")
            try:
                with urllib.request.urlopen(self.coll_url, timeout=5) as resp:
                    if resp.status == 200:
                        return
            except (urllib.error.URLError, OSError) as exc:
                last = exc
            time.sleep(0.2)
        self.stop()
        raise TimeoutError(f"pywb not ready on {self.coll_url} after {timeout}s ({last})")

    def stop(self, timeout: float = 10.0) -> None:
        if self.process.poll() is None:
            _signal_group(self.process, signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                _signal_group(self.process, signal.SIGKILL)
                self.process.wait(timeout=timeout)
        if self._log_fh:
            self._log_fh.close()
            self._log_fh = None

    def __enter__(self) -> ReplayServer:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


class PortInUse(RuntimeError):
    pass


def port_free(host: str, port: int) -> bool:
    """Whether pywb could bind there; checked first, as pywb's own failure is a bare traceback."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def _signal_group(process: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        pass


def start(
    collection: Collection,
    port: int = DEFAULT_PORT,
    host: str = DEFAULT_HOST,
    *,
    log_path: Path | None = None,
    wait: bool = True,
    timeout: float = START_TIMEOUT,
) -> ReplayServer:
    """Start pywb on ``host:port`` for ``collection``; returns once it answers (``wait``).

    pywb's output goes to ``log_path`` (the access log shows which archived URLs a browser
    loaded); with no path it is inherited, as suits a foreground ``deeply replay``.
    """
    if not port_free(host, port):
        raise PortInUse(f"{host}:{port} is already in use (choose another port)")
    log_fh = open(log_path, "ab") if log_path else None
    cmd = [sys.executable, "-c", _WAYBACK, "--port", str(port), "--bind", host, "--threads", "4"]
    process = subprocess.Popen(
        cmd,
        cwd=collection.root,
        stdin=subprocess.DEVNULL,
        stdout=log_fh,
        stderr=subprocess.STDOUT if log_fh else None,
        start_new_session=True,  # its own process group, so stop() reaches any children
        env={**os.environ, "PYWB_CONFIG_FILE": str(collection.config)},
    )
    server = ReplayServer(process, host, port, collection, log_path=log_path, _log_fh=log_fh)
    if wait:
        try:
            server.wait_ready(timeout)
        except BaseException:
            server.stop()
            raise
    return server


def serve(
    warc_dir: Path,
    root: Path | None = None,
    coll: str = DEFAULT_COLLECTION,
    port: int = DEFAULT_PORT,
    host: str = DEFAULT_HOST,
    *,
    framed: bool = True,
    on_ready=None,
) -> int:
    """Build the collection and run pywb in the foreground until it exits or we are stopped.

    pywb runs in its own process group (so a terminal's Ctrl-C reaches only us, and we stop
    it cleanly); SIGTERM and SIGHUP are turned into the same clean stop, or pywb would be
    left running without its parent.
    """
    collection = build_collection(warc_dir, root, coll, framed=framed)
    server = start(collection, port, host)
    previous = {}

    def stop_on(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")

    try:
        for sig in (signal.SIGTERM, signal.SIGHUP):
            previous[sig] = signal.signal(sig, stop_on)
        if on_ready:
            on_ready(server)
        return server.process.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        server.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)

"""The sites the bench crawls, each served from its own process so that the server's work does not
compete with the GIL of the bench or of the crawler being measured."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from bench.measure import stop_group

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO.parent / "shared" / "newsdeeply" / "syria-mirror.tar.xz"
START_TIMEOUT = 60.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_listening(port: int, proc: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} before listening on port {port}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"server did not listen on port {port} within {timeout:.0f} s")


@contextmanager
def _server(cmd: list[str], port: int, log_path: Path):
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True, cwd=REPO)
        try:
            _wait_listening(port, proc, START_TIMEOUT)
            yield proc
        finally:
            stop_group(proc, signal.SIGINT)  # both servers stop cleanly on Ctrl-C


@contextmanager
def sample_site(articles: int, workdir: Path):
    """The sample site with ``articles`` articles: yields (start URL, server pid)."""
    port = free_port()
    cmd = [sys.executable, "-m", "sample_site", "--port", str(port), "--articles", str(articles), "--quiet"]
    with _server(cmd, port, workdir / f"site-{articles}.log") as proc:
        yield f"http://127.0.0.1:{port}/syria", proc.pid


@contextmanager
def static_site(root: Path, workdir: Path):
    """A folder served by Python's own static server, as the corpus README does: yields (port, pid)."""
    port = free_port()
    cmd = [sys.executable, "-m", "http.server", "-b", "127.0.0.1", "-d", str(root), str(port)]
    with _server(cmd, port, workdir / "corpus-server.log") as proc:
        yield port, proc.pid


def corpus_archive(option: str | None) -> Path | None:
    """The tarball of the real copy: --corpus, else $DEEPLY_CORPUS, else the shared default."""
    value = option or os.environ.get("DEEPLY_CORPUS") or str(DEFAULT_CORPUS)
    path = Path(value)
    if not path.is_absolute():
        path = (REPO / path).resolve()
    return path if path.is_file() else None


@contextmanager
def unpacked(archive: Path, workdir: Path):
    """The archive unpacked into a temporary folder under ``workdir``, removed afterwards."""
    root = Path(tempfile.mkdtemp(prefix="corpus-", dir=workdir))
    try:
        with tarfile.open(archive) as tar:
            tar.extractall(root, filter="data")
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)

"""`deeply serve` as a real process on a free loopback port, for the tests that need one."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from conftest import free_port
from warc_checks import VENV_BIN

DEEPLY = VENV_BIN / "deeply"


@contextmanager
def serving(db: Path, log: Path, *extra):
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
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)

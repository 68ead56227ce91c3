"""Start a real pywb over WARC files, for tests that check replay."""

from __future__ import annotations

import subprocess
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from conftest import free_port
from warc_checks import VENV_BIN


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
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
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
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()

"""Commands of the virtualenv run as real subprocesses, always with a bound on how long they may take."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
DEEPLY = VENV_BIN / "deeply"


def run_deeply(*args, timeout: float = 600, check: bool = False, **kwargs) -> subprocess.CompletedProcess:
    """The installed `deeply` as a user runs it; with `check`, a failure shows its whole output."""
    proc = subprocess.run([str(DEEPLY), *map(str, args)], capture_output=True, text=True, timeout=timeout,
                          **kwargs)
    if check:
        assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


def stop(proc: subprocess.Popen, grace: float = 15) -> None:
    """SIGTERM, then, past `grace`, SIGKILL to the whole session (the process must have been started
    with start_new_session=True so that its children go too)."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)

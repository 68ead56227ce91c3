"""One run at a time on a WARC folder."""

from __future__ import annotations

import fcntl
import os
from datetime import UTC, datetime
from pathlib import Path

LOCK_NAME = ".deeply.lock"


class Locked(RuntimeError):
    """Another run holds the WARC folder."""


class FolderLock:
    """An exclusive, non-blocking flock on the WARC folder; the kernel drops it if the process dies."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.fh = None

    def __enter__(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.fh = open(self.path, "a+")  # noqa: SIM115
        try:
            fcntl.flock(self.fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.fh.seek(0)
            holder = self.fh.read().strip() or "another process"
            self.fh.close()
            raise Locked(f"{self.path.parent} is in use by {holder}; not starting a second run") from None
        self.fh.seek(0)
        self.fh.truncate()
        self.fh.write(f"pid {os.getpid()} since {datetime.now(UTC):%Y-%m-%dT%H:%M:%SZ}\n")
        self.fh.flush()
        return self

    def __exit__(self, *exc):
        fcntl.flock(self.fh, fcntl.LOCK_UN)
        self.fh.close()


def lock(folder: Path) -> FolderLock:
    return FolderLock(Path(folder) / LOCK_NAME)

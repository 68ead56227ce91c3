"""One writer at a time: an flock on a lock file beside what it guards, which the kernel drops when
the holding process dies, however it dies (no stale lock to clean up after a kill or a power cut).

The WARC folder (a crawl), the store (an ingest, a `deeply run`, an immutable `deeply serve`) and
the replay index each have one; they all go through here. The lock is on a file of its own, never
on the guarded file: SQLite holds POSIX locks on the database, and closing any other descriptor of
that file in this process would silently drop them.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path


def _open(path: Path) -> int:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return os.open(path, os.O_RDWR | os.O_CREAT, 0o644)


def try_lock(path: Path, *, shared: bool = False) -> int | None:
    """The descriptor of `path` holding its flock (shared or exclusive), or None while another
    process holds it the other way. The lock lasts until the descriptor is closed."""
    fd = _open(path)
    try:
        fcntl.flock(fd, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


def release(fd: int) -> None:
    """Unlock before closing: a child forked while the lock was held shares it until it exits."""
    try:
        fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


@contextmanager
def exclusive(path: Path, busy: Callable[[str], Exception] | None = None, *,
              note_holder: bool = False) -> Iterator[None]:
    """Hold `path` exclusively for the with-block.

    With `busy`, a lock already held raises `busy(holder)` at once, where holder is what the
    holding process wrote into the file ("" when it wrote nothing); without it, wait for the lock.
    `note_holder` writes this process's id and start time into the file, for that message.
    """
    if busy is None:
        fd = _open(path)
        fcntl.flock(fd, fcntl.LOCK_EX)
    else:
        fd = try_lock(path)
        if fd is None:
            raise busy(Path(path).read_text(errors="replace").strip()) from None
    try:
        if note_holder:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"pid {os.getpid()} since {datetime.now(UTC):%Y-%m-%dT%H:%M:%SZ}\n".encode(), 0)
        yield
    finally:
        release(fd)

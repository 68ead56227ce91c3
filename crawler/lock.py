"""One run at a time on a WARC folder."""

from __future__ import annotations

from contextlib import AbstractContextManager
from pathlib import Path

from archive.files import LOCK_NAME
from archive.lock import exclusive


class Locked(RuntimeError):
    """Another run holds the WARC folder."""


def lock(folder: Path) -> AbstractContextManager[None]:
    """The folder's lock, held for a whole crawl (and its ingest, under `deeply run`)."""
    folder = Path(folder)

    def busy(holder: str) -> Locked:
        return Locked(f"{folder} is in use by {holder or 'another process'}; not starting a second run")

    return exclusive(folder / LOCK_NAME, busy, note_holder=True)

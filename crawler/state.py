"""The crawl's state file in the WARC folder: which crawl is running, so a killed one resumes."""

from __future__ import annotations

import json
import os
from pathlib import Path

from archive.files import STATE_NAME


def read_state(folder: Path) -> dict | None:
    path = Path(folder) / STATE_NAME
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def write_state(folder: Path, state: dict) -> None:
    path = Path(folder) / STATE_NAME
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, indent=1))
    os.replace(tmp, path)

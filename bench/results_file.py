"""bench/RESULTS.md: the last run's tables, spliced between two markers of a hand-written page.

The page around the markers (how to run the bench, what it measures, dated findings) is prose that
people edit; only the section between the markers belongs to the bench. It is replaced in one rename
so that a run killed while writing leaves the previous results whole.
"""

from __future__ import annotations

import os
from pathlib import Path

BEGIN = "<!-- bench:results:begin (written by python -m bench; edits here are replaced) -->"
END = "<!-- bench:results:end -->"
DEFAULT = Path(__file__).resolve().parent / "RESULTS.md"


def splice(document: str, results: str) -> str:
    """The document with the text between its markers replaced by ``results``; a document without
    both markers (a new file, or one whose markers were edited away) gets them at its end, so that
    nothing written by hand is lost."""
    block = f"{BEGIN}\n{results.rstrip()}\n{END}"
    start, end = document.find(BEGIN), document.find(END)
    if start != -1 and end > start:
        return document[:start] + block + document[end + len(END):]
    head = document.rstrip() + "\n\n" if document.strip() else "# Benchmark results\n\n"
    return head + block + "\n"


def write(path: Path, results: str) -> Path:
    path = Path(path)
    old = path.read_text() if path.exists() else ""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(splice(old, results))
    os.replace(tmp, path)
    return path

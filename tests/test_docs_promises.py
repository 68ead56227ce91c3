"""Every promise the docs make ("never", "always", "guaranteed") names the test that checks it.

The table is docs/testing-promises.md; the docs are whatever README.md and docs/*.md hold now.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TABLE = ROOT / "docs" / "testing-promises.md"
WORDS = re.compile(r"\b(?:guarantee[sd]?|never|always)\b", re.IGNORECASE)


def docs() -> list[Path]:
    return [p for p in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))] if p != TABLE]


def sentences(text: str) -> list[str]:
    """Sentences of a markdown file, each on one line: paragraphs, list items and table cells apart;
    code blocks left out (a command's output promises nothing)."""
    text = re.sub(r"```.*?```", "", text, flags=re.DOTALL)
    out = []
    for block in re.split(r"\n\s*\n|\n(?=\s*(?:[-*|#]|\d+\.)\s)", text):
        block = " ".join(block.split())
        out += [s for s in re.split(r"(?<=[.!?:])\s+(?=[A-Z`*(\"])|\s\|\s", block) if s]
    return out


def promises() -> list[tuple[str, str]]:
    return [(p.relative_to(ROOT).as_posix(), s) for p in docs() for s in sentences(p.read_text("utf-8"))
            if WORDS.search(s)]


def table() -> list[tuple[str, str]]:
    """(quote, test node id) per row of the table."""
    rows = re.findall(r"^\| (.+?) \| `(tests/[^`]+)` \|", TABLE.read_text("utf-8"), re.MULTILINE)
    assert rows, f"no rows in {TABLE}"
    return rows


def test_the_sentence_finder_finds_promises():
    text = "One line. It never breaks.\n\n- always here\n\n```\nnever in code\n```\n| a | never b |"
    found = sentences(text)
    assert [s for s in found if WORDS.search(s)] == ["It never breaks.", "- always here", "never b |"]


def test_every_promise_in_the_docs_has_a_row():
    quotes = [q for q, _ in table()]
    missing = [f"{name}: {s[:160]}" for name, s in promises() if not any(q in s for q in quotes)]
    assert not missing, "promises without a test in docs/testing-promises.md:\n" + "\n".join(missing)


def test_every_row_quotes_a_sentence_the_docs_still_hold():
    held = [s for _, s in promises()]
    stale = [q for q, _ in table() if not any(q in s for s in held)]
    assert not stale, f"rows whose promise is no longer in the docs (refresh the table): {stale}"


def test_every_named_test_is_collected():
    ids = sorted({node for _, node in table()})
    proc = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
                           "-m", "", *ids], cwd=ROOT, capture_output=True, text=True, timeout=300)
    collected = proc.stdout
    absent = [node for node in ids if not re.search(rf"^{re.escape(node)}(?:\[.*\])?$", collected, re.M)]
    assert not absent, f"named in the table, not collected by pytest: {absent}\n{proc.stderr[-2000:]}"

"""What changed between two versions of an article, field by field, for a person to read.

The store keeps every version whole; this compares two of them. Metadata fields are compared as
values (a list of authors as a list), the text paragraph by paragraph and the Q&A turn by turn,
so that the page shows the sentence that was added rather than two walls of text.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass

# The metadata of a version, in the order a person reads them; text and Q&A are compared apart.
META_FIELDS = ("title", "summary", "authors", "published", "read_time_minutes", "kind", "topics", "images")
LIST_FIELDS = {"authors", "topics", "images"}


@dataclass
class FieldChange:
    field: str
    old: str
    new: str


@dataclass
class VersionDiff:
    old_version: int
    new_version: int
    meta: list[FieldChange]
    text: list[tuple[str, str]] | None  # (old paragraphs, new paragraphs) as lines, when they differ
    qa: list[tuple[str, str]] | None

    @property
    def changed_fields(self) -> list[str]:
        out = [c.field for c in self.meta]
        if self.text is not None:
            out.append("text")
        if self.qa is not None:
            out.append("qa")
        return out


def _value(name: str, raw) -> str:
    if name in LIST_FIELDS:
        try:
            items = json.loads(raw or "[]")
        except ValueError:
            return str(raw)
        return "; ".join(i if isinstance(i, str) else json.dumps(i, sort_keys=True) for i in items)
    return "" if raw is None else str(raw)


def paragraphs(text: str | None) -> list[str]:
    return [p.strip() for p in (text or "").split("\n\n") if p.strip()]


def turn_lines(turns: list[dict]) -> list[str]:
    return [f"{t.get('speaker') or '?'} ({t.get('role') or '?'}): {t.get('text') or ''}" for t in turns]


def diff_versions(old: dict, new: dict, old_turns: list[dict], new_turns: list[dict]) -> VersionDiff:
    """`old` and `new` are rows of versions; the turns are their rows of qa_turns, in order."""
    meta = []
    for name in META_FIELDS:
        a, b = _value(name, old.get(name)), _value(name, new.get(name))
        if a != b:
            meta.append(FieldChange(name, a, b))
    old_p, new_p = paragraphs(old.get("text")), paragraphs(new.get("text"))
    old_q, new_q = turn_lines(old_turns), turn_lines(new_turns)
    return VersionDiff(
        old_version=old["version"],
        new_version=new["version"],
        meta=meta,
        text=(old_p, new_p) if old_p != new_p else None,
        qa=(old_q, new_q) if old_q != new_q else None,
    )


def side_by_side_html(old_lines: list[str], new_lines: list[str], old_label: str, new_label: str) -> str:
    """difflib's side-by-side table (it escapes the text), wrapped at a readable width and showing
    only the paragraphs around a change."""
    table = difflib.HtmlDiff(tabsize=4, wrapcolumn=70).make_table(
        old_lines, new_lines, fromdesc=old_label, todesc=new_label, context=True, numlines=1
    )
    return table

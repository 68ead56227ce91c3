"""The one damage model: where a file stops being readable, and the plain reason why."""

from __future__ import annotations


class ArchiveDamage(Exception):
    """The archive stops being readable at `offset` (the records before it are whole and were yielded).

    `member` names the WARC inside a WACZ package the offset counts in; the reason is one line for a
    person, never a Python exception's text.
    """

    def __init__(self, offset: int, reason: str, member: str | None = None):
        self.offset = offset
        self.reason = reason
        self.member = member
        self.path: str | None = None  # set by a reader of many files
        where = f"{member} at offset {offset}" if member else f"offset {offset}"
        super().__init__(f"at {where}: {reason}")

    def __str__(self) -> str:
        return self.line() if self.path else super().__str__()

    def line(self, name: str | None = None) -> str:
        """The one line for a person: the file, and the true cause."""
        from pathlib import Path

        name = name or (Path(self.path).name if self.path else "")
        inside = f"in {self.member}: " if self.member else ""
        return f"{name}: {inside}{self.reason}" if name else f"{inside}{self.reason}"

    @property
    def where(self) -> str:
        return f"{self.member} at offset {self.offset}" if self.member else f"offset {self.offset}"

"""Fixity: recompute each ingested WARC's SHA-256 and compare it with the one recorded at ingest.

Captures point into WARC files by offset, so a file that changed or went missing breaks every
replay and read-back into it; this is how that is found before someone needs the bytes. A file
whose records failed their own block or payload digests at ingest came in damaged: its SHA-256
baseline is of damaged bytes, so it is reported as such every time, never silently trusted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from archive import is_archive_name
from storage.util import file_sha256


@dataclass
class FixityResult:
    name: str
    path: str
    status: str  # ok | mismatch | missing | damaged (records fail their own digests) | unrecorded
    expected: str | None = None
    actual: str | None = None
    note: str = ""
    detail: str = ""

    def line(self) -> str:
        text = f"{self.status.upper():10} {self.name}"
        if self.status == "mismatch":
            text += f" (recorded {self.expected[:16]}…, now {self.actual[:16]}…)"
        elif self.status == "missing":
            text += f" (looked at {self.path})"
        elif self.status == "damaged":
            text += f" ({self.detail})"
        if self.note:
            text += f" [{self.note}]"
        return text


@dataclass
class FixityReport:
    results: list[FixityResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(r.status in ("ok", "unrecorded") for r in self.results)

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    def summary(self) -> str:
        return (
            f"{self.count('ok')} ok, {self.count('mismatch')} changed, {self.count('missing')} missing"
            + (f", {self.count('damaged')} with records that fail their digests"
               if self.count("damaged") else "")
            + (f", {self.count('unrecorded')} not ingested" if self.count("unrecorded") else "")
        )


def verify(db_path, warc_dir=None) -> FixityReport:
    """Check every file in warc_files; with `warc_dir`, look for them there and list strays.

    Opens the store read-only, so it can run next to `deeply serve`.
    """
    import sqlite3
    from urllib.parse import quote

    from storage.schema import check_store

    # A damaged store cannot vouch for anything; say so rather than check against what it lists.
    check_store(db_path)
    conn = sqlite3.connect(f"file:{quote(str(Path(db_path).resolve()))}?mode=ro", uri=True)
    try:
        conn.row_factory = sqlite3.Row
        rows = [dict(r) for r in conn.execute("SELECT * FROM warc_files ORDER BY name")]
    finally:
        conn.close()
    report = FixityReport()
    known = set()
    for row in rows:
        name, expected = row["name"], row["sha256"]
        file_name = row.get("file_name") or name
        known.add(file_name)
        path = Path(warc_dir) / file_name if warc_dir is not None else Path(row["path"] or file_name)
        note = "partially ingested" if row["status"] == "partial" else ""
        if not path.is_file():
            report.results.append(FixityResult(name, str(path), "missing", expected, None, note))
            continue
        actual, _ = file_sha256(path)
        state = "ok" if actual == expected else "mismatch"
        detail = ""
        if state == "ok" and row.get("digest_faults"):
            state, detail = "damaged", _faults(row)
        report.results.append(FixityResult(name, str(path), state, expected, actual, note, detail))
    if warc_dir is not None:
        for path in sorted(Path(warc_dir).iterdir()):
            if path.is_file() and is_archive_name(path.name) and path.name not in known:
                report.results.append(FixityResult(path.name, str(path), "unrecorded"))
    return report


def _faults(row: dict) -> str:
    import json

    faults = json.loads(row.get("digest_fault_list") or "[]")
    shown = ", ".join(f"{f['fault']} at {(f['member'] + ' ') if f.get('member') else ''}offset {f['offset']}"
                      for f in faults[:3])
    more = f" and {row['digest_faults'] - 3} more" if row["digest_faults"] > 3 else ""
    return f"{row['digest_faults']} records failed their digests at ingest: {shown}{more}"

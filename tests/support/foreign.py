"""The interop corpus under tests/data/foreign/: other tools' own public test files, and warcio read
plainly (no help from the project's reader) as the independent count of what is in each.

Run as a script to rewrite MANIFEST.tsv from `_origins.json` (written when the files were copied
out of their repositories) and warcio's reading of each file:

    .venv/bin/python -m tests.support.foreign
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

FOREIGN = Path(__file__).resolve().parents[1] / "data" / "foreign"
MANIFEST = FOREIGN / "MANIFEST.tsv"
COLUMNS = ["file", "repo", "path", "commit", "license", "tool", "producer", "sha256", "size",
           "warcio_records", "warcio_captures", "warcio_error"]


@dataclass
class Independent:
    """What plain warcio finds: every record as (member, offset) -> fields, until it gives up."""

    records: dict = field(default_factory=dict)
    count: int = 0
    captures: int = 0
    error: str = ""
    software: str = ""


def corpus_files() -> list[Path]:
    return sorted(p for p in FOREIGN.rglob("*") if p.is_file() and not p.name.startswith(("_", "MANIFEST")))


def _read(stream, member, out: Independent) -> None:
    it = ArchiveIterator(stream, arc2warc=True)
    for rec in it:
        rtype = (rec.rec_type or "").lower()
        url = rec.rec_headers.get_header("WARC-Target-URI")
        http = rec.http_headers
        payload = rec.raw_stream.read()
        it.read_to_end()
        out.records[(member, it.get_record_offset())] = {
            "type": rtype,
            "id": rec.rec_headers.get_header("WARC-Record-ID"),
            "url": url,
            "date": rec.rec_headers.get_header("WARC-Date"),
            "status": http.get_statuscode() if http is not None and http.statusline else None,
            "payload": payload,
            "http_parsed": http is not None,
            "arc": rec.rec_headers.get_header("WARC-Filename") is not None and rtype == "warcinfo",
        }
        out.count += 1
        out.captures += rtype in ("response", "revisit")
        if rtype == "warcinfo" and not out.software:
            m = re.search(rb"(?im)^software:\s*(.+?)\s*$", payload)
            out.software = m.group(1).decode("utf-8", "replace") if m else ""
            if not out.software and b"<arcmetadata" in payload:
                m = re.search(rb"<dc:creator>([^<]+)</|<dcterms:creator>([^<]+)<|Heritrix[^<\s]*", payload)
                out.software = (m.group(0) if m else b"").decode("utf-8", "replace")


def independent(path: Path) -> Independent:
    """warcio on the file as it is (a whole-file gzip as warcio's docs say: through gzip first; the
    WARCs of a WACZ one by one), counting the response and revisit records of any type case."""
    out = Independent()
    path = Path(path)
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as zf:
                for info in zf.infolist():
                    if re.match(r"^archive/[^/]+\.warc(\.gz)?$", info.filename, re.I):
                        _read(io.BytesIO(zf.read(info)), info.filename, out)
                try:
                    out.software = out.software or json.loads(zf.read("datapackage.json")).get("software", "")
                except (KeyError, ValueError):
                    pass
            return out
        with open(path, "rb") as fh:
            try:
                _read(fh, None, out)
            except Exception:  # noqa: BLE001 - records across gzip members: as `warcio recompress` does
                if fh.seek(0) != 0 or fh.read(2) != b"\x1f\x8b":
                    raise
                again = Independent()
                with gzip.open(path, "rb") as gz:
                    _read(gz, None, again)
                return again
    except Exception as e:  # noqa: BLE001 - what warcio could not read is recorded, not fatal
        out.error = " ".join(f"{type(e).__name__}: {e}".split())[:120]
    return out


def manifest() -> dict[str, dict]:
    with open(MANIFEST, newline="", encoding="utf-8") as fh:
        return {row["file"]: row for row in csv.DictReader(fh, delimiter="\t")}


def _producer(row: dict, ind: Independent) -> str:
    software = ind.software.strip()
    if software:
        return re.sub(r"\s+", " ", software)[:60]
    return f"hand-made for the {row['repo'].split('/')[1]} tests"


def _tool(producer: str) -> str:
    """The producing tool without its version: "Wget/1.14 (linux-gnu)" -> "wget"."""
    first = re.split(r"[/\s]|\.\d", producer.replace("Webrecorder ", "").strip(), maxsplit=1)[0]
    return {"webrecorder.io": "webrecorder-platform", "platform": "webrecorder-platform",
            "hand-made": producer.split(" the ")[-1]}.get(first.lower(), first.lower())


def write_manifest() -> None:
    origins = json.loads((FOREIGN / "_origins.json").read_text())
    rows = []
    for origin in origins:
        ind = independent(FOREIGN / origin["file"])
        rows.append({
            **{k: origin[k] for k in ("file", "repo", "path", "commit", "license", "sha256", "size")},
            "producer": _producer(origin, ind),
            "tool": _tool(_producer(origin, ind)),
            "warcio_records": ind.count,
            "warcio_captures": ind.captures,
            "warcio_error": ind.error,
        })
    with open(MANIFEST, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, COLUMNS, delimiter="\t", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    write_manifest()
    rows = manifest().values()
    print(f"{len(rows)} files, {len({r['producer'] for r in rows})} producers", file=sys.stderr)

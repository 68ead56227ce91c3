"""CDXJ index of the WARC directory, kept beside it and updated incrementally.

One sorted ``index.cdxj`` (SURT keys; JSON with url, mime, status, digest, length, offset,
filename) serves both pywb (``index_paths``) and OutbackCDX-style servers (POST the file).
A closed WARC never changes, so only WARCs not yet listed in ``indexed.json`` are read; their
lines are merged into the existing index. A file is known by its content: one whose size, or whose
SHA-256 (re-hashed when its mtime moved), differs from what was indexed is read again. The index is
rewritten through a temp file and ``os.replace``, so a reader (a running pywb) sees the old or the
new index, never half of one.
"""

from __future__ import annotations

import heapq
import json
import logging
import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from cdxj_indexer.main import CDXJIndexer, SortingWriter

from archive.lock import exclusive

log = logging.getLogger(__name__)

INDEX_DIR = "indexes"
INDEX_FILE = "index.cdxj"
STATE_FILE = "indexed.json"
LOCK_FILE = ".lock"
STATE_FORMAT = 1

# Explicit, because importing wacz appends "warcinfo" to CDXJIndexer.DEFAULT_RECORDS for the
# whole process; an index must not depend on what else happens to be imported.
INDEXED_RECORDS = "response,revisit,resource"



@dataclass
class IndexResult:
    index: Path
    added: list[str] = field(default_factory=list)  # WARCs indexed by this run
    failed: dict[str, str] = field(default_factory=dict)  # WARC -> error; retried next run
    lines_added: int = 0
    total_lines: int = 0
    rebuilt: bool = False


def index_dir(warc_dir: Path) -> Path:
    return Path(warc_dir) / INDEX_DIR


def index_path(warc_dir: Path) -> Path:
    return index_dir(warc_dir) / INDEX_FILE


def closed_warcs(warc_dir: Path) -> list[Path]:
    """The WARC and ARC files of the folder, by the archive layer's one rule (a name ending in
    ``.open`` is still being written); a WACZ is a package of its own, not replayed from here."""
    from archive import archives_in

    warc_dir = Path(warc_dir)
    if not warc_dir.is_dir():
        return []
    found, _ = archives_in(warc_dir)
    return [p for p in found if not p.name.lower().endswith(".wacz")]


def _stamp(path: Path, seen: dict | None = None) -> dict:
    """Size, mtime and SHA-256. The hash is what counts (a plain `cp` moves the mtime, a repair in
    place may keep the size); it is recomputed when size or mtime moved since `seen`, and always for
    a file that could not be indexed in full (few, and the ones someone repairs)."""
    from archive.files import file_sha256

    st = path.stat()
    stamp = {"size": st.st_size, "mtime_ns": st.st_mtime_ns}
    same = seen and seen.get("size") == st.st_size and seen.get("mtime_ns") == st.st_mtime_ns
    if same and seen.get("sha256") and not seen.get("problem"):
        stamp["sha256"] = seen["sha256"]
    else:
        stamp["sha256"] = file_sha256(path)[0]
    return stamp


def _changed(stamp: dict | None, seen: dict) -> bool:
    if stamp is None or stamp["size"] != seen.get("size"):
        return True
    return bool(seen.get("sha256")) and stamp["sha256"] != seen["sha256"]


def load_state(warc_dir: Path) -> dict[str, dict]:
    path = index_dir(warc_dir) / STATE_FILE
    try:
        data = json.loads(path.read_text())
    except (FileNotFoundError, ValueError):
        return {}
    if data.get("format") != STATE_FORMAT:
        return {}
    return data.get("warcs", {})


def atomic_write(path: Path, write) -> None:
    """Run ``write(fh)`` on a temp file beside ``path`` and rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _save_state(warc_dir: Path, warcs: dict[str, dict]) -> None:
    doc = {"format": STATE_FORMAT, "index": INDEX_FILE, "warcs": dict(sorted(warcs.items()))}
    atomic_write(index_dir(warc_dir) / STATE_FILE, lambda fh: json.dump(doc, fh, indent=1))


def cdxj_lines(warc: Path, limit: int | None = None) -> list[str]:
    """The sorted CDXJ lines of one WARC (of its first `limit` bytes: the whole records before a
    damaged one); ``filename`` is the bare name, resolved by archive_paths."""
    lines: list[str] = []

    class Collect:
        def write(self, line: str) -> None:
            lines.append(line)

        def flush(self) -> None:
            pass

    indexer = CDXJIndexer(Collect(), [str(warc)], records=INDEXED_RECORDS)
    if limit is None:
        indexer.process_all()
    elif limit > 0:
        from archive.files import Window

        with open(warc, "rb") as fh:
            indexer.process_one(Window(fh, 0, limit), indexer.output, str(warc))
    lines.sort()
    return lines


def warc_damage(warc: Path) -> tuple[int, str] | None:
    """(offset, reason) where a WARC stops being readable; None when every record is whole.

    cdxj-indexer takes a record whose Content-Length is wrong, or one cut off by the end of the
    file, as whole, and gives up at the first unreadable record without saying where. The archive
    reader checks each record's length and the end of the file; OSError propagates (it may pass).
    """
    from archive import ArchiveDamage, FileStats, iter_records

    stats = FileStats()
    try:
        for _ in iter_records(warc, stats=stats, types=()):
            pass
    except ArchiveDamage as exc:
        return exc.offset, exc.reason
    if stats.framing == "stream-gzip":
        # pywb reads a record at its offset in the file: a whole-file gzip has no such offsets.
        return 0, "gzipped as one stream: replay needs one gzip member per record (`warcio recompress`)"
    return None


def readable_lines(warc: Path) -> tuple[list[str], str | None]:
    """The sorted CDXJ lines of a WARC's whole records, and a one-line problem (None: none).

    The records before a damaged one are indexed, so they stay replayable until the file is fixed.
    """
    damage = warc_damage(warc)
    if damage is None:
        return cdxj_lines(warc), None
    offset, reason = damage
    # Only the bytes before the damage are read: the indexer never meets the bad record at all.
    kept = cdxj_lines(warc, limit=offset)
    return kept, f"{reason}; {len(kept)} records before it indexed"


def merge_sorted(*sources: Iterable[str]) -> Iterator[str]:
    """Merge sorted line streams, dropping exact duplicates (re-indexing a WARC is a no-op)."""
    last = None
    for line in heapq.merge(*sources):
        if line != last:
            yield line
        last = line


def update_index(warc_dir: Path, full: bool = False) -> IndexResult:
    """Index the closed WARCs not indexed yet and merge them into ``indexes/index.cdxj``.

    Rebuilds from scratch when asked, when the index is missing, or when a WARC already
    indexed has changed or disappeared (closed WARCs never change, so that means someone
    replaced files by hand and the recorded offsets can no longer be trusted).
    """
    warc_dir = Path(warc_dir)
    out = index_path(warc_dir)
    # Writers wait for each other: two `deeply index` runs would otherwise each drop the other's lines.
    with exclusive(index_dir(warc_dir) / LOCK_FILE):
        warcs = closed_warcs(warc_dir)
        state = load_state(warc_dir)
        stamps = {w.name: _stamp(w, state.get(w.name)) for w in warcs}
        stale = [name for name, seen in state.items() if _changed(stamps.get(name), seen)]
        # Same content under a new mtime (a copy), or indexed before hashes were kept: note the stamp.
        touched = [name for name, seen in state.items() if name not in stale
                   and {k: seen.get(k) for k in ("mtime_ns", "sha256")} != {k: stamps[name][k] for k in
                                                                              ("mtime_ns", "sha256")}]
        for name in touched:
            state[name].update(mtime_ns=stamps[name]["mtime_ns"], sha256=stamps[name]["sha256"])
        rebuild = full or not out.exists() or bool(stale)
        if rebuild:
            if stale and not full:
                log.warning("indexed WARCs changed or vanished (%s): rebuilding the index", ", ".join(stale))
            state = {}
        todo = [w for w in warcs if w.name not in state]
        result = IndexResult(index=out, rebuilt=rebuild)
        for name, seen in state.items():
            if seen.get("problem"):  # damaged and unchanged since: its whole records are indexed
                result.failed[name] = seen["problem"]

        recorded = False  # a damaged WARC's whole records, or the fact that it has none
        with tempfile.TemporaryDirectory(prefix="deeply-index-", dir=index_dir(warc_dir)) as tmp:
            new_sorted = Path(tmp) / "new.cdxj"
            with open(new_sorted, "w", encoding="utf-8", newline="\n") as sink:
                # cdxj-indexer's external sort: spills to temp files past its buffer size.
                sorter = SortingWriter(sink)
                for warc in todo:
                    try:
                        lines, problem = readable_lines(warc)
                    except Exception as exc:  # a truncated or foreign file must not block the others
                        log.info("cannot index %s: %s", warc.name, exc)  # callers report result.failed
                        result.failed[warc.name] = f"{type(exc).__name__}: {exc}"
                        continue
                    for line in lines:
                        sorter.write(line)
                    state[warc.name] = {**stamps[warc.name], "records": len(lines)}
                    result.lines_added += len(lines)
                    if problem:
                        # Recorded with its size: a repaired (changed) file makes the index rebuild.
                        log.info("cannot index all of %s: %s", warc.name, problem)
                        state[warc.name]["problem"] = result.failed[warc.name] = problem
                        recorded = True
                        continue
                    result.added.append(warc.name)
                sorter.flush()

            if touched and not (result.added or recorded or rebuild):
                _save_state(warc_dir, state)
            if result.added or recorded or rebuild:
                result.total_lines = _merge_into(out, new_sorted, keep_existing=not rebuild)
                _save_state(warc_dir, state)
            else:
                result.total_lines = count_lines(out)
    return result


def _merge_into(out: Path, new_sorted: Path, keep_existing: bool) -> int:
    count = 0

    def write(fh) -> None:
        nonlocal count
        with ExitStack() as stack:
            sources = [stack.enter_context(open(new_sorted, encoding="utf-8"))]
            if keep_existing and out.exists():
                sources.append(stack.enter_context(open(out, encoding="utf-8")))
            for line in merge_sorted(*sources):
                fh.write(line)
                count += 1

    atomic_write(out, write)
    return count


def count_lines(path: Path) -> int:
    with open(path, "rb") as fh:
        return sum(1 for _ in fh)

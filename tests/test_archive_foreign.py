"""Other tools' own test files, read by the one archive reader and checked against plain warcio.

The corpus (tests/data/foreign/, listed with origin, license and producing tool in MANIFEST.tsv) is
what archivists bring: Heritrix, wget, wpull, Webrecorder and ArchiveWeb.page WARCs, ARC files, WACZ
packages, whole-file gzips, and the deliberately broken files of validators' test suites.
"""

from __future__ import annotations

import re

import pytest

from archive import ArchiveDamage, FileStats, iter_records, read_record_at
from tests.support.foreign import FOREIGN, corpus_files, independent, manifest

FILES = corpus_files()


def test_the_corpus_is_large_and_varied_and_its_manifest_is_true():
    rows = manifest()
    assert sorted(rows) == sorted(str(p.relative_to(FOREIGN)) for p in FILES)
    assert len(rows) >= 100
    tools = {r["tool"] for r in rows.values() if "tests" not in r["tool"]}
    assert len(tools) >= 8, tools
    assert sum(p.stat().st_size for p in FILES) < 30_000_000
    for row in rows.values():
        assert row["repo"] and re.fullmatch(r"[0-9a-f]{40}", row["commit"]) and row["license"]


def _payload_matches(ours: bytes, theirs: dict) -> bool:
    # warcio leaves the HTTP headers in the payload of a record whose type is not lower case.
    return ours == theirs["payload"] if theirs["http_parsed"] else theirs["payload"].endswith(ours)


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(FOREIGN)) for p in FILES])
def test_every_foreign_file_reads_as_warcio_reads_it(path, capfd):
    row = manifest()[str(path.relative_to(FOREIGN))]
    theirs = independent(path)
    assert theirs.captures == int(row["warcio_captures"])  # the manifest still says what warcio says
    capfd.readouterr()  # warcio's own warnings

    stats = FileStats()
    captures = []
    damage = None
    try:
        captures = list(iter_records(path, stats=stats))
    except ArchiveDamage as e:  # anything else is a traceback: the test fails
        damage = e
    out, err = capfd.readouterr()
    assert err == "" and out == ""  # no decompressor noise, no warcio warnings
    if damage is not None:
        line = str(damage)
        assert "\n" not in line and len(line) < 200
        assert not re.search(r"Error|Exception|Traceback|\\x[0-9a-f]{2}|b'", line), line
    if damage is None and not theirs.error:
        assert len(captures) == theirs.captures
    for rec in captures:
        back = read_record_at(path, rec.offset, rec.length, member=rec.member, framing=None)
        payload = back.raw_stream.read()
        assert back.rec_type == rec.warc_type
        there = theirs.records.get((rec.member, rec.offset))
        if there is None:
            assert theirs.error or stats.framing == "stream-gzip", (rec.member, rec.offset)
            continue
        assert there["type"] == rec.warc_type
        assert (there["url"] or "").strip().strip("<>").strip() == rec.url
        assert there["date"] == rec.warc_date
        if stats.format != "arc":  # warcio invents a new random id for an ARC record at each read
            assert there["id"].strip("<>") == rec.record_id
        assert _payload_matches(payload, there), rec.offset


def test_the_bench_scanner_reads_tool_made_warcs_as_the_reader_does():
    """bench/warcstats.py keeps its own fast scanner; on every WARC a crawler wrote (not the
    hand-made edge cases of validators' suites) it must see the records the reader sees."""
    from bench import warcstats

    rows = manifest()
    checked = 0
    for path in FILES:
        row = rows[str(path.relative_to(FOREIGN))]
        if "tests" in row["tool"]:
            continue
        stats = FileStats()
        try:
            ours = [(r.warc_type, r.url, None if r.status is None else str(r.status))
                    for r in iter_records(path, stats=stats, types=None)]
        except ArchiveDamage:
            continue
        if stats.format != "warc":
            continue
        theirs = [(h.rec_type.lower(), h.uri, h.status) for h in warcstats.heads(path)]
        assert ours == theirs, path
        checked += 1
    assert checked >= 30


def test_the_archive_reader_imports_nothing_of_the_project():
    import ast
    from pathlib import Path

    package = Path(__file__).resolve().parents[1] / "archive"
    higher = {"crawler", "extract", "storage", "replay", "deeply", "bench", "sample_site"}
    for path in package.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            assert not {n.split(".")[0] for n in names} & higher, (path.name, names)


def test_damaged_copies_of_the_corpus_give_one_line_and_no_traceback(tmp_path, capfd):
    """Bytes flipped, files cut, junk inserted, in a fixed sequence over the corpus: the reader (and
    read_record_at on what it yields) raises nothing but ArchiveDamage, with a one-line reason."""
    import random

    rnd = random.Random(13)
    small = [p for p in FILES if p.stat().st_size < 300_000]
    for _ in range(300):
        source = rnd.choice(small)
        data = bytearray(source.read_bytes())
        op = rnd.random()
        if op < 0.4 and data:
            for _ in range(rnd.randint(1, 5)):
                data[rnd.randrange(len(data))] = rnd.randrange(256)
        elif op < 0.8:
            data = data[: rnd.randrange(len(data) + 1)]
        else:
            at = rnd.randrange(len(data) + 1)
            data[at:at] = rnd.randbytes(rnd.randint(1, 50))
        path = tmp_path / source.name
        path.write_bytes(bytes(data))
        try:
            for rec in iter_records(path, types=None):
                if rec.warc_type in ("response", "revisit"):
                    read_record_at(path, rec.offset, rec.length, member=rec.member)
        except ArchiveDamage as e:
            assert "\n" not in str(e) and not re.search(r"Error|Traceback|b'", str(e)), str(e)
    out, err = capfd.readouterr()
    assert err == ""

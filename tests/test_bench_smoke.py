"""The benchmark harness end to end at the smallest size, so that `make bench` does not rot between the
times someone runs it. It checks that every row is produced and counted, never how fast anything is."""

from __future__ import annotations

import json
import shutil

import pytest

from bench.__main__ import main
from bench.measure import run


def test_measure_reports_a_failed_command_and_a_timeout(tmp_path):
    failed = run(["python3", "-c", "import sys; sys.exit(3)"], timeout=30)
    assert failed.returncode == 3 and not failed.ok
    slow = run(["python3", "-c", "import time; time.sleep(30)"], timeout=0.5)
    assert slow.timed_out and not slow.ok and slow.wall < 20


@pytest.mark.skipif(shutil.which("wget") is None, reason="the crawl reference needs GNU Wget")
def test_bench_runs_every_stage_at_the_smallest_size(tmp_path):
    out = tmp_path / "results"
    code = main(["--sizes", "20", "--no-corpus", "--out", str(out), "--keep", str(tmp_path / "work")])

    text = (out / "latest.md").read_text()
    data = json.loads((out / "latest.json").read_text())
    assert code == 0, text
    for row in ("Crawl to WARC", "Extraction, 1 core", "Extraction, 2 cores", "Ingest into SQLite",
                "Re-ingest of unchanged WARCs", "Re-crawl of the unchanged site", "Peak memory"):
        assert row in text
    assert "x86_64" in text or "cores" in text
    site = data["sites"][0]
    assert site["run1"]["warcs"]["pages"] > 20
    assert site["wget"]["warcs"]["pages"] > 20
    assert site["run1"]["new_versions"] > 0
    assert site["extract_w1"]["records"] == site["extract_w2"]["records"] > 0
    assert site["plain"]["records"] > 0
    assert site["reingest_versions"] == 0
    assert site["run2"]["new_versions"] == 0

"""The crawl against a misbehaving server: every fault is recorded, nothing stops the rest."""

from __future__ import annotations

import subprocess
from urllib.parse import urlsplit

import pytest
from warc_checks import VENV_BIN, check_pairs, warcio_check


@pytest.fixture(scope="module")
def faulty(tmp_path_factory):
    from sample_site import serve

    warcs = tmp_path_factory.mktemp("faults") / "warcs"
    with serve(articles=20, faults=True, slow_seconds=10, huge_bytes=50 * 1024 * 1024) as site:
        proc = subprocess.run(
            [str(VENV_BIN / "deeply"), "crawl", site.start_url, "--warcs", str(warcs), "--quiet",
             "--timeout", "2", "--retries", "1", "--limit", "400"],
            capture_output=True, text=True, timeout=600,
        )
    files = sorted(warcs.glob("*.warc.gz"))
    return proc, files, check_pairs(files)


def paths(by_url) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for url, recs in by_url.items():
        out.setdefault(urlsplit(url).path, []).extend(int(h.get_statuscode()) for _, _, h, _ in recs)
    return out


def test_faults_are_reported_and_the_crawl_finishes(faulty):
    proc, files, _ = faulty
    assert proc.returncode == 1, proc.stdout + proc.stderr  # finished, with failed fetches
    summary = proc.stdout
    assert "complete" in summary
    assert "TimeoutError" in summary, summary  # the slow page (DownloadTimeoutError)
    assert "http 500" in summary
    assert "page budget reached" in summary  # the endless calendar was cut off
    warcio_check(files)


def test_retry_after_is_honoured_and_the_page_captured(faulty):
    _, _, by_url = faulty
    assert paths(by_url)["/syria/faults/busy"] == [429, 200]


def test_odd_bodies_are_captured_as_they_came(faulty):
    _, _, by_url = faulty
    got = paths(by_url)
    for path in ("/syria/faults/binary", "/syria/faults/windows-1256", "/syria/faults/wrong-charset",
                 "/syria/faults/malformed", "/syria/faults/huge"):
        assert got[path] == [200], path
    huge = next(recs for u, recs in by_url.items() if u.endswith("/syria/faults/huge"))
    assert len(huge[0][3]) >= 50 * 1024 * 1024 or huge[0][2].get_header("Content-Encoding")


def test_the_endless_calendar_stays_bounded(faulty):
    _, _, by_url = faulty
    calendar = [p for p in paths(by_url) if p.startswith("/syria/calendar/page/")]
    assert 0 < len(calendar) < 400

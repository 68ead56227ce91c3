"""A page the extractor fails on is counted and logged, never silently taken for "not an article".

No real page crashes the extractor today, so the failure is injected into `build_record` (the one
place that raises); everything around it, extract_page and ingest of a real WARC, runs as is.
"""

from __future__ import annotations

import logging
import sqlite3

import pytest

import extract.page
from extract.page import extract_page, extract_page_or_error
from storage import ingest
from tests.support.archives import OurWarc
from tests.support.pages import Page

BAD = Page("truncated-on-purpose", title="A Page The Extractor Fails On")
GOOD = Page("water-crisis-deepens", title="Water Crisis Deepens")


@pytest.fixture
def failing_on_bad(monkeypatch):
    real = extract.page.build_record

    def build_record(body, url, headers=None, **kw):
        if url.endswith(BAD.slug):
            raise RuntimeError("injected extractor bug")
        return real(body, url, headers, **kw)

    monkeypatch.setattr(extract.page, "build_record", build_record)


def test_the_error_is_returned_and_logged_with_the_url(failing_on_bad, caplog):
    from tests.support.pages import article_html

    with caplog.at_level(logging.WARNING, logger="extract.page"):
        assert extract_page(article_html(BAD), BAD.url) is None
        record, error = extract_page_or_error(article_html(BAD), BAD.url)
    assert record is None and error == "RuntimeError: injected extractor bug"
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2 and all(BAD.url in r.getMessage() for r in warnings)
    good, error = extract_page_or_error(article_html(GOOD), GOOD.url)
    assert error is None and good.title == GOOD.title


def test_ingest_counts_the_failure_and_keeps_the_capture(failing_on_bad, tmp_path):
    w = OurWarc(tmp_path / "c1.warc.gz", crawl_id="c1")
    w.page(GOOD)
    w.page(BAD)
    report = ingest(tmp_path / "archive.db", [w.close()], progress=False, workers=0)
    assert (report.extracted, report.extract_errors, report.not_articles) == (1, 1, 0), report.summary()
    assert "1 extraction errors" in report.summary()
    conn = sqlite3.connect(tmp_path / "archive.db")
    try:
        outcome, error = conn.execute("select outcome, extract_error from captures where url = ?",
                                      [BAD.url]).fetchone()
    finally:
        conn.close()
    assert (outcome, error) == ("extract-error", "RuntimeError: injected extractor bug")

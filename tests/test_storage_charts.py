"""The charts of the store: every chart's query returns what the tables hold, and the charts page
draws in headless Chromium from `deeply serve` alone (Vega served by the plugin, nothing fetched
from anywhere else)."""

from __future__ import annotations

import asyncio
import sqlite3
import urllib.parse
from collections import Counter

import pytest
import yaml

from bench.store_gen import Plan, build
from replay.browser import HeadlessChromium, find_chromium
from storage import make_datasette
from storage.web import CHARTS
from tests.support.servers import deeply_serve

PLAN = Plan(articles=60, crawls=4, edited=2, retitled=1, added=2, removed=1, pages_per_article=0.1, images=5)
CHART_SPECS = yaml.safe_load(CHARTS.read_text())["charts"]


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    db = tmp_path_factory.mktemp("charts") / "archive.db"
    build(db, PLAN, log=lambda m: None)
    return db


def chart_rows(db, slug) -> list[dict]:
    ds = make_datasette(db)
    sql = CHART_SPECS[slug]["query"]

    async def run():
        query = urllib.parse.urlencode({"sql": sql, "_shape": "objects"})
        return await ds.client.get(f"/archive.json?{query}")

    response = asyncio.run(run())
    assert response.status_code == 200, response.text[:300]
    return response.json()["rows"]


def table(db, sql) -> list[dict]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql)]
    finally:
        conn.close()


def test_articles_per_month_per_site(store):
    got = Counter({(r["month"], r["site"]): r["articles"] for r in chart_rows(store, "articles-per-month")})
    latest = table(store, "select site, published from latest_versions")
    assert got == Counter((r["published"][:7] + "-01", r["site"]) for r in latest)
    assert sum(got.values()) == len(latest) >= PLAN.articles


def test_captures_and_changes_per_crawl(store):
    captures = {r["crawl"]: r["captures"] for r in chart_rows(store, "captures-per-crawl")}
    counted = {r["crawl_id"]: r["n"] for r in table(
        store, "select crawl_id, count(*) as n from captures group by crawl_id")}
    assert captures == counted and len(captures) == PLAN.crawls
    assert list(captures) == sorted(captures)  # in crawl order

    changes = {r["crawl"]: (r["new"], r["changed"], r["removed"])
               for r in chart_rows(store, "changes-per-crawl")}
    versions = table(store, "select crawl_id, version from versions")
    removed = Counter(r["removed_in_crawl"] for r in table(store, "select removed_in_crawl from articles"))
    for crawl in counted:
        new = sum(1 for v in versions if v["crawl_id"] == crawl and v["version"] == 1)
        changed = sum(1 for v in versions if v["crawl_id"] == crawl and v["version"] > 1)
        assert changes[crawl] == (new, changed, removed.get(crawl, 0)), crawl
    later = [c for c in sorted(changes) if c != "crawl-001"]
    assert [changes[c][1] for c in later] == [PLAN.edited + PLAN.retitled] * len(later)
    assert sum(changes[c][2] for c in later) > 0


def test_versions_per_article_over_time(store):
    rows = chart_rows(store, "versions-per-article")
    versions = table(store, "select article_key, version, first_seen from versions")
    days = sorted({v["first_seen"][:10] for v in versions})
    assert [r["day"] for r in rows] == days
    for r in rows:
        upto = [v for v in versions if v["first_seen"][:10] <= r["day"]]
        articles = len({v["article_key"] for v in upto})
        assert r["versions"] == len(upto) and r["articles"] == articles
        assert r["versions_per_article"] == pytest.approx(len(upto) / articles, abs=1e-4)

    by_count = {r["versions"]: r["articles"] for r in chart_rows(store, "articles-by-versions")}
    assert by_count == dict(Counter(Counter(v["article_key"] for v in versions).values()))


def test_every_chart_is_tested():
    # The charts the tests above check; a new chart needs its own test.
    assert set(CHART_SPECS) == {"articles-per-month", "captures-per-crawl", "changes-per-crawl",
                                "versions-per-article", "articles-by-versions"}


@pytest.mark.browser
def test_the_charts_page_draws_in_chromium(store, tmp_path):
    chromium = find_chromium()
    if chromium is None:
        pytest.skip("headless Chromium not installed (/usr/bin/chromium: apt-get install chromium)")
    with deeply_serve(store, tmp_path / "serve.log") as (base, _proc, _port):
        with HeadlessChromium(chromium, user_data_dir=tmp_path / "chrome", timeout=90) as chrome:
            chrome.navigate(f"{base}/")
            link = chrome.evaluate("[...document.querySelectorAll('a')].map(a => a.href)"
                                   ".find(h => h.includes('/-/dashboards/store')) || ''")
            assert link, "the front page links to the charts"
            chrome.navigate(link)
            drawn = ("[...document.querySelectorAll('.dashboard-card-chart')].map(c => {"
                     " const g = c.querySelector('canvas, svg');"
                     " return g ? g.getBoundingClientRect().width * g.getBoundingClientRect().height : 0; })")
            chrome.wait_for(f"(() => {{ const a = {drawn}; return a.length === {len(CHART_SPECS)} "
                            "&& a.every(x => x > 1000); })()", timeout=90)
            # Marks were drawn for the data, not only axes: vega's SVG puts each kind of data mark
            # in its own group (mark-rect for bars, mark-line and mark-symbol for lines).
            marks = chrome.evaluate(
                "[...document.querySelectorAll('.dashboard-card-chart')].map(c => c.querySelectorAll("
                "'g.mark-rect path, g.mark-symbol path, g.mark-line path').length)")
            assert len(marks) == len(CHART_SPECS) and all(n >= 2 for n in marks), marks
            shot = chrome.screenshot(tmp_path / "charts.png")
            assert shot.stat().st_size > 10_000
            outside = [u for u in chrome.requests if not u.startswith((base, "data:", "blob:", "about:"))]
            assert outside == [], outside

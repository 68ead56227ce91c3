"""An article's row page after the sample site's edition 1, crawled and ingested with the real
commands: its versions side by side, and a diff naming exactly the fields that changed, showing
the old and the new value of each, and nothing for the fields that did not."""

from __future__ import annotations

import asyncio
import re
import sqlite3

import markupsafe
import pytest
from datasette.utils import tilde_encode

from storage import make_datasette
from storage.diff import META_FIELDS, paragraphs

ARTICLES = 40


@pytest.fixture(scope="module")
def edited_store(tmp_path_factory, deeply):
    from sample_site import expected_changes, serve

    tmp = tmp_path_factory.mktemp("diff")
    db = tmp / "archive.db"
    with serve(articles=ARTICLES, port=0) as site:
        deeply("crawl", site.start_url, "--warcs", tmp / "w1", "--quiet", check=True)
        deeply("ingest", tmp / "w1", "--db", db, "--no-progress", check=True)
        site.set_edition(1)
        deeply("crawl", site.start_url, "--warcs", tmp / "w2", "--quiet", check=True)
    deeply("ingest", tmp / "w2", "--db", db, "--no-progress", check=True)
    return db, expected_changes(ARTICLES, 1)


def versions_of(db, key) -> list[dict]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute("select * from versions where article_key = ? order by version",
                                              [key])]
    finally:
        conn.close()


def fields_that_differ(old: dict, new: dict) -> set[str]:
    """Straight from the two rows, without the diff module's own comparison."""
    out = {f for f in META_FIELDS if old[f] != new[f]}
    if paragraphs(old["text"]) != paragraphs(new["text"]):
        out.add("text")
    if old["qa_hash"] != new["qa_hash"]:
        out.add("qa")
    return out


def row_page(db, table, key, query="") -> str:
    ds = make_datasette(db)

    async def run():
        return await ds.client.get(f"/archive/{table}/{tilde_encode(key)}{query}")

    response = asyncio.run(run())
    assert response.status_code == 200
    return response.text


def changed_on_page(page: str) -> set[str]:
    m = re.search(r'<section id="deeply-diff" data-changed="([^"]*)">', page)
    assert m, "the row page has a diff"
    return set(filter(None, m.group(1).split(",")))


@pytest.mark.parametrize("change", ["edited", "retitled"])
def test_the_diff_names_exactly_the_fields_the_edition_changed(edited_store, change):
    db, changes = edited_store
    (path,) = changes[change]
    key = path.strip("/")
    old, new = versions_of(db, key)
    expected = fields_that_differ(old, new)
    # Edited: a sentence added to a paragraph (of the Q&A when the article is an interview).
    assert (expected & {"text", "qa"}) if change == "edited" else ("title" in expected)
    assert "authors" not in expected and "published" not in expected

    for table in ("articles", "latest_versions"):
        page = row_page(db, table, key)
        assert changed_on_page(page) == expected, table
        diff = page[page.index('id="deeply-diff"'):]
        # The metadata table has one row per changed field, with both values, and no other row.
        shown = set(re.findall(r'<tr class="deeply-field-([a-z_]+)">', diff))
        assert shown == expected - {"text", "qa"}
        if "title" in expected:
            for title in (old["title"], new["title"]):
                assert str(markupsafe.escape(title)) in diff
        for field, heading in (("text", "<h3>Text</h3>"), ("qa", "<h3>Q&amp;A</h3>")):
            assert (heading in diff) == (field in expected), field
        if expected & {"text", "qa"}:
            assert 'class="diff_add"' in diff or 'class="diff_chg"' in diff
        # Its captures, with replay links, one per crawl.
        captures = page[page.index("<h2>Captures: "):]
        assert captures.count(">replay</a>") == 2


def test_an_unchanged_article_has_one_version_and_no_diff(edited_store):
    db, changes = edited_store
    touched = {p.strip("/") for paths in changes.values() for p in paths}
    conn = sqlite3.connect(db)
    key = next(r[0] for r in conn.execute("select key from articles order by key") if r[0] not in touched)
    conn.close()
    page = row_page(db, "articles", key)
    assert "<h2>Versions</h2>" in page and "(first version)" in page
    assert 'id="deeply-diff"' not in page


def test_any_two_versions_can_be_compared_and_nonsense_is_ignored(edited_store):
    db, changes = edited_store
    key = changes["edited"][0].strip("/")
    assert changed_on_page(row_page(db, "articles", key, "?a=2&b=1")) == changed_on_page(
        row_page(db, "articles", key))
    page = row_page(db, "articles", key, "?a=x&b=99")  # falls back to the latest two
    assert changed_on_page(page) & {"text", "qa"}

"""The store after a few weekly crawls, through Datasette: every facet counts what the tables hold
and never times out, the author/topic/speaker filters pick exactly the articles that name them,
the front page describes the store it serves, and a real `deeply serve` answers the same."""

from __future__ import annotations

import asyncio
import json
import urllib.parse
import urllib.request
from collections import Counter

import pytest

from bench.store_gen import Plan, build
from extract.record import Record
from storage import apply_record, make_datasette, open_store
from storage.store import insert_capture
from tests.support.servers import deeply_serve

PLAN = Plan(articles=80, crawls=3, edited=2, retitled=1, added=2, removed=1, pages_per_article=0.1, images=5)
OTHER_SITE = Record(
    url="https://www.newsdeeply.com/water/articles/2017/05/06/a-river-runs-dry",
    key="water/articles/2017/05/06/a-river-runs-dry", site="water", title="A River Runs Dry",
    authors=["Ana Hydro"], topics=["Drought"], published="2017-05-06", text="The river ran dry.",
)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    db_path = tmp_path_factory.mktemp("store") / "archive.db"
    built = build(db_path, PLAN, log=lambda m: None)
    with open_store(db_path) as db:
        capture = next(db.query("select * from captures where article_key is not null limit 1"))
        capture = {**capture, "id": "urn:uuid:water-1", "url": OTHER_SITE.url, "version_id": None,
                   "crawl_id": "crawl-003"}
        insert_capture(db, capture)
        apply_record(db, OTHER_SITE, capture)
        db.conn.commit()
    return db_path, built.sample


def get(ds, path):
    async def run():
        return await ds.client.get(path)

    return asyncio.run(run())


def latest_rows(db_path) -> list[dict]:
    with open_store(db_path) as db:
        return list(db.query("select * from latest_versions"))


def current_speakers(db_path) -> Counter:
    with open_store(db_path) as db:
        return Counter(r["speaker"] for r in db.query(
            "select distinct l.article_key, trim(q.speaker) as speaker from qa_turns q "
            "join latest_versions l on l.version_id = q.version_id "
            "where trim(coalesce(q.speaker, '')) != ''"))


def expected_facets(db_path) -> dict[str, Counter]:
    rows = latest_rows(db_path)
    return {
        "site": Counter(r["site"] for r in rows),
        "kind": Counter(r["kind"] for r in rows),
        "year": Counter(r["year"] for r in rows if r["year"] is not None),
        "author": Counter(a for r in rows for a in set(json.loads(r["authors"]))),
        "topic": Counter(t for r in rows for t in set(json.loads(r["topics"]))),
        "speaker": current_speakers(db_path),
    }


def facet_counts(data: dict) -> dict[str, Counter]:
    return {name: Counter({r["value"]: r["count"] for r in f["results"]})
            for name, f in data["facet_results"].items()}


def test_every_facet_counts_what_the_tables_hold(store):
    db_path, _ = store
    ds = make_datasette(db_path)
    data = get(ds, "/archive/latest_versions.json?_facet_size=max").json()
    # A facet that timed out has no results here, and the page says so.
    assert "timed out" not in get(ds, "/archive/latest_versions").text
    got = facet_counts(data)
    expected = expected_facets(db_path)
    assert set(got) == set(expected) == {"site", "kind", "year", "author", "topic", "speaker"}
    for name in expected:
        assert got[name] == expected[name], name
    assert got["speaker"], "the sample site has interviews"
    # Articles no longer found keep their row (with removed_at): every article ever seen counts.
    assert got["site"] == Counter({"syria": PLAN.articles + 2 * PLAN.added, "water": 1})


def test_the_name_filters_pick_exactly_the_articles_that_name_them(store):
    db_path, sample = store
    ds = make_datasette(db_path)
    rows = latest_rows(db_path)
    speakers = current_speakers(db_path)
    with open_store(db_path) as db:
        speaker = speakers.most_common(1)[0][0]
        with_speaker = {r["article_key"] for r in db.query(
            "select l.article_key from qa_turns q join latest_versions l on l.version_id = q.version_id "
            "where trim(q.speaker) = ?", [speaker])}
    def naming(column, name):
        return {r["article_key"] for r in rows if name in json.loads(r[column])}

    cases = [
        ("_author", sample["author"], naming("authors", sample["author"])),
        ("_topic", sample["topic"], naming("topics", sample["topic"])),
        ("_speaker", speaker, with_speaker),
    ]
    for param, value, keys in cases:
        assert keys
        path = f"/archive/latest_versions.json?_shape=objects&_size=max&{param}={urllib.parse.quote(value)}"
        data = get(ds, path).json()
        assert {r["article_key"] for r in data["rows"]} == keys, param
        # Facets follow the filter: the selected name counts every row left.
        counts = facet_counts(data)[param[1:]]
        assert counts[value] == len(keys)
    # Two filters at once narrow to both.
    author = urllib.parse.quote(sample["author"])
    both = f"/archive/latest_versions.json?_shape=objects&_size=max&_author={author}&kind=interview"
    got = {r["article_key"] for r in get(ds, both).json()["rows"]}
    assert got == {r["article_key"] for r in rows
                   if sample["author"] in json.loads(r["authors"]) and r["kind"] == "interview"}
    # The page for a person shows the filter and its facet.
    page = get(ds, f"/archive/latest_versions?_author={urllib.parse.quote(sample['author'])}").text
    assert "author is" in page and "These facets timed out" not in page


def test_the_front_page_describes_the_store_it_serves(store):
    db_path, _ = store
    ds = make_datasette(db_path)
    page = get(ds, "/").text
    assert "News Deeply archive" in page and "Syria Deeply archive" not in page
    rows = latest_rows(db_path)
    syria = sum(1 for r in rows if r["site"] == "syria")
    assert f"<td>{syria:,}</td>" in page
    assert "Water Deeply" in page and "Syria Deeply" in page
    assert "latest_versions?site=water" in page
    assert "/-/dashboards/store" in page or "-/dashboards/store" in page
    assert "crawl-003" in page  # the last crawl, linked to what it changed


def test_versions_facets_count_every_version(store):
    db_path, _ = store
    ds = make_datasette(db_path)
    data = get(ds, "/archive/versions.json?_facet_size=max").json()
    assert "timed out" not in get(ds, "/archive/versions").text
    with open_store(db_path) as db:
        versions = list(db.query("select authors from versions"))
    expected = Counter(a for v in versions for a in set(json.loads(v["authors"])))
    assert facet_counts(data)["author"] == expected


def test_a_real_deeply_serve_answers_the_facets_and_every_canned_query(store, tmp_path):
    db_path, sample = store
    queries = {
        "latest": {}, "article_history": {"key": sample["key"]}, "interviews_by_speaker": {"speaker": ""},
        "crawl_changes": {"crawl_id": sample["crawl"]}, "search": {"q": sample["q"]},
        "article_captures": {"key": sample["key"]}, "removed_articles": {},
    }
    with deeply_serve(db_path, tmp_path / "serve.log") as (base, _proc, _port):
        def fetch(path):
            with urllib.request.urlopen(base + path, timeout=60) as r:
                return json.loads(r.read())

        data = fetch("/archive/latest_versions.json?_facet_size=max")
        with urllib.request.urlopen(base + "/archive/latest_versions", timeout=60) as r:
            assert b"timed out" not in r.read()
        assert facet_counts(data) == expected_facets(db_path)
        meta = fetch("/-/metadata.json")
        assert set(meta["databases"]["archive"]["queries"]) == set(queries)
        for name, params in queries.items():
            out = fetch(f"/archive/{name}.json?_shape=objects&{urllib.parse.urlencode(params)}")
            assert "rows" in out, name
        key = urllib.parse.quote(sample["key"])
        history = fetch(f"/archive/article_history.json?_shape=objects&key={key}")
        assert len(history["rows"]) >= 2
        changes = fetch(f"/archive/crawl_changes.json?_shape=objects&crawl_id={sample['crawl']}")["rows"]
        assert Counter(r["change"] for r in changes) == Counter(
            # + the water article, filed under the last crawl
            {"new": PLAN.added + 1, "changed": PLAN.edited + PLAN.retitled, "removed": PLAN.removed})
        hits = fetch(f"/archive/search.json?_shape=objects&q={sample['q']}")["rows"]
        assert hits and all("[" in h["snippet"] for h in hits)
        # The speakers list, a page of a table, most interviews first, and each speaker's count
        # leading to exactly the articles the speaker facet counts for them.
        speakers = fetch("/archive/speakers.json?_shape=objects&_size=max")["rows"]
        expected = current_speakers(db_path)
        assert {r["name"]: r["interviews"] for r in speakers if r["interviews"]} == expected
        first = fetch("/archive/speakers.json?_shape=objects")["rows"][0]
        assert first["interviews"] == max(expected.values())
        with urllib.request.urlopen(base + "/archive/speakers", timeout=60) as r:
            html = r.read().decode()
        link = "/archive/latest_versions?" + urllib.parse.urlencode({"_speaker": first["name"]})
        assert f'<a href="{link}">{first["interviews"]:,}</a>' in html
        listed = fetch(link.replace("latest_versions?", "latest_versions.json?") + "&_size=max")
        assert listed["filtered_table_rows_count"] == first["interviews"]

"""The speakers list is a table whose counts follow the current versions through every write (a
first ingest, a changed interview, the same files again, a re-extraction), that Datasette
paginates and facets, and from which every speaker leads to their interviews, paginated too."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from storage import ingest, make_datasette, open_store
from storage.store import apply_reextraction, record_from_version, stale_versions
from tests.support.archives import T0, OurWarc
from tests.support.pages import Page

FIRST = Page("a-doctor-speaks", title="A Doctor Speaks", date="2017-03-04", qa=[
    ("Syria Deeply", "How is the hospital coping?"), ("Omar Invented", "With generators."),
    ("Syria Deeply", "And the staff?"), ("Omar Invented", "Tired, but here."),
])
SECOND = Page("a-teacher-speaks", title="A Teacher Speaks", date="2017-05-06", qa=[
    ("Syria Deeply", "Are the schools open?"), ("Lina Haddad", "Some of them, in shifts."),
])
PLAIN = Page("bread-prices-rise", title="Bread Prices Rise", date="2017-02-03")
# Crawl 2: the first interview is now with someone else (its earlier speaker counts no more).
FIRST_EDITED = replace(FIRST, qa=[
    ("Syria Deeply", "How is the hospital coping?"), ("Rami Nasser", "With generators."),
    ("Syria Deeply", "And the staff?"), ("Rami Nasser", "Tired, but here."),
])


def truth(db_path: Path) -> dict[str, tuple]:
    """What the speakers' counts must be, from the turns of the current versions themselves (the
    grouping the old `speakers` query made on every page view); a speaker of older versions only
    has no interview."""
    conn = sqlite3.connect(db_path)
    try:
        out = {name: (0, 0, 0, None) for (name,) in conn.execute("select name from speakers")}
        for name, interviews, questions, answers in conn.execute(
                "select trim(q.speaker), count(distinct q.version_id), sum(q.role = 'question'), "
                "sum(q.role = 'answer') from qa_turns q "
                "join latest_versions l on l.version_id = q.version_id group by trim(q.speaker)"):
            role = "both" if questions and answers else "question" if questions else "answer"
            out[name] = (interviews, questions, answers, role)
        return out
    finally:
        conn.close()


def counts(db_path: Path) -> dict[str, tuple]:
    conn = sqlite3.connect(db_path)
    try:
        return {r[0]: tuple(r[1:]) for r in conn.execute(
            "select name, interviews, questions, answers, role from speakers")}
    finally:
        conn.close()


@pytest.fixture(scope="module")
def warcs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("speakers")
    w1 = OurWarc(tmp / "c1.warc.gz", crawl_id="crawl-1")
    for page in (FIRST, SECOND, PLAIN):
        w1.page(page)
    w1.close()
    w2 = OurWarc(tmp / "c2.warc.gz", crawl_id="crawl-2", start=T0 + timedelta(days=7))
    for page in (FIRST_EDITED, SECOND, PLAIN):
        w2.page(page)
    w2.close()
    return tmp, w1.path, w2.path


@pytest.fixture(scope="module")
def store(warcs):
    tmp, c1, c2 = warcs
    db = tmp / "archive.db"
    assert ingest(db, [c1, c2], progress=False, workers=0).ok
    return db


def test_the_counts_follow_the_current_versions_through_every_write(warcs, tmp_path):
    _tmp, c1, c2 = warcs
    db = tmp_path / "archive.db"
    assert ingest(db, [c1], progress=False, workers=0).ok
    assert counts(db) == truth(db)
    assert counts(db)["Syria Deeply"] == (2, 3, 0, "question")
    assert counts(db)["Omar Invented"] == (1, 0, 2, "answer")

    assert ingest(db, [c2], progress=False, workers=0).ok
    after = counts(db)
    assert after == truth(db)
    assert after["Syria Deeply"] == (2, 3, 0, "question")
    assert after["Omar Invented"] == (0, 0, 0, None)  # only in the version that is no longer current
    assert after["Rami Nasser"] == (1, 0, 2, "answer") and after["Lina Haddad"] == (1, 0, 1, "answer")

    assert ingest(db, [c1, c2], progress=False, workers=0).ok  # the same files again: nothing moves
    assert counts(db) == after

    # A newer extractor reads the second interview differently: its new version counts instead.
    with open_store(db) as conn:
        current = next(v for v in stale_versions(conn, "a newer extractor")
                       if v["article_key"] == SECOND.path.strip("/"))
        record = record_from_version(conn, current["id"])
        qa = [{"speaker": "Syria Deeply" if t["role"] == "question" else "Lina Haddad-Nour",
               "role": t["role"], "text": t["text"]} for t in record.qa]
        record = replace(record, qa=qa, extractor_version="a newer extractor", content_hash="")
        assert apply_reextraction(conn, current, record) == "reextracted"
    assert counts(db) == truth(db)
    assert counts(db)["Lina Haddad"] == (0, 0, 0, None)
    assert counts(db)["Lina Haddad-Nour"] == (1, 0, 1, "answer")


def get(ds, path):
    async def run():
        return await ds.client.get(path)

    return asyncio.run(run())


def test_datasette_pages_and_facets_the_speakers_most_interviews_first(store):
    ds = make_datasette(store)
    rows = get(ds, "/archive/speakers.json?_shape=objects").json()["rows"]
    assert [r["name"] for r in rows][0] == "Syria Deeply"
    assert [r["interviews"] for r in rows] == sorted((r["interviews"] for r in rows), reverse=True)
    table = {r["name"]: (r["interviews"], r["questions"], r["answers"], r["role"]) for r in rows}
    assert table == truth(store)

    seen, path = [], "/archive/speakers.json?_size=1"
    for _ in range(10):  # one a page
        data = get(ds, path).json()
        seen += [row[1] for row in data["rows"]]
        if not data["next"]:
            break
        path = data["next_url"].replace("http://localhost", "")
    assert len(seen) == len(rows) and set(seen) == set(truth(store))

    facet = get(ds, "/archive/speakers.json").json()["facet_results"]["role"]["results"]
    assert {f["value"]: f["count"] for f in facet} == {"question": 1, "answer": 2}
    answering = get(ds, "/archive/speakers.json?role=answer&_shape=objects").json()["rows"]
    assert {r["name"] for r in answering} == {"Rami Nasser", "Lina Haddad"}


def interviews_link(html: str, name: str) -> str:
    href = re.search(r'<a href="([^"]*_speaker=' + re.escape(name.replace(" ", "+")) + r')">', html)
    assert href, f"no link to the interviews of {name}"
    return href.group(1)


def test_every_speaker_leads_to_their_interviews(store):
    ds = make_datasette(store)
    html = get(ds, "/archive/speakers").text
    link = interviews_link(html, "Syria Deeply")
    assert link == "/archive/latest_versions?_speaker=Syria+Deeply"
    assert '">2</a>' in html.split(link, 1)[1][:10]  # the count is the link
    keys = {r["article_key"] for r in get(ds, link.replace("latest_versions?", "latest_versions.json?")
                                          + "&_shape=objects").json()["rows"]}
    assert keys == {FIRST.path.strip("/"), SECOND.path.strip("/")}
    assert "Omar+Invented" not in html  # no interview: no link, the count is 0

    conn = sqlite3.connect(store)
    sid = conn.execute("select id from speakers where name = 'Rami Nasser'").fetchone()[0]
    conn.close()
    assert interviews_link(get(ds, f"/archive/speakers/{sid}").text, "Rami Nasser")
    assert interviews_link(get(ds, "/archive/qa_turns").text, "Rami Nasser")
    query = get(ds, "/archive/interviews_by_speaker?speaker=Nasser").text
    assert interviews_link(query, "Rami Nasser")
    rows = get(ds, "/archive/interviews_by_speaker.json?speaker=Deeply&_shape=objects").json()["rows"]
    assert [(r["speaker"], r["title"], r["turns"]) for r in rows] == [
        ("Syria Deeply", "A Doctor Speaks", 2), ("Syria Deeply", "A Teacher Speaks", 1)]


def test_interviews_by_speaker_lists_a_page_not_everything(tmp_path):
    """The site's own interviewer speaks in every interview: the query answers its first 100,
    the table page of latest_versions the rest, 50 a page."""
    firsts = ["Amal", "Basim", "Dina", "Fadi", "Hana", "Karim", "Leila", "Munir", "Nour", "Rasha"]
    lasts = ["Aziz", "Bakri", "Darwish", "Haddad", "Jaber", "Khalil", "Mansour", "Nasser", "Saleh",
             "Tamer", "Yousef", "Zein", "Omari"]
    warc = OurWarc(tmp_path / "c.warc.gz", crawl_id="crawl-1")
    for i in range(130):
        name = f"{firsts[i % 10]} {lasts[i // 10]}"
        warc.page(Page(f"interview-{i:03d}", title=f"Talking to {name}",
                       date=f"2016-{1 + i % 12:02d}-{1 + i % 28:02d}",
                       qa=[("Syria Deeply", "How are things where you are?"),
                           (name, "Difficult, but we keep going."),
                           ("Syria Deeply", "What do you need most?"), (name, "Electricity.")]))
    warc.close()
    db = tmp_path / "archive.db"
    assert ingest(db, [warc.path], progress=False, workers=0).ok
    ds = make_datasette(db)
    rows = get(ds, "/archive/interviews_by_speaker.json?speaker=Syria+Deeply&_shape=objects").json()["rows"]
    assert len(rows) == 100 and [r["published"] for r in rows] == sorted(r["published"] for r in rows)
    assert counts(db)["Syria Deeply"] == (130, 260, 0, "question")
    page = get(ds, "/archive/latest_versions.json?_speaker=Syria+Deeply").json()
    assert page["filtered_table_rows_count"] == 130 and len(page["rows"]) == 50 and page["next"]

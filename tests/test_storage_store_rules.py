"""The store's rules one by one, in process: versions, removal, captures, revisits, latest_versions.

Each test opens a real store (storage.schema.open_store) in tmp_path and calls storage.store's
functions directly with records and captures built here, as ingest would hand them over; the
expected values are written out, not read back through the store's own code. Fast enough for
mutation testing (bench/mutation.py runs these per mutant), where the ingest tests' WARCs and
extraction are not.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import re
import zipfile
from dataclasses import asdict, dataclass

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archive import ArchiveDamage, files, record_payload
from archive.records import Record as Entry
from extract.record import Record
from storage import store
from storage.schema import open_store
from storage.util import utc_now

HOST = "http://127.0.0.1:8000"
KEY = "syria/articles/2016/03/11/x"
URL = f"{HOST}/{KEY}"


def day(n: int, hour: int = 0) -> str:
    return f"2024-05-{n:02d}T{hour:02d}:00:00Z"


@dataclass
class Capture:
    """A captures row as ingest writes it before the record is folded in."""

    id: str
    url: str = URL
    fetched_at: str | None = None
    status: int | None = 200
    payload_digest: str | None = None
    warc_file: str = "t.warc"
    warc_offset: int | None = None
    warc_length: int | None = None
    is_revisit: int = 0
    refers_to: str | None = None
    crawl_id: str | None = "c1"
    replay_url: str | None = None
    article_key: str | None = None

    @property
    def row(self) -> dict:
        return asdict(self)


def cap(n: int, url: str = URL, crawl: str = "c1", **kw) -> dict:
    kw.setdefault("fetched_at", day(n))
    kw.setdefault("replay_url", f"http://r/{n}/{url}")
    return Capture(id=f"urn:uuid:cap-{n}", url=url, crawl_id=crawl, **kw).row


def rec(text: str = "A", key: str = KEY, url: str = URL, **kw) -> Record:
    kw.setdefault("title", "T")
    return Record(url=url, key=key, site=key.split("/")[0], text=text, **kw)


def add(db, record: Record, capture: dict, source: dict | None = None) -> tuple[str, int]:
    assert store.insert_capture(db, capture)
    return store.apply_record(db, record, capture, source)


def q(db, sql: str, params=()) -> list[dict]:
    """Rows read with plain SQL on the store's connection: the store's own readers are under test."""
    cursor = db.conn.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def one(db, sql: str, params=()) -> dict:
    found = q(db, sql, params)
    assert len(found) == 1, found
    return found[0]


@pytest.fixture
def db(tmp_path):
    database = open_store(tmp_path / "archive.db")
    yield database
    database.close()


def article(db, key=KEY) -> dict:
    return one(db, "SELECT * FROM articles WHERE key = ?", [key])


def latest(db, key=KEY) -> dict:
    return one(db, "SELECT * FROM latest_versions WHERE article_key = ?", [key])


def in_step(db, key=KEY) -> None:
    """latest_versions' row is the article's with its current version's columns, exactly."""
    a = article(db, key)
    v = one(db, "SELECT * FROM versions WHERE id = ?", [a["current_version_id"]])
    assert latest(db, key) == {
        "article_key": key, "site": a["site"], "url": a["url"], "version": v["version"],
        "version_id": v["id"], "title": v["title"], "summary": v["summary"], "authors": v["authors"],
        "published": v["published"], "year": v["year"], "read_time_minutes": v["read_time_minutes"],
        "kind": v["kind"], "topics": v["topics"], "qa_turns": v["qa_turns"],
        "first_seen": a["first_seen"], "last_seen": a["last_seen"], "removed_at": a["removed_at"],
        "version_first_seen": v["first_seen"], "replay_url": v["replay_url"],
    }
    assert a["current_version"] == v["version"]


# --- small rules -----------------------------------------------------------------------------------


def test_json_columns_keep_their_characters_and_an_absent_list_is_empty():
    assert store._json(None) == "[]"
    assert store._json([]) == "[]"
    assert store._json(["Zoë Ü", {"a": 1}]) == '["Zoë Ü", {"a": 1}]'


def test_qa_hash_is_sha256_of_the_turns_in_canonical_json():
    turns = [{"text": "é?", "speaker": "Ann", "role": "question"}]
    canonical = '[{"role":"question","speaker":"Ann","text":"é?"}]'
    assert store.qa_hash(turns) == hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    empty = hashlib.sha256(b"[]").hexdigest()
    assert store.qa_hash([]) == empty and store.qa_hash(None) == empty


@pytest.mark.parametrize("published, year", [
    ("2016-03-11", 2016), ("2016", 2016), ("1999-12-31T23:00:00Z", 1999),
    ("201", None), ("20a6-03-11", None), ("", None), (None, None), (" 2016-03-11", None),
])
def test_the_year_is_the_first_four_digits_of_the_published_date(published, year):
    assert store._year(published) == year


def test_a_capture_is_inserted_once_by_its_record_id(db):
    first = cap(1)
    assert store.capture_exists(db, first["id"]) is False
    assert store.get_capture(db, first["id"]) is None
    assert store.insert_capture(db, first) is True
    assert store.insert_capture(db, {**first, "url": f"{HOST}/other", "status": 404}) is False
    assert store.capture_exists(db, first["id"]) is True
    assert store.capture_exists(db, "urn:uuid:nothing") is False
    got = store.get_capture(db, first["id"])
    assert {k: got[k] for k in first} == first  # the second insert wrote nothing
    assert got["version_id"] is None and got["outcome"] is None
    assert q(db, "SELECT count(*) n FROM captures") == [{"n": 1}]


# --- versions --------------------------------------------------------------------------------------


FULL = dict(
    title="Water Crisis", summary="In short.", authors=["Zoë Adams", "Bo Li"], published="2016-03-11",
    read_time_minutes=4, kind="interview", topics=["Water", "Aid"],
    qa=[{"speaker": "Ann", "role": "question", "text": "Why?"},
        {"speaker": "Bo Li", "role": "answer", "text": "Because."}],
    images=[{"src": "a.jpg", "caption": "Ü"}], extractor_version="9.9",
)


def test_a_version_holds_the_records_content_and_where_it_was_seen(db):
    r = rec("Body text.", **FULL)
    c = cap(1, crawl="c7")
    assert add(db, r, c) == ("new", 1)
    v = one(db, "SELECT * FROM versions")
    assert v == {
        "id": 1, "article_key": KEY, "version": 1, "content_hash": r.content_hash, "site": "syria",
        "url": URL, "title": "Water Crisis", "summary": "In short.", "authors": '["Zoë Adams", "Bo Li"]',
        "published": "2016-03-11", "year": 2016, "read_time_minutes": 4, "kind": "interview",
        "topics": '["Water", "Aid"]', "text": "Body text.", "images": '[{"src": "a.jpg", "caption": "Ü"}]',
        "qa_turns": 2, "qa_hash": store.qa_hash(FULL["qa"]), "extractor_version": "9.9", "cause": "site",
        "first_seen": day(1), "last_seen": day(1), "crawl_id": "c7", "capture_id": "urn:uuid:cap-1",
        "replay_url": f"http://r/1/{URL}",
    }
    assert q(db, "SELECT * FROM qa_turns ORDER BY position") == [
        {"version_id": 1, "position": 1, "speaker": "Ann", "role": "question", "text": "Why?"},
        {"version_id": 1, "position": 2, "speaker": "Bo Li", "role": "answer", "text": "Because."},
    ]
    assert article(db) == {"key": KEY, "site": "syria", "url": URL, "first_seen": day(1),
                           "last_seen": day(1), "current_version": 1, "current_version_id": 1,
                           "removed_at": None, "removed_in_crawl": None}
    got = store.get_capture(db, c["id"])
    assert (got["article_key"], got["version_id"], got["outcome"]) == (KEY, 1, "new")
    in_step(db)


def test_a_new_version_only_when_the_content_changes_and_a_return_to_old_content_is_one(db):
    steps = [
        (rec("A"), cap(1), ("new", 1)),
        (rec("A"), cap(2), ("unchanged", 1)),
        (rec("A", url=f"{HOST}/syria/x.html"), cap(3, url=f"{HOST}/syria/x.html"), ("unchanged", 1)),
        (rec("B"), cap(4), ("changed", 2)),
        (rec("B", title="T2"), cap(5), ("changed", 3)),
        (rec("A"), cap(6), ("changed", 4)),
        (rec("A"), cap(7), ("unchanged", 4)),
    ]
    for r, c, expected in steps:
        assert add(db, r, c) == expected
        in_step(db)
    assert q(db, "SELECT id, version, text, title, first_seen, last_seen, capture_id FROM versions "
                 "ORDER BY id") == [
        {"id": 1, "version": 1, "text": "A", "title": "T", "first_seen": day(1), "last_seen": day(3),
         "capture_id": "urn:uuid:cap-1"},
        {"id": 2, "version": 2, "text": "B", "title": "T", "first_seen": day(4), "last_seen": day(4),
         "capture_id": "urn:uuid:cap-4"},
        {"id": 3, "version": 3, "text": "B", "title": "T2", "first_seen": day(5), "last_seen": day(5),
         "capture_id": "urn:uuid:cap-5"},
        {"id": 4, "version": 4, "text": "A", "title": "T", "first_seen": day(6), "last_seen": day(7),
         "capture_id": "urn:uuid:cap-6"},
    ]
    assert q(db, "SELECT id, version_id, outcome, article_key FROM captures ORDER BY id") == [
        {"id": f"urn:uuid:cap-{n}", "version_id": v, "outcome": o, "article_key": KEY}
        for n, v, o in [(1, 1, "new"), (2, 1, "unchanged"), (3, 1, "unchanged"), (4, 2, "changed"),
                        (5, 3, "changed"), (6, 4, "changed"), (7, 4, "unchanged")]
    ]
    a = article(db)
    assert (a["current_version"], a["current_version_id"], a["first_seen"], a["last_seen"], a["url"]) == (
        4, 4, day(1), day(7), URL)
    assert q(db, "SELECT count(*) n FROM articles") == [{"n": 1}]


def test_captures_out_of_order_move_times_outward_and_the_url_only_forward(db):
    other = f"{HOST}/syria/x.html"
    add(db, rec("A"), cap(5))
    assert add(db, rec("A", url=other), cap(3, url=other)) == ("unchanged", 1)  # earlier, elsewhere
    a = article(db)
    assert (a["url"], a["first_seen"], a["last_seen"]) == (URL, day(3), day(5))
    v = one(db, "SELECT first_seen, last_seen FROM versions")
    assert v == {"first_seen": day(5), "last_seen": day(5)}  # last_seen never goes back
    in_step(db)
    # The same time under another URL: the later-read capture's URL wins a tie.
    assert add(db, rec("A", url=other), cap(6, url=other, fetched_at=day(5))) == ("unchanged", 1)
    assert article(db)["url"] == other
    in_step(db)
    assert add(db, rec("A"), cap(7, fetched_at=day(8))) == ("unchanged", 1)
    a = article(db)
    assert (a["url"], a["first_seen"], a["last_seen"]) == (URL, day(3), day(8))
    assert one(db, "SELECT last_seen FROM versions") == {"last_seen": day(8)}
    in_step(db)


def test_an_earlier_capture_of_changed_content_is_a_version_seen_then(db):
    add(db, rec("A"), cap(5))
    assert add(db, rec("B"), cap(2)) == ("changed", 2)
    a = article(db)
    assert (a["first_seen"], a["last_seen"], a["current_version"]) == (day(2), day(5), 2)
    assert one(db, "SELECT first_seen, last_seen FROM versions WHERE version = 2") == {
        "first_seen": day(2), "last_seen": day(2)}
    in_step(db)


def test_a_capture_without_a_time_is_seen_now(db):
    before = utc_now()
    add(db, rec("A"), cap(1, fetched_at=None))
    after = utc_now()
    a = article(db)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", a["first_seen"])
    assert before <= a["first_seen"] == a["last_seen"] <= after
    assert one(db, "SELECT first_seen FROM versions")["first_seen"] == a["first_seen"]


def test_an_article_row_without_a_current_version_gets_version_one(db):
    db.execute("INSERT INTO articles (key, site, url, first_seen, last_seen) VALUES (?, 'syria', ?, ?, ?)",
               [KEY, f"{HOST}/old", day(1), day(1)])
    assert add(db, rec("A"), cap(3)) == ("new", 1)
    a = article(db)
    assert (a["url"], a["first_seen"], a["last_seen"], a["current_version"]) == (URL, day(1), day(3), 1)
    in_step(db)


def test_a_revisit_is_stored_with_its_payload_captures_bytes(db):
    orig = cap(1)
    add(db, rec("A"), orig)
    revisit = cap(2, is_revisit=1, refers_to=orig["id"], replay_url=None)
    assert add(db, rec("A"), revisit, orig) == ("unchanged", 1)
    # A revisit of changed content (another article's payload, say): the version points at the bytes.
    third = cap(3, is_revisit=1, refers_to=orig["id"], replay_url="http://r/3")
    assert add(db, rec("B"), third, orig) == ("changed", 2)
    v = one(db, "SELECT capture_id, replay_url, crawl_id, first_seen, url FROM versions WHERE version = 2")
    assert v == {"capture_id": orig["id"], "replay_url": orig["replay_url"], "crawl_id": "c1",
                 "first_seen": day(3), "url": URL}
    assert q(db, "SELECT id, version_id, outcome FROM captures ORDER BY id") == [
        {"id": "urn:uuid:cap-1", "version_id": 1, "outcome": "new"},
        {"id": "urn:uuid:cap-2", "version_id": 1, "outcome": "unchanged"},
        {"id": "urn:uuid:cap-3", "version_id": 2, "outcome": "changed"},
    ]
    in_step(db)


def test_next_version_counts_from_the_highest_of_the_article(db):
    add(db, rec("A"), cap(1))
    add(db, rec("B"), cap(2))
    add(db, rec("A", key="syria/articles/2016/03/11/y"), cap(3))
    assert store._next_version(db, KEY) == 3
    assert store._next_version(db, "syria/articles/2016/03/11/y") == 2
    assert store._next_version(db, "syria/none") == 1


# --- facets and speakers ---------------------------------------------------------------------------


def test_facets_are_linked_once_per_trimmed_name(db):
    r = rec("A", authors=[" Zoë Adams ", "Zoë Adams", "", "Bo Li"], topics=["Water", None, "Water "],
            qa=[{"speaker": " Ann ", "role": "question", "text": "Q?"},
                {"speaker": None, "role": "answer", "text": "A."},
                {"speaker": "Ann", "role": "question", "text": "Q2?"}])
    add(db, r, cap(1))
    for table, link, names in [("authors", "authors_versions", ["Zoë Adams", "Bo Li"]),
                               ("topics", "topics_versions", ["Water"]),
                               ("speakers", "speakers_versions", ["Ann"])]:
        assert q(db, f"SELECT t.name, l.versions_id FROM {link} l JOIN {table} t ON t.id = l.{table}_id "
                     f"ORDER BY t.id") == [{"name": n, "versions_id": 1} for n in names]
    # The record's own lists are kept as given.
    assert one(db, "SELECT authors FROM versions")["authors"] == '[" Zoë Adams ", "Zoë Adams", "", "Bo Li"]'
    # A second version reuses the lookup rows and links its own id.
    add(db, rec("B", authors=["Bo Li"]), cap(2))
    assert q(db, "SELECT id, name FROM authors ORDER BY id") == [{"id": 1, "name": "Zoë Adams"},
                                                               {"id": 2, "name": "Bo Li"}]
    assert q(db, "SELECT versions_id, authors_id FROM authors_versions ORDER BY versions_id, authors_id") == [
        {"versions_id": 1, "authors_id": 1}, {"versions_id": 1, "authors_id": 2},
        {"versions_id": 2, "authors_id": 2}]


def test_speakers_counts_follow_the_current_version(db):
    turns = [{"speaker": "Ann", "role": "question", "text": "Q1?"},
             {"speaker": " Ann", "role": "question", "text": "Q2?"},
             {"speaker": "Bo", "role": "answer", "text": "A."}]
    add(db, rec("A", qa=turns), cap(1))

    def speakers():
        return q(db, "SELECT name, interviews, questions, answers, role FROM speakers ORDER BY name")

    assert speakers() == [
        {"name": "Ann", "interviews": 1, "questions": 2, "answers": 0, "role": "question"},
        {"name": "Bo", "interviews": 1, "questions": 0, "answers": 1, "role": "answer"},
    ]
    add(db, rec("A", qa=turns), cap(2))  # unchanged: the counts stay
    assert speakers()[0]["interviews"] == 1
    add(db, rec("B", qa=[{"speaker": "Ann", "role": "answer", "text": "A."}]), cap(3))
    assert speakers() == [
        {"name": "Ann", "interviews": 1, "questions": 0, "answers": 1, "role": "answer"},
        {"name": "Bo", "interviews": 0, "questions": 0, "answers": 0, "role": None},
    ]
    in_step(db)


# --- reading a version back ------------------------------------------------------------------------


def test_a_stored_version_gives_back_the_record_it_was_made_from(db):
    r = rec("Body.", **{**FULL, "qa": [{"speaker": "Ann", "role": "question", "text": f"Q{i}?"}
                                       for i in range(12)]})
    _, version_id = add(db, r, cap(1))
    assert store.record_from_version(db, version_id) == r
    assert store.record_from_version(db, version_id + 1) is None


def test_a_version_with_empty_columns_reads_back_as_the_records_defaults(db):
    db.execute("INSERT INTO versions (id, article_key, version, content_hash, site, url) "
               "VALUES (7, ?, 1, 'h', 'syria', ?)", [KEY, URL])
    assert store.record_from_version(db, 7) == Record(
        url=URL, key=KEY, site="syria", title="", summary="", authors=[], published=None,
        read_time_minutes=None, kind="article", topics=[], text="", qa=[], images=[], content_hash="h",
        extractor_version=None)


def test_the_newest_version_read_from_a_payload_capture(db):
    orig = cap(1)
    add(db, rec("A"), orig)
    db.execute("UPDATE versions SET extractor_version = 'old'")
    current = store.stale_versions(db, "new")[0]
    assert store.apply_reextraction(db, current, rec("A2", extractor_version="new")) == "reextracted"
    add(db, rec("A", key="syria/articles/2016/03/11/y"), cap(2))
    db.execute("UPDATE versions SET capture_id = ? WHERE article_key = ?",
               [orig["id"], "syria/articles/2016/03/11/y"])
    assert store.newest_version_from(db, orig["id"], KEY) == 2
    assert store.newest_version_from(db, orig["id"], "syria/articles/2016/03/11/y") == 3
    assert store.newest_version_from(db, "urn:uuid:cap-2", KEY) is None
    assert store.newest_version_from(db, orig["id"], "syria/none") is None


# --- a newer extractor -----------------------------------------------------------------------------


def test_stale_versions_are_the_current_ones_another_extractor_made_with_bytes(db):
    keys = [f"syria/articles/2016/03/11/{c}" for c in "abcde"]
    for n, key in enumerate(keys, start=1):
        add(db, rec("A", key=key, url=f"{HOST}/{key}", extractor_version="1.0"), cap(n, url=f"{HOST}/{key}"))
    add(db, rec("B", key=keys[0], url=f"{HOST}/{keys[0]}", extractor_version="1.0"),
        cap(6, url=f"{HOST}/{keys[0]}"))
    db.execute("UPDATE versions SET extractor_version = '2.0' WHERE article_key = ?", [keys[1]])
    db.execute("UPDATE versions SET extractor_version = NULL WHERE article_key = ?", [keys[2]])
    db.execute("UPDATE versions SET capture_id = NULL WHERE article_key = ?", [keys[3]])
    got = store.stale_versions(db, "2.0")
    hashes = {k: rec("A", key=k, url=f"{HOST}/{k}", extractor_version="1.0").content_hash for k in keys}
    assert got == [
        {"id": 3, "article_key": keys[2], "capture_id": "urn:uuid:cap-3", "url": f"{HOST}/{keys[2]}",
         "first_seen": day(3), "content_hash": hashes[keys[2]]},
        {"id": 5, "article_key": keys[4], "capture_id": "urn:uuid:cap-5", "url": f"{HOST}/{keys[4]}",
         "first_seen": day(5), "content_hash": hashes[keys[4]]},
        {"id": 6, "article_key": keys[0], "capture_id": "urn:uuid:cap-6", "url": f"{HOST}/{keys[0]}",
         "first_seen": day(6), "content_hash": rec("B", key=keys[0], url=f"{HOST}/{keys[0]}").content_hash},
    ]
    assert store.stale_versions(db, "1.0") == [got[0] | {"id": 2, "article_key": keys[1],
                                                          "capture_id": "urn:uuid:cap-2",
                                                          "url": f"{HOST}/{keys[1]}", "first_seen": day(2),
                                                          "content_hash": hashes[keys[1]]}, got[0]]


def test_the_same_content_read_again_only_records_the_new_extractor(db):
    add(db, rec("A", extractor_version="1.0"), cap(1))
    current = store.stale_versions(db, "2.0")[0]
    assert store.apply_reextraction(db, current, rec("A", extractor_version="2.0")) == "same"
    assert q(db, "SELECT id, version, extractor_version FROM versions") == [
        {"id": 1, "version": 1, "extractor_version": "2.0"}]
    assert store.stale_versions(db, "2.0") == []


def test_changed_content_read_again_is_a_version_caused_by_the_extractor_at_the_captures_time(db):
    first = cap(1, crawl="c1")
    add(db, rec("A", extractor_version="1.0", qa=[{"speaker": "Ann", "role": "answer", "text": "x"}]),
        first)
    add(db, rec("A", extractor_version="1.0", qa=[{"speaker": "Ann", "role": "answer", "text": "x"}]),
        cap(4, crawl="c2"))  # unchanged, seen later
    current = store.stale_versions(db, "2.0")[0]
    new = rec("A, read better", url=f"{HOST}/elsewhere", title="T+", extractor_version="2.0",
              qa=[{"speaker": "Bo", "role": "answer", "text": "y"}])
    assert store.apply_reextraction(db, current, new) == "reextracted"
    v = one(db, "SELECT * FROM versions WHERE version = 2")
    assert {k: v[k] for k in ("id", "version", "cause", "first_seen", "last_seen", "crawl_id",
                              "capture_id", "replay_url", "url", "title", "extractor_version")} == {
        "id": 2, "version": 2, "cause": "extractor", "first_seen": day(1), "last_seen": day(1),
        "crawl_id": "c1", "capture_id": first["id"], "replay_url": first["replay_url"], "url": URL,
        "title": "T+", "extractor_version": "2.0"}
    a = article(db)
    assert (a["current_version"], a["current_version_id"], a["last_seen"]) == (2, 2, day(4))
    in_step(db)
    assert q(db, "SELECT name, interviews FROM speakers ORDER BY name") == [
        {"name": "Ann", "interviews": 0}, {"name": "Bo", "interviews": 1}]
    # No change of the site: the crawl that captured the bytes counts no change for it.
    assert store.crawl_counts(db, "c1")["changed"] == 0


def test_a_reextraction_without_its_capture_row_or_first_seen(db):
    add(db, rec("A", extractor_version="1.0"), cap(2))
    current = store.stale_versions(db, "2.0")[0]
    gone = {**current, "capture_id": "urn:uuid:gone"}
    b = rec("B", url=f"{HOST}/b", extractor_version="2.0")
    assert store.apply_reextraction(db, gone, b) == "reextracted"
    v = one(db, "SELECT url, crawl_id, capture_id, first_seen, replay_url FROM versions WHERE version = 2")
    assert v == {"url": f"{HOST}/b", "crawl_id": None, "capture_id": "urn:uuid:gone",
                 "first_seen": day(2), "replay_url": None}
    # No first_seen on the version: the capture's time; neither: now.
    current = {**store.stale_versions(db, "3.0")[0], "first_seen": None, "capture_id": "urn:uuid:cap-2"}
    store.apply_reextraction(db, current, rec("C", extractor_version="3.0"))
    assert one(db, "SELECT first_seen FROM versions WHERE version = 3") == {"first_seen": day(2)}
    current = {**store.stale_versions(db, "4.0")[0], "first_seen": None, "capture_id": "urn:uuid:gone"}
    before = utc_now()
    store.apply_reextraction(db, current, rec("D", extractor_version="4.0"))
    seen = one(db, "SELECT first_seen FROM versions WHERE version = 4")["first_seen"]
    assert before <= seen <= utc_now()
    in_step(db)


# --- WARC bytes ------------------------------------------------------------------------------------


def write_warc(path, items) -> list[tuple[str, int, int]]:
    """(url, body, warc type) records in a plain WARC; (record id, offset, length) of each."""
    out = []
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=False, warc_version="1.1")
        for url, body, kind in items:
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8"),
                                               ("X-Test", "1")], protocol="HTTP/1.1")
            if kind == "revisit":
                record = writer.create_revisit_record(url, "sha1:AAAA", url, day(1), http_headers=http)
            else:
                record = writer.create_warc_record(url, "response", payload=io.BytesIO(body),
                                                   length=len(body), http_headers=http)
            start = fh.tell()
            writer.write_record(record)
            rid = record.rec_headers.get_header("WARC-Record-ID").strip("<>")
            out.append((rid, start, fh.tell() - start))
    return out


@pytest.fixture
def warc(db, tmp_path):
    """A WARC of two pages and a revisit, its file row and captures (ids as the WARC gives them)."""
    path = tmp_path / "w" / "t.warc"
    path.parent.mkdir()
    other = f"{HOST}/syria/articles/2016/03/11/y"
    placed = write_warc(path, [(URL, b"<p>one</p>", "response"), (other, "<p>twø</p>".encode(), "response"),
                               (URL, b"", "revisit")])
    db["warc_files"].insert({"name": "key-of-t", "file_name": "t.warc", "path": str(path),
                             "framing": "plain"})
    ids = []
    for (rid, offset, length), url, revisit in zip(placed, [URL, other, URL], [0, 0, 1], strict=True):
        row = Capture(id=rid, url=url, fetched_at=day(1), warc_file="key-of-t", warc_offset=offset,
                      warc_length=length, is_revisit=revisit, refers_to=placed[0][0] if revisit else None).row
        store.insert_capture(db, row)
        ids.append(rid)
    return path, ids


def test_a_capture_reads_back_its_own_record(db, warc, tmp_path):
    path, (first, second, revisit) = warc
    record = store.read_capture(db, second)
    assert record.rec_headers.get_header("WARC-Record-ID").strip("<>") == second
    assert record_payload(record) == "<p>twø</p>".encode()
    # A path to the store works as well as an open one, and the payload of a revisit is its original's.
    db.conn.commit()
    payload = store.read_payload_capture(str(tmp_path / "archive.db"), revisit)
    assert payload.rec_headers.get_header("WARC-Record-ID").strip("<>") == first
    assert record_payload(payload) == b"<p>one</p>"
    with pytest.raises(KeyError, match="no capture 'urn:uuid:none'"):
        store.read_capture(db, "urn:uuid:none")


def test_a_revisit_with_no_payload_to_follow_is_no_capture_to_read(db, warc):
    store.insert_capture(db, Capture(id="urn:uuid:lost", is_revisit=1, refers_to="urn:uuid:none").row)
    with pytest.raises(KeyError, match="no payload-bearing capture for 'urn:uuid:lost'"):
        store.read_payload_capture(db, "urn:uuid:lost")
    with pytest.raises(KeyError, match="no payload-bearing capture for 'urn:uuid:none'"):
        store.read_payload_capture(db, "urn:uuid:none")


def test_a_file_that_no_longer_holds_the_capture_is_damage_not_another_records_bytes(db, warc):
    path, (first, second, _revisit) = warc
    row = store.get_capture(db, first)
    other = store.get_capture(db, second)
    # Another record at the offset (an id that is not the one there), or the right id under another URL.
    for bad in ({**row, "id": "urn:uuid:someone-else"}, {**row, "url": other["url"]},
                {**other, "warc_offset": row["warc_offset"], "warc_length": row["warc_length"]}):
        at = bad["warc_offset"]
        message = rf"^at offset {at}: t\.warc no longer holds this capture at offset {at} \(the file"
        with pytest.raises(ArchiveDamage, match=message + r" was changed or replaced\)$"):
            store.read_capture_row(db, bad)
    # Ids the store made up itself (urn:x-deeply:...) and ARC records have no WARC-Record-ID to match.
    made_up = {**row, "id": "urn:x-deeply:abc"}
    assert record_payload(store.read_capture_row(db, made_up)) == b"<p>one</p>"
    db.execute("UPDATE warc_files SET format = 'arc' WHERE name = 'key-of-t'")
    arc = store.read_capture_row(db, {**row, "id": "urn:uuid:anything"})
    assert record_payload(arc) == b"<p>one</p>"
    with pytest.raises(ArchiveDamage):  # an ARC's URI is still checked
        store.read_capture_row(db, {**row, "id": "urn:uuid:anything", "url": other["url"]})


def test_where_a_stored_archive_is_read_from(db, warc, tmp_path):
    path, (first, *_rest) = warc
    assert store.warc_path(db, "key-of-t") == path
    assert store.warc_path(db, "key-of-t", tmp_path / "moved") == tmp_path / "moved" / "t.warc"
    assert store.warc_path(db, "unknown.warc", "/x") == store.Path("/x/unknown.warc")
    assert store.warc_path(db, "unknown.warc") == store.Path("unknown.warc")
    db.execute("UPDATE warc_files SET path = NULL WHERE name = 'key-of-t'")
    assert store.warc_path(db, "key-of-t") == store.Path("t.warc")
    db.execute("UPDATE warc_files SET path = ?, file_name = NULL WHERE name = 'key-of-t'", [str(path)])
    assert store.warc_path(db, "key-of-t", "/x") == store.Path("/x/key-of-t")
    # The record is read from warc_dir, or from an explicit path.
    moved = tmp_path / "moved"
    moved.mkdir()
    (moved / "key-of-t").write_bytes(path.read_bytes())
    path.unlink()
    row = store.get_capture(db, first)
    assert record_payload(store.read_capture(db, first, moved)) == b"<p>one</p>"
    assert record_payload(store.read_payload_capture(db, first, moved)) == b"<p>one</p>"
    assert record_payload(store.read_capture_row(db, row, path=moved / "key-of-t")) == b"<p>one</p>"
    with pytest.raises(FileNotFoundError):
        store.read_capture(db, first)


def test_a_stored_framing_is_how_the_file_is_read(db, tmp_path):
    """The framing ingest found is the one read with: a file whose first gzip member holds one record
    and the rest share one (stream-gzip) would look record-gzip, and one whose first member holds two
    and each later record has its own (read at their offsets) would look stream-gzip."""
    plain = tmp_path / "p.warc"
    placed = write_warc(plain, [(URL, b"<p>one</p>", "response"), (URL, b"<p>two</p>", "response"),
                                (URL, b"<p>three</p>", "response")])
    data = plain.read_bytes()
    cut = placed[1][1]
    (tmp_path / "s.warc.gz").write_bytes(gzip.compress(data[:cut]) + gzip.compress(data[cut:]))
    cut = placed[2][1]
    head = gzip.compress(data[:cut])
    tail = gzip.compress(data[cut:])
    (tmp_path / "r.warc.gz").write_bytes(head + tail)
    for name, framing in [("s.warc.gz", "record-gzip"), ("r.warc.gz", "stream-gzip")]:
        with open(tmp_path / name, "rb") as fh:
            assert files.framing(fh) == framing  # what the file looks like
    rid, offset, length = placed[2]
    db["warc_files"].insert_all([
        {"name": name, "file_name": f"{name}.warc.gz", "path": str(tmp_path / f"{name}.warc.gz"),
         "framing": framing} for name, framing in [("s", "stream-gzip"), ("r", "record-gzip")]
    ])
    in_stream = Capture(id=rid, warc_file="s", warc_offset=offset, warc_length=length).row
    in_member = Capture(id=rid, warc_file="r", warc_offset=len(head), warc_length=len(tail)).row
    for row in (in_stream, in_member):
        assert record_payload(store.read_capture_row(db, row)) == b"<p>three</p>"
    # An unknown framing is not used: the file's own is read (here wrongly, so the check fails).
    for name in ("s", "r"):
        db.execute("UPDATE warc_files SET framing = 'nonsense' WHERE name = ?", [name])
    for row in (in_stream, in_member):
        with pytest.raises(ArchiveDamage):
            store.read_capture_row(db, row)


def test_an_unknown_framing_reads_an_ordinary_file_as_it_is(db, tmp_path):
    path = tmp_path / "g.warc.gz"
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=True, warc_version="1.1")
        writer.write_record(writer.create_warcinfo_record("g.warc.gz", {"software": "test"}))
        record = writer.create_warc_record(URL, "resource", payload=io.BytesIO(b"<p>r</p>"), length=8,
                                           warc_content_type="text/html")
        start = fh.tell()
        writer.write_record(record)
        length = fh.tell() - start
    db["warc_files"].insert({"name": "g", "path": str(path), "framing": None})
    row = Capture(id=record.rec_headers.get_header("WARC-Record-ID").strip("<>"), warc_file="g",
                  warc_offset=start, warc_length=length).row
    for framing in (None, "nonsense", "record-gzip"):
        db.execute("UPDATE warc_files SET framing = ? WHERE name = 'g'", [framing])
        assert record_payload(store.read_capture_row(db, row)) == b"<p>r</p>"


def test_a_record_whose_stored_length_is_not_the_files_is_damage(db, warc):
    path, (_first, _second, revisit) = warc
    row = store.get_capture(db, revisit)  # the file's last record
    with pytest.raises(ArchiveDamage, match="the file ends 1 bytes before the stored record's end"):
        store.read_capture_row(db, {**row, "warc_length": row["warc_length"] + 1})


def test_a_capture_inside_a_wacz_is_read_from_its_member(db, tmp_path):
    """Record ids as a foreign tool writes them (an X at either end is part of the id), in a WARC
    stored in a WACZ package."""
    inner = tmp_path / "inner.warc"
    with open(inner, "wb") as fh:
        writer = WARCWriter(fh, gzip=False, warc_version="1.1")
        placed = []
        for rid, body in [("<urn:test:X1X>", b"<p>x</p>"), ("<urn:test:2>", b"<p>2</p>")]:
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
            record = writer.create_warc_record(URL, "response", payload=io.BytesIO(body), length=len(body),
                                               http_headers=http, warc_headers_dict={"WARC-Record-ID": rid})
            start = fh.tell()
            writer.write_record(record)
            placed.append((rid.strip("<>"), start, fh.tell() - start))
    wacz = tmp_path / "p.wacz"
    with zipfile.ZipFile(wacz, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("datapackage.json", "{}")
        zf.write(inner, "archive/data.warc")
    db["warc_files"].insert({"name": "p.wacz", "path": str(wacz), "framing": "plain"})
    rows = [Capture(id=rid, warc_file="p.wacz", warc_offset=offset, warc_length=length).row
            | {"warc_member": "archive/data.warc"} for rid, offset, length in placed]
    assert [record_payload(store.read_capture_row(db, r)) for r in rows] == [b"<p>x</p>", b"<p>2</p>"]
    with pytest.raises(ArchiveDamage) as damage:
        store.read_capture_row(db, {**rows[0], "warc_offset": rows[1]["warc_offset"],
                                    "warc_length": rows[1]["warc_length"]})
    assert damage.value.member == "archive/data.warc" and damage.value.offset == rows[1]["warc_offset"]
    assert str(damage.value).startswith(f"at archive/data.warc at offset {rows[1]['warc_offset']}: p.wacz ")


def test_stale_versions_are_read_again_from_their_bytes(db, warc, tmp_path):
    path, (first, second, revisit) = warc
    other = f"{HOST}/syria/articles/2016/03/11/y"
    for cid, key, url in [(first, KEY, URL), (second, "syria/articles/2016/03/11/y", other)]:
        db.execute("UPDATE captures SET crawl_id = NULL WHERE id = ?", [cid])
        old = rec("old", key=key, url=url, extractor_version="1.0")
        store.apply_record(db, old, store.get_capture(db, cid))
    seen = []

    def extract(html, url, headers):
        seen.append((html, url, headers))
        return rec("new" if url == URL else "old", key=KEY if url == URL else "syria/articles/2016/03/11/y",
                   url=url, extractor_version="2.0")

    counts = store.reextract_stale(db, extract, "2.0")
    assert counts == {"reextracted": 1, "same": 1, "unreadable": 0}
    headers = [("Content-Type", "text/html; charset=utf-8"), ("X-Test", "1")]
    assert seen == [(b"<p>one</p>", URL, headers), ("<p>twø</p>".encode(), other, headers)]
    assert store.reextract_stale(db, extract, "2.0") == {"reextracted": 0, "same": 0, "unreadable": 0}
    # The version's URL is the one read with; without one, the WARC's target URI.
    db.execute("UPDATE versions SET extractor_version = '1.0', url = NULL WHERE article_key = ?",
               ["syria/articles/2016/03/11/y"])
    seen.clear()
    assert store.reextract_stale(db, extract, "2.0") == {"reextracted": 0, "same": 1, "unreadable": 0}
    assert [u for _h, u, _hd in seen] == [other]
    db.execute("UPDATE versions SET extractor_version = '1.0'")
    assert store.reextract_stale(db, extract, "2.0") == {"reextracted": 0, "same": 2, "unreadable": 0}


def test_a_stale_version_from_a_record_without_http_headers_is_read_with_none(db, tmp_path):
    path = tmp_path / "res.warc"
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=False, warc_version="1.1")
        record = writer.create_warc_record(URL, "resource", payload=io.BytesIO(b"<p>r</p>"), length=8,
                                           warc_content_type="text/html")
        writer.write_record(record)
        length = fh.tell()
    db["warc_files"].insert({"name": "res.warc", "path": str(path)})
    row = Capture(id=record.rec_headers.get_header("WARC-Record-ID").strip("<>"), warc_file="res.warc",
                  warc_offset=0, warc_length=length).row
    store.insert_capture(db, row)
    store.apply_record(db, rec("old", extractor_version="1.0"), row)
    seen = []

    def extract(html, url, headers):
        seen.append((html, url, headers))
        return rec("new", extractor_version="2.0")

    assert store.reextract_stale(db, extract, "2.0") == {"reextracted": 1, "same": 0, "unreadable": 0}
    assert seen == [(b"<p>r</p>", URL, [])]


def test_stale_versions_whose_bytes_cannot_be_read_or_give_another_article_are_unreadable(db, warc, tmp_path):
    path, (first, second, revisit) = warc
    y = "syria/articles/2016/03/11/y"
    store.apply_record(db, rec("old", extractor_version="1.0"), store.get_capture(db, first))
    store.apply_record(db, rec("old", key=y, url=f"{HOST}/{y}", extractor_version="1.0"),
                       store.get_capture(db, second))

    def nothing(html, url, headers):
        return None

    def another(html, url, headers):
        return rec("x", key="syria/articles/2016/03/11/z", extractor_version="2.0")

    assert store.reextract_stale(db, nothing, "2.0") == {"reextracted": 0, "same": 0, "unreadable": 2}
    assert store.reextract_stale(db, another, "2.0") == {"reextracted": 0, "same": 0, "unreadable": 2}
    moved = tmp_path / "moved"
    moved.mkdir()
    (moved / "t.warc").write_bytes(path.read_bytes())
    path.unlink()  # OSError without warc_dir; readable from warc_dir

    def same(html, url, headers):
        return rec("old", key=KEY if url == URL else y, url=url, extractor_version="2.0")

    assert store.reextract_stale(db, same, "2.0") == {"reextracted": 0, "same": 0, "unreadable": 2}
    db.execute("UPDATE captures SET warc_offset = 0 WHERE id = ?", [second])  # damage: another record there
    db.execute("UPDATE versions SET capture_id = 'urn:uuid:gone' WHERE article_key = ?", [KEY])  # KeyError
    assert store.reextract_stale(db, same, "2.0", warc_dir=moved) == {"reextracted": 0, "same": 0,
                                                                      "unreadable": 2}
    db.execute("UPDATE captures SET warc_offset = ?, warc_length = NULL WHERE id = ?",
               [write_warc_offsets(moved / "t.warc")[1], second])
    assert store.reextract_stale(db, same, "2.0", warc_dir=moved) == {"reextracted": 0, "same": 1,
                                                                      "unreadable": 1}


def write_warc_offsets(path) -> list[int]:
    from warcio.archiveiterator import ArchiveIterator

    with open(path, "rb") as fh:
        it = ArchiveIterator(fh)
        return [it.get_record_offset() for _ in it]


# --- revisits --------------------------------------------------------------------------------------


def entry(**kw) -> Entry:
    kw.setdefault("url", URL)
    return Entry(record_id="urn:uuid:the-revisit", warc_type="revisit",
                 fetched_at=kw.pop("fetched_at", None), status=kw.pop("status", 200), mime="text/html",
                 payload_digest=kw.pop("payload_digest", None), offset=0, length=0, **kw)


def put(db, n, **kw) -> str:
    kw.setdefault("fetched_at", day(n))
    row = Capture(id=f"urn:uuid:c{n}", **kw).row
    store.insert_capture(db, row)
    return row["id"]


def found(db, e) -> str | None:
    row = store.resolve_revisit(db, e)
    return row["id"] if row else None


def test_a_revisit_resolves_by_its_record_id_through_revisits_of_revisits(db):
    put(db, 1)
    put(db, 2, is_revisit=1, refers_to="urn:uuid:c1")
    put(db, 3, is_revisit=1, refers_to="urn:uuid:c2")
    assert found(db, entry(refers_to="urn:uuid:c1")) == "urn:uuid:c1"
    assert found(db, entry(refers_to="urn:uuid:c3")) == "urn:uuid:c1"
    # A cycle, a revisit pointing nowhere, or a lost original: nothing by id, and no other rule applies.
    put(db, 4, is_revisit=1, refers_to="urn:uuid:c5")
    put(db, 5, is_revisit=1, refers_to="urn:uuid:c4")
    put(db, 6, is_revisit=1)
    put(db, 7, is_revisit=1, refers_to="urn:uuid:none")
    for rid in ("urn:uuid:c4", "urn:uuid:c6", "urn:uuid:c7", "urn:uuid:none"):
        assert found(db, entry(refers_to=rid)) is None
    assert store._follow(db, None) is None
    assert store._follow(db, store.get_capture(db, "urn:uuid:c1"))["id"] == "urn:uuid:c1"


def test_a_revisit_by_record_id_that_fails_falls_back_to_uri_and_date(db):
    put(db, 1)
    put(db, 2)
    e = entry(refers_to="urn:uuid:none", refers_to_uri=URL, refers_to_date=day(2))
    assert found(db, e) == "urn:uuid:c2"


def test_a_revisit_resolves_by_target_uri_and_date_to_the_second(db):
    other = f"{HOST}/other"
    put(db, 1, url=other)
    put(db, 2, url=other, fetched_at="2024-05-02T10:20:30.250Z")
    put(db, 3, url=other, fetched_at="2024-05-02T10:20:30Z", is_revisit=1)
    put(db, 4, url=other, fetched_at=day(4), is_revisit=1)
    put(db, 5, url=other, fetched_at=day(4))
    assert found(db, entry(refers_to_uri=other, refers_to_date=day(1))) == "urn:uuid:c1"
    assert found(db, entry(refers_to_uri=other, refers_to_date="2024-05-02T10:20:30Z")) == "urn:uuid:c2"
    assert found(db, entry(refers_to_uri=other, refers_to_date="2024-05-02T10:20:30.9Z")) == "urn:uuid:c2"
    assert found(db, entry(refers_to_uri=other, refers_to_date=day(4))) == "urn:uuid:c5"
    assert found(db, entry(refers_to_uri=other, refers_to_date=day(9))) is None
    assert found(db, entry(refers_to_uri=URL, refers_to_date=day(1))) is None  # a date of another URL
    assert found(db, entry(refers_to_uri=other)) is None  # no date: no URI rule, and no digest
    assert found(db, entry(url=other, refers_to_date=day(1))) is None  # no URI: likewise


def test_a_revisit_resolves_by_digest_preferring_its_target_then_a_200_then_the_latest(db):
    other = f"{HOST}/other"
    put(db, 1, url=other, payload_digest="sha1:D")
    assert found(db, entry(payload_digest="sha1:D")) == "urn:uuid:c1"  # any URL, failing all else
    put(db, 2, payload_digest="sha1:D", status=404)
    assert found(db, entry(payload_digest="sha1:D")) == "urn:uuid:c2"  # its own URL first
    put(db, 3, payload_digest="sha1:D", status=200)
    put(db, 4, payload_digest="sha1:D", status=200)
    put(db, 5, payload_digest="sha1:D", status=None)
    put(db, 6, payload_digest="sha1:D", status=200, is_revisit=1)
    assert found(db, entry(payload_digest="sha1:D")) == "urn:uuid:c4"  # a 200, the latest
    # The target is WARC-Refers-To-Target-URI when given (and no date to look it up by).
    assert found(db, entry(payload_digest="sha1:D", refers_to_uri=other)) == "urn:uuid:c1"
    assert found(db, entry(payload_digest="sha1:E")) is None
    # The digest comes after the URI and date, which win when they find a capture.
    by_date = {"payload_digest": "sha1:D", "refers_to_uri": URL}
    assert found(db, entry(**by_date, refers_to_date=day(2))) == "urn:uuid:c2"
    assert found(db, entry(**by_date, refers_to_date=day(9))) == "urn:uuid:c4"


def test_a_server_not_modified_revisit_resolves_to_the_latest_200_of_its_url_before_it(db):
    profile = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"
    other = f"{HOST}/other"
    put(db, 1)
    put(db, 2, status=200)
    put(db, 3, status=404)
    put(db, 4, status=200, is_revisit=1)
    put(db, 5, url=other)
    put(db, 6)
    assert found(db, entry(profile=profile, fetched_at=day(5))) == "urn:uuid:c2"
    assert found(db, entry(profile=profile, fetched_at=day(6))) == "urn:uuid:c6"  # at the same second too
    assert found(db, entry(profile=profile)) == "urn:uuid:c6"
    assert found(db, entry(profile=profile, fetched_at=day(1))) == "urn:uuid:c1"
    assert found(db, entry(profile=profile, fetched_at="2024-04-30T00:00:00Z")) is None
    assert found(db, entry(profile=profile, refers_to_uri=other, fetched_at=day(9))) == "urn:uuid:c5"
    assert found(db, entry(profile="http://netpreserve.org/warc/1.1/revisit/identical-payload-digest",
                           fetched_at=day(9))) is None
    assert found(db, entry(fetched_at=day(9))) is None


# --- crawls and removal ----------------------------------------------------------------------------


def seed(db, keys, crawl="c1", start=1):
    """Each key an article captured once (a 200) in `crawl`."""
    for n, key in enumerate(keys, start=start):
        site = key.split("/")[0]
        add(db, rec("A", key=key, url=f"{HOST}/{key}"), cap(n, url=f"{HOST}/{key}", crawl=crawl))
        assert article(db, key)["site"] == site


def capture_in(db, n, key, crawl, status):
    """A capture of the article's URL in `crawl` answered `status` (ingest keys a failed page too)."""
    store.insert_capture(db, Capture(id=f"urn:uuid:cap-{n}", url=f"{HOST}/{key}", fetched_at=day(n),
                                     status=status, crawl_id=crawl, article_key=key).row)


def test_seen_keys_are_any_capture_of_the_crawl_but_a_404_or_410(db):
    keys = [f"syria/articles/2016/03/11/{c}" for c in "abcdefgh"]
    for n, (key, status) in enumerate(zip(keys, [200, 404, 410, 500, 503, None, 304, 429], strict=True)):
        capture_in(db, 10 + n, key, "c2", status)
    capture_in(db, 20, "syria/articles/2016/03/11/z", "c1", 200)  # another crawl's
    page = Capture(id="urn:uuid:page", url=f"{HOST}/syria", crawl_id="c2").row  # no article
    store.insert_capture(db, page)
    capture_in(db, 21, keys[1], "c2", 200)  # a 404 then a 200 in one crawl: seen
    assert store.seen_keys_of(db, "c2") == {keys[0], keys[1], keys[3], keys[4], keys[5], keys[6], keys[7]}
    assert store.seen_keys_of(db, "c9") == set()


def test_removal_only_for_a_404_or_410_or_no_capture_and_cleared_when_found_again(db):
    keys = [f"syria/articles/2016/03/11/{c}" for c in "abcdef"]
    a, b, c, d, e, f = keys
    seed(db, keys)
    assert store.mark_removed(db, "c1") == []
    db.execute("INSERT INTO crawls (id, finished) VALUES ('c2', ?)", [day(20)])
    add(db, rec("A", key=a, url=f"{HOST}/{a}"), cap(11, url=f"{HOST}/{a}", crawl="c2"))
    capture_in(db, 12, b, "c2", 404)
    capture_in(db, 13, c, "c2", 410)
    capture_in(db, 14, d, "c2", 500)
    capture_in(db, 15, f, "c2", 503)
    assert sorted(store.mark_removed(db, "c2")) == [b, c, e]
    for key in keys:
        gone = key in (b, c, e)
        row = article(db, key)
        assert (row["removed_at"], row["removed_in_crawl"]) == ((day(20), "c2") if gone else (None, None))
        in_step(db, key)
    assert one(db, "SELECT removed FROM crawls WHERE id = 'c2'") == {"removed": 3}
    # Marking again changes nothing (the removed keep their crawl), and returns nothing new.
    assert store.mark_removed(db, "c2") == []
    assert article(db, b)["removed_in_crawl"] == "c2"
    # Found again: by a capture folded in (unchanged or changed), or by the next crawl seeing it.
    add(db, rec("A", key=b, url=f"{HOST}/{b}"), cap(21, url=f"{HOST}/{b}", crawl="c3"))
    add(db, rec("changed", key=c, url=f"{HOST}/{c}"), cap(22, url=f"{HOST}/{c}", crawl="c3"))
    for key in (b, c):
        assert (article(db, key)["removed_at"], article(db, key)["removed_in_crawl"]) == (None, None)
        in_step(db, key)
    db.execute("UPDATE articles SET removed_at = ?, removed_in_crawl = 'c2' WHERE key = ?", [day(20), b])
    db.execute("UPDATE latest_versions SET removed_at = ? WHERE article_key = ?", [day(20), b])
    capture_in(db, 23, e, "c3", 500)
    capture_in(db, 24, d, "c3", 200)
    capture_in(db, 25, f, "c3", 200)
    assert sorted(store.mark_removed(db, "c3", when=day(25))) == [a]
    for key in keys:
        row = article(db, key)
        expected = (day(25), "c3") if key == a else (None, None)
        assert (row["removed_at"], row["removed_in_crawl"]) == expected, key
        in_step(db, key)
    assert store.crawl_counts(db, "c2")["removed"] == 0  # c2's row is refreshed by record_crawl
    assert one(db, "SELECT removed FROM crawls WHERE id = 'c3'") == {"removed": 1}


def test_removal_is_limited_to_the_sites_the_crawl_covered_and_the_keys_it_saw(db):
    keys = ["syria/articles/2016/03/11/a", "water/articles/2016/03/11/b", "arctic/articles/2016/03/11/c"]
    seed(db, keys)
    removed = store.mark_removed(db, "c2", seen_keys=[], sites=["syria", "water"], when=day(9))
    assert removed == [keys[0], keys[1]]
    assert article(db, keys[2])["removed_at"] is None
    # The keys seen may be given by the caller; only the articles of the sites named are candidates.
    removed = store.mark_removed(db, "c3", seen_keys={keys[0], keys[1]}, sites=["arctic"], when=day(10))
    assert removed == [keys[2]]
    assert [article(db, k)["removed_at"] for k in keys] == [None, None, day(10)]
    for key in keys:
        in_step(db, key)
    assert store.mark_removed(db, "c4", seen_keys=(), when=day(11)) == [keys[0], keys[1]]


def test_removed_at_is_the_crawls_end_else_its_last_capture_else_now(db):
    keys = [f"syria/articles/2016/03/11/{c}" for c in "ab"]
    seed(db, keys)
    capture_in(db, 5, keys[0], "c2", 200)
    capture_in(db, 7, keys[0], "c2", 200)
    store.ensure_crawl(db, "c2")
    assert store.mark_removed(db, "c2") == [keys[1]]
    assert article(db, keys[1])["removed_at"] == day(7)
    before = utc_now()
    assert store.mark_removed(db, "c3", seen_keys=[]) == [keys[0]]
    assert before <= article(db, keys[0])["removed_at"] <= utc_now()
    assert one(db, "SELECT status FROM crawls WHERE id = 'c3'") == {"status": "ingested"}


def test_mark_removed_takes_a_path_and_commits(db, tmp_path):
    seed(db, ["syria/articles/2016/03/11/a"])
    db.conn.commit()
    path = str(tmp_path / "archive.db")
    assert store.mark_removed(path, "c2", when=day(9)) == ["syria/articles/2016/03/11/a"]
    assert article(db, "syria/articles/2016/03/11/a")["removed_at"] == day(9)


# --- crawl rows --------------------------------------------------------------------------------------


def test_crawl_counts_come_from_the_store(db):
    keys = [f"syria/articles/2016/03/11/{c}" for c in "abcd"]
    seed(db, keys[:3], crawl="c1")
    add(db, rec("B", key=keys[0], url=f"{HOST}/{keys[0]}"), cap(11, url=f"{HOST}/{keys[0]}", crawl="c2"))
    add(db, rec("A", key=keys[1], url=f"{HOST}/{keys[1]}"), cap(12, url=f"{HOST}/{keys[1]}", crawl="c2"))
    add(db, rec("A", key=keys[1], url=f"{HOST}/{keys[1]}"), cap(13, url=f"{HOST}/{keys[1]}", crawl="c2"))
    add(db, rec("A", key=keys[3], url=f"{HOST}/{keys[3]}"), cap(14, url=f"{HOST}/{keys[3]}", crawl="c2"))
    capture_in(db, 15, keys[2], "c2", 404)
    store.insert_capture(db, Capture(id="urn:uuid:page", url=f"{HOST}/syria", crawl_id="c2").row)
    store.mark_removed(db, "c2", when=day(20))
    assert store.crawl_counts(db, "c2") == {"new_articles": 1, "changed": 1, "unchanged": 1, "removed": 1,
                                            "captures": 6}
    assert store.crawl_counts(db, "c1") == {"new_articles": 3, "changed": 0, "unchanged": 0, "removed": 0,
                                            "captures": 3}
    assert store.crawl_counts(db, "c9") == {"new_articles": 0, "changed": 0, "unchanged": 0, "removed": 0,
                                            "captures": 0}
    crawl = one(db, "SELECT * FROM crawls WHERE id = 'c2'")
    counted = ("new_articles", "changed", "unchanged", "removed", "captures", "status")
    assert {k: crawl[k] for k in counted} == {
        "new_articles": 1, "changed": 1, "unchanged": 1, "removed": 1, "captures": 6, "status": "ingested"}


def test_unchanged_is_never_negative(db):
    # Versions credited to a crawl whose captures were never folded in (none touched): 0, not -1.
    db.execute("INSERT INTO versions (article_key, version, content_hash, crawl_id) "
               "VALUES ('k', 1, 'h', 'c1')")
    assert store.crawl_counts(db, "c1")["unchanged"] == 0
    db.execute("INSERT INTO versions (article_key, version, content_hash, crawl_id, cause) "
               "VALUES ('k', 2, 'h2', 'c1', NULL)")
    assert store.crawl_counts(db, "c1") == {"new_articles": 1, "changed": 1, "unchanged": 0, "removed": 0,
                                            "captures": 0}


def test_a_crawl_row_takes_what_the_crawler_knows_and_counts_the_rest(db, tmp_path):
    seed(db, ["syria/articles/2016/03/11/a"], crawl="c1")
    got = store.record_crawl(db, "c1", started=day(1), finished=day(2), start_urls=(f"{HOST}/syria",),
                             status="complete", full=True, warc_files=["/w/a.warc.gz", "b.warc"],
                             notes={"note": "é"}, requisite_hosts={"z": 1, "a": ["ü"]}, pages=9, errors=None,
                             captures=None, changed=5)
    assert got == "c1"
    assert one(db, "SELECT * FROM crawls") == {
        "id": "c1", "started": day(1), "finished": day(2), "status": "complete", "full_crawl": 1,
        "start_urls": f'["{HOST}/syria"]', "warc_files": '["a.warc.gz", "b.warc"]', "pages": 9,
        "requisites": None, "new_articles": 1, "changed": 5, "unchanged": 0, "removed": 0, "errors": None,
        "captures": 1, "notes": '{"note": "é"}', "requisite_hosts": '{"a": ["ü"], "z": 1}'}
    # Again with less: what is not given stays, the counts are refreshed; a note may be plain text.
    store.record_crawl(db, "c1", full=False, notes="plain", errors=0)
    crawl = one(db, "SELECT * FROM crawls")
    assert (crawl["full_crawl"], crawl["notes"], crawl["errors"], crawl["changed"], crawl["status"],
            crawl["started"]) == (0, "plain", 0, 0, "complete", day(1))
    with pytest.raises(TypeError, match="^unknown crawl fields: bogus, other$"):
        store.record_crawl(db, "c1", other=1, bogus=2)
    # Notes that are no JSON are refused, and the row is left as it was.
    before = q(db, "SELECT * FROM crawls")
    with pytest.raises(TypeError, match="not JSON serializable"):
        store.record_crawl(db, "c1", notes={"hosts": {"a"}}, status="failed")
    assert q(db, "SELECT * FROM crawls") == before


def test_a_crawl_without_an_id_is_named_for_its_start(db, tmp_path):
    db.conn.commit()
    path = tmp_path / "archive.db"
    assert store.record_crawl(path, started="2024-05-01T12:30:05Z") == "crawl-20240501T123005Z"
    assert one(db, "SELECT id, started, status FROM crawls") == {
        "id": "crawl-20240501T123005Z", "started": "2024-05-01T12:30:05Z", "status": "ingested"}
    assert re.fullmatch(r"crawl-\d{8}T\d{6}Z", store.record_crawl(db))


def test_ensure_crawl_adds_a_row_once(db):
    store.ensure_crawl(db, "c1")
    db.execute("UPDATE crawls SET status = 'complete' WHERE id = 'c1'")
    store.ensure_crawl(db, "c1")
    assert q(db, "SELECT id, status FROM crawls") == [{"id": "c1", "status": "complete"}]


def test_reingest_of_the_same_capture_adds_nothing(db):
    c = cap(1)
    add(db, rec("A"), c)
    assert store.insert_capture(db, c) is False  # ingest stops here for a known record id
    before = {t: q(db, f"SELECT * FROM {t}") for t in ("articles", "versions", "captures", "latest_versions")}
    store.apply_record(db, rec("A"), c)  # even folding it in again moves nothing
    assert {t: q(db, f"SELECT * FROM {t}") for t in before} == {
        **before, "captures": [{**before["captures"][0], "outcome": "unchanged"}]}

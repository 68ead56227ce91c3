"""Which earlier record a revisit stands for, rule by rule in order of certainty, over records as the
reader gives them: the record id, the target URI and date to the second, the payload digest (same
URL first, then a 200, then the latest), and for a not-modified revisit the latest 200 before it."""

from __future__ import annotations

from archive.records import Record
from archive.revisits import RevisitIndex

URL = "https://www.newsdeeply.com/syria/articles/2013/07/05/homs"
OTHER = "https://www.newsdeeply.com/syria/articles/2013/07/06/aleppo"
NOT_MODIFIED = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"
IDENTICAL = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"


def response(rid, url=URL, at="2024-05-01T12:00:00Z", status=200, digest="sha1:AAA", offset=0):
    return Record(record_id=rid, warc_type="response", url=url, fetched_at=at, status=status,
                  mime="text/html", payload_digest=digest, offset=offset, length=10, body=b"<html>")


def revisit(rid, url=URL, at="2024-06-01T12:00:00Z", digest=None, profile=IDENTICAL, **refers):
    return Record(record_id=rid, warc_type="revisit", url=url, fetched_at=at, status=200, mime=None,
                  payload_digest=digest, offset=0, length=10, profile=profile, **refers)


def index_of(*records, path="a.warc.gz"):
    index = RevisitIndex()
    for record in records:
        index.remember(record, path)
    return index


def test_the_record_id_first_and_a_revisit_of_a_revisit_reaches_the_original():
    first = response("<urn:1>", digest="sha1:X")
    second = response("<urn:2>", digest="sha1:X", at="2024-05-02")
    index = index_of(first, second)
    found = index.resolve(revisit("<urn:3>", digest="sha1:X", refers_to="<urn:1>"))
    assert found.record is first  # the id wins over the digest's latest
    again = index.resolve(revisit("<urn:4>", refers_to="<urn:3>"))
    assert again.record is first
    assert index.resolve(revisit("<urn:5>", refers_to="<urn:unknown>")) is None


def test_the_target_uri_and_date_match_to_the_second():
    first = response("<urn:1>", at="2024-05-01T12:00:00Z", digest=None)
    later = response("<urn:2>", at="2024-05-01T12:00:01Z", digest=None)
    index = index_of(first, later)
    found = index.resolve(revisit("<urn:3>", refers_to_uri=URL, refers_to_date="2024-05-01T12:00:00.250Z"))
    assert found.record is first
    assert index.resolve(revisit("<urn:4>", refers_to_uri=URL, refers_to_date="2024-05-01T12:00:02Z")) is None
    # A date without its URI, or a URI without its date, is no such reference.
    assert index.resolve(revisit("<urn:5>", refers_to_date="2024-05-01T12:00:00Z")) is None
    assert index.resolve(revisit("<urn:6>", refers_to_uri=URL)) is None


def test_a_digest_prefers_the_same_url_then_a_200_then_the_latest():
    elsewhere = response("<urn:1>", url=OTHER, at="2024-05-09", digest="sha1:D")
    moved = response("<urn:2>", at="2024-05-08", status=301, digest="sha1:D")
    old = response("<urn:3>", at="2024-05-01", digest="sha1:D")
    new = response("<urn:4>", at="2024-05-02", digest="sha1:D")
    assert index_of(elsewhere, moved, old, new).resolve(revisit("<urn:5>", digest="sha1:D")).record is new
    assert index_of(elsewhere, moved).resolve(revisit("<urn:5>", digest="sha1:D")).record is moved
    assert index_of(elsewhere).resolve(revisit("<urn:5>", digest="sha1:D")).record is elsewhere
    # The target URI, when the revisit names one, is the URL preferred.
    found = index_of(elsewhere, old).resolve(revisit("<urn:5>", digest="sha1:D", refers_to_uri=OTHER))
    assert found.record is elsewhere
    assert index_of(old).resolve(revisit("<urn:5>", digest="sha1:OTHER")) is None


def test_a_not_modified_revisit_takes_the_latest_200_of_its_url_at_or_before_it():
    old = response("<urn:1>", at="2024-05-01T00:00:00Z", digest=None)
    same_time = response("<urn:2>", at="2024-06-01T12:00:00Z", digest=None)
    after = response("<urn:3>", at="2024-07-01T00:00:00Z", digest=None)
    error = response("<urn:4>", at="2024-05-15T00:00:00Z", status=500, digest=None)
    other = response("<urn:5>", url=OTHER, at="2024-05-20T00:00:00Z", digest=None)
    index = index_of(old, same_time, after, error, other)
    assert index.resolve(revisit("<urn:6>", profile=NOT_MODIFIED)).record is same_time
    assert index_of(old, after).resolve(revisit("<urn:7>", profile=NOT_MODIFIED)).record is old
    assert index_of(after).resolve(revisit("<urn:8>", profile=NOT_MODIFIED)) is None
    # Without a date of its own, any 200 of its URL: the latest.
    assert index_of(old, after).resolve(revisit("<urn:9>", at=None, profile=NOT_MODIFIED)).record is after
    # The identical-payload profile never falls back to the URL alone.
    assert index_of(old).resolve(revisit("<urn:10>", profile=IDENTICAL)) is None
    assert index_of(old).resolve(revisit("<urn:11>", profile=None)) is None


def test_what_the_index_keeps_of_a_record():
    record = response("<urn:1>")
    index = index_of(record, path="x/a.warc.gz")
    assert record.body is None  # where the bytes are, never the bytes
    original = index.by_id["<urn:1>"]
    assert (original.path, original.status, original.mime) == ("x/a.warc.gz", 200, "text/html")
    # The first reading of an id stays; revisits are never originals.
    index.remember(response("<urn:1>", at="2024-09-09"), "b.warc.gz")
    assert index.by_id["<urn:1>"].path == "x/a.warc.gz"
    index.remember(revisit("<urn:2>", digest="sha1:AAA"), "b.warc.gz")
    assert "<urn:2>" not in index.by_id and len(index.by_digest["sha1:AAA"]) == 2


def test_a_record_id_read_twice_is_taken_once_and_a_record_without_one_always():
    index = RevisitIndex()
    assert index.first_reading(response("<urn:1>")) is True
    assert index.first_reading(response("<urn:1>")) is False
    assert index.first_reading(response("")) is True
    assert index.first_reading(response("")) is True

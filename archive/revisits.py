"""Which earlier record a revisit stands for: the one rule, in order of certainty.

1. WARC-Refers-To (a record id; a revisit of a revisit is followed to its original);
2. WARC-Refers-To-Target-URI with WARC-Refers-To-Date (to the second);
3. the payload digest (the identical-payload-digest profile's promise), preferring the same URL,
   then a 200, then the latest;
4. for a server-not-modified revisit, the latest 200 of its URL at or before it.

The store applies these rules in SQL over everything it holds (`storage.store.resolve_revisit`);
`RevisitIndex` applies them in memory over the records read so far, for readers without a store
(`deeply extract`). Both profiles (identical-payload-digest, server-not-modified) go through the same
rules; the counts of revisits neither could resolve are reported by both.
"""

from __future__ import annotations

from dataclasses import dataclass

from archive.records import Record, read_record_at, record_payload


@dataclass
class Original:
    path: str
    record: Record
    framing: str | None = None

    @property
    def status(self) -> int | None:
        return self.record.status

    @property
    def mime(self) -> str | None:
        return self.record.mime


class RevisitIndex:
    def __init__(self) -> None:
        self.by_id: dict[str, Original] = {}
        self.by_uri_date: dict[tuple[str, str], Original] = {}
        self.by_digest: dict[str, list[Original]] = {}
        self.by_url_200: dict[str, list[Original]] = {}
        self.seen: set[str] = set()

    def first_reading(self, record: Record) -> bool:
        """A record id read before is the same capture (as in the store): taken once, counted once."""
        if not record.record_id:
            return True
        if record.record_id in self.seen:
            return False
        self.seen.add(record.record_id)
        return True

    def remember(self, record: Record, path, framing: str | None = None) -> None:
        """A response (or a resolved revisit's original, under the revisit's id) read from `path`."""
        if record.is_revisit:
            return
        original = Original(str(path), record, framing)
        record.body = None  # the index keeps where the bytes are, never the bytes
        if record.record_id:
            self.by_id.setdefault(record.record_id, original)
        if record.fetched_at:
            self.by_uri_date.setdefault((record.url, record.fetched_at[:19]), original)
        if record.payload_digest:
            self.by_digest.setdefault(record.payload_digest, []).append(original)
        if record.status == 200:
            self.by_url_200.setdefault(record.url, []).append(original)

    def resolve(self, revisit: Record) -> Original | None:
        found = self._resolve(revisit)
        if found is not None and revisit.record_id:
            self.by_id.setdefault(revisit.record_id, found)  # a revisit of this revisit finds it too
        return found

    def _resolve(self, revisit: Record) -> Original | None:
        if revisit.refers_to and revisit.refers_to in self.by_id:
            return self.by_id[revisit.refers_to]
        target = revisit.refers_to_uri or revisit.url
        if revisit.refers_to_uri and revisit.refers_to_date:
            found = self.by_uri_date.get((revisit.refers_to_uri, revisit.refers_to_date[:19]))
            if found is not None:
                return found
        if revisit.payload_digest and revisit.payload_digest in self.by_digest:
            return max(self.by_digest[revisit.payload_digest],
                       key=lambda o: (o.record.url == target, o.status == 200, o.record.fetched_at or ""))
        if "not-modified" in (revisit.profile or ""):
            before = [o for o in self.by_url_200.get(target, [])
                      if not revisit.fetched_at or (o.record.fetched_at or "") <= revisit.fetched_at]
            if before:
                return max(before, key=lambda o: o.record.fetched_at or "")
        return None

    @staticmethod
    def payload_of(original: Original) -> tuple[list[tuple[str, str]], bytes]:
        """The original's HTTP headers and decoded payload, read back at its place."""
        rec = original.record
        back = read_record_at(original.path, rec.offset, rec.length, member=rec.member,
                              framing=original.framing)
        headers = list(back.http_headers.headers) if back.http_headers is not None else []
        return headers, record_payload(back)

"""A structural audit of every interview on the seven sites of the real copy.

Each article and op-ed goes through the extractor; for each one that comes out an interview, the
audit checks what must hold whatever the page says: every speaker is a resolved, non-empty name; no
turn holds a caption or a photo credit; a question is followed by an answer unless the page itself
sets two questions one after the other; and every paragraph of the body lands in exactly one of the
record's ``text`` or a turn (or is left out as a heading, a label or a closing section, never in
two). The counts are printed (``pytest -s``): they are the figures of ``docs/extraction.md``.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from extract.blocks import page_blocks
from extract.metadata import page_metadata
from extract.names import is_publication
from extract.page import build_record, parse_html
from extract.qa import ANSWER, QUESTION, set_apart, split_interview
from extract.urls import publication_name

pytestmark = pytest.mark.corpus

SITES = ("syria", "refugees", "water", "womenandgirls", "arctic", "malnutrition", "peacebuilding")
BASE = "http://127.0.0.1:8765/"
# A picture's caption or credit: "(AFP/…)", "(Photo by …/Getty Images)", "(Courtesy of …)", "(NOAA)".
CREDIT = re.compile(
    r"\((?:[^()]*\b(?:Photo|Photos|photo|Courtesy|courtesy|AFP|Reuters|AP|Getty|EPA|Flickr|Images)\b[^()]*"
    r"|[A-Z][\w.&-]*(?: [A-Z][\w.&-]*)*/[^()]+|NOAA[^()]*)\)\s*$"
    r"|^(?:Top (?:image|photo)|Photo|Image|Credit)\s*:",
)
INITIALS = re.compile(r"^(?:[A-Z]\.?){2,5}$")


def _pages(corpus_dir: Path) -> list[Path]:
    """Articles and op-eds, the zero-padded copy of each only (HTTrack saved some twice)."""
    files: list[Path] = []
    for site in SITES:
        for section in ("articles", "community"):
            for path in sorted((corpus_dir / site / section).glob("*/*/*/*.html")):
                if re.fullmatch(r"\d{4}/\d\d/\d\d", "/".join(path.parts[-4:-1])):
                    files.append(path)
    return files


def _unresolved(speaker: str, speakers: set[str]) -> bool:
    """Empty, initials, a split publication, or a short form of a name the same page gives in full."""
    if not speaker.strip() or INITIALS.match(speaker) or re.search(r"\bHubs? and\b", speaker):
        return True
    if speaker.casefold() in {"q", "a", "question", "answer", "interviewer"}:
        return True
    if len(speaker.split()) == 1:
        return any(speaker in other.split() and other != speaker for other in speakers)
    return False


@pytest.fixture(scope="module")
def audit(network_corpus_dir):
    corpus_dir = network_corpus_dir
    present = [s for s in SITES if (corpus_dir / s / "articles").is_dir()]
    if len(present) < len(SITES):
        pytest.skip(f"the sister sites are not under {corpus_dir} (only {present})")
    faults: dict[str, list[str]] = {}
    counts: Counter = Counter()
    per_site: Counter = Counter()

    def fault(kind: str, rel: str, what: str) -> None:
        faults.setdefault(kind, []).append(f"{rel}: {what}")

    for path in _pages(corpus_dir):
        rel = path.relative_to(corpus_dir).as_posix()
        body = path.read_bytes()
        record = build_record(body, BASE + rel)
        if record is None or record.kind != "interview":
            continue
        site = rel.split("/", 1)[0]
        per_site[site] += 1
        counts["interviews"] += 1
        counts["turns"] += len(record.qa)
        counts["questions"] += sum(t["role"] == QUESTION for t in record.qa)
        counts["answers"] += sum(t["role"] == ANSWER for t in record.qa)
        speakers = {t["speaker"] for t in record.qa}
        for turn in record.qa:
            if _unresolved(turn["speaker"], speakers):
                fault("unresolved speaker", rel, repr(turn["speaker"]))
            if not turn["text"].strip():
                fault("empty turn", rel, repr(turn["speaker"]))
            for paragraph in turn["text"].split("\n\n"):
                if CREDIT.search(paragraph) and len(paragraph) < 400:
                    fault("caption or credit in a turn", rel, paragraph[-80:])
        if {t["role"] for t in record.qa} != {QUESTION, ANSWER}:
            fault("no question or no answer", rel, str([t["role"] for t in record.qa]))
        publications = {t["speaker"] for t in record.qa if is_publication(t["speaker"])}
        counts["pages where the publication asks"] += bool(publications)

        # The partition, on the same blocks the extractor split.
        tree = parse_html(body)
        meta = page_metadata(tree)
        blocks = page_blocks(tree)
        if blocks is None:
            counts["interviews without a marked body"] += 1
            continue
        interview = split_interview(
            blocks, publication_name(site), [meta.title, meta.summary], record.authors
        )
        assert interview is not None and interview.turns == record.qa, rel
        places = interview.placement(blocks)
        for block, where in zip(blocks, places, strict=True):
            if (block.text or block.embeds) and len(where) != 1:
                fault("a paragraph in none or in two places", rel, f"{where} {block.text[:60]!r}")
            if block.heading and "intro" in where:
                fault("a heading in text", rel, block.text[:60])
        counts["paragraphs left out (headings, labels, closing sections)"] += sum(
            p == ["dropped"] for p in places
        )
        # Questions alternate with answers where the page does: two questions in a row only when
        # no paragraph stands between them on the page.
        order = [b for b in blocks if b.text]
        for k in range(1, len(interview.turns)):
            a, b = interview.turn_blocks[k - 1], interview.turn_blocks[k]
            if interview.turns[k - 1]["role"] == interview.turns[k]["role"] == QUESTION and a and b:
                last = interview.origin.get(id(a[-1]), a[-1])
                first = interview.origin.get(id(b[0]), b[0])
                if last in order and first in order and order.index(first) != order.index(last) + 1:
                    fault("two questions in a row", rel, interview.turns[k - 1]["text"][:60])
        counts["questions set apart without a label"] += sum(
            1 for tb, t in zip(interview.turn_blocks, interview.turns, strict=True)
            if t["role"] == QUESTION and tb and any(tb[0] is b for b in blocks) and set_apart(tb[0])
        )  # fmt: skip
        counts["pages in parts (<hr> or a section heading)"] += any(b.rule for b in blocks) and any(
            "dropped" in p for p in places
        )

    print(f"\n[interviews] per site: {dict(per_site)}")
    for name, n in counts.items():
        print(f"[interviews] {name}: {n}")
    for kind, found in faults.items():
        print(f"[interviews] FAULT {kind}: {len(found)}")
        for line in found[:8]:
            print(f"[interviews]    {line}")
    return per_site, counts, faults


def test_every_site_has_interviews(audit):
    per_site, counts, _faults = audit
    assert set(per_site) == set(SITES), per_site
    assert counts["interviews"] > 1000


@pytest.mark.parametrize(
    "kind",
    [
        "unresolved speaker",
        "empty turn",
        "caption or credit in a turn",
        "no question or no answer",
        "a paragraph in none or in two places",
        "a heading in text",
        "two questions in a row",
    ],
)
def test_the_audit_finds_nothing(audit, kind):
    _per_site, _counts, faults = audit
    assert not faults.get(kind), faults.get(kind, [])[:10]

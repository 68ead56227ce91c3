"""The extractor over the real copy of Syria Deeply and its six sister sites: every article, op-ed,
executive summary and explainer.

Each page is checked against its own statements, read here independently of the extractor: the
JSON-LD (headline, datePublished, author) and the meta table (read time). The figures, the worst
mismatches and the time are printed (``pytest -s`` or ``-rA`` shows them). The Homs interview is
checked against the reference visible text in ``shared/reference``. No article text is kept in
the project: everything is read from the copy at run time.
"""

from __future__ import annotations

import html
import json
import os
import re
import time
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import pytest

from extract.batch import extract_stream
from extract.page import build_record
from extract.pool import default_workers
from extract.urls import publication_name
from extract.warcs import Page

pytestmark = pytest.mark.corpus

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT.parent / "shared" / "reference" / "syria-deeply-homs-interview.txt"
HOMS = "syria/articles/2013/07/05/understanding-the-regime-offensive-in-homs.html"
BASE = "http://127.0.0.1:8765/"
SITES = ("syria", "refugees", "water", "womenandgirls", "arctic", "malnutrition", "peacebuilding")
PATTERNS = (
    "{site}/articles/*/*/*/*.html",
    "{site}/community/*/*/*/*.html",
    "{site}/executive-summaries/*/*/*.html",
    "{site}/background/*.html",
)
BOILERPLATE = re.compile(
    r"Dear Deeply Readers|Share Your Story|Suggest your story|Read the Rest|Welcome to the archives"
    r"|^(?:Most Popular|About the Author)$",  # whole paragraphs: a title may well say "Most Popular …"
    re.MULTILINE,
)
LEFTOVER = re.compile(r"<!–more–>|<!--more-->|source=[’'‘]picture|\[/caption\]|&nbsp;|\xa0|\]\[\d+\]")
REQUIRED = 0.995


def _norm(text: str) -> str:
    return " ".join(html.unescape(text or "").split())


def _own_jsonld(page: str) -> dict | None:
    """The page's JSON-LD, read as leniently as a reader would: raw newlines allowed, and for the
    blocks the site broke with unescaped quotes, one field per line."""
    m = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.DOTALL)
    if not m:
        return None
    raw = m.group(1)
    try:
        return json.loads(raw, strict=False)
    except ValueError:
        found = {}
        for key in ("headline", "datePublished"):
            line = re.search(rf'^\s*"{key}"\s*:\s*"(.*)",?\s*$', raw, re.MULTILINE)
            if line:
                found[key] = json.loads(f'"{line.group(1)}"', strict=False)
        author = re.search(r'"author"\s*:\s*(\{.*?\}|\[.*?\]|"[^"]*")\s*,\s*$', raw, re.DOTALL | re.MULTILINE)
        if author:
            found["author"] = json.loads(author.group(1), strict=False)
        return found


def _site_name(page: str) -> str | None:
    m = re.search(r'<meta property="og:site_name" content="([^"]*)"', page)
    return html.unescape(m.group(1)) if m else None


def _jsonld_entries(author, site: str = "syria", site_name: str | None = None) -> list[str]:
    """The JSON-LD author's own entries, one name string each, as the page gives them; the vertical's
    short name ("Syria", every executive summary) is the publication, under the project's name."""
    own = {site.casefold(), (site_name or "").casefold()}
    entries = author if isinstance(author, list) else [author]
    out = []
    for entry in entries:
        raw = (entry.get("name") if isinstance(entry, dict) else entry) or ""
        name = _norm(re.sub("[\ufeff\u200b]", "", raw))
        if name:
            out.append(publication_name(site) if name.casefold() in own else name)
    return out


# What may stand between two names in one JSON-LD entry.
BETWEEN = re.compile(r"(?:[\s,;+&]|\band\b)*", re.IGNORECASE)
# What is in an entry but names no writer: a dateline or outlet after a slash ("A / Aleppo and B",
# "A / Ayn Aasan, Aleppo province"), which runs to the next "and", "&", ";" or "+"; a credit for
# another role ("…, Edited by C").
NOT_A_WRITER = re.compile(
    r"\s*/[^;&+]*?(?=\s*(?:[;&+]|\band\b)|$)|[\s,]*(?:edited|photos?|translated) by\b[^;&+]*",
    re.IGNORECASE)
# The writers a byline names after a slash, labelled by reading their pages (the bio under the
# article is about that person); every other slash in the copy's bylines opens a place or outlet.
WRITERS_AFTER_A_SLASH = {"xanthe ackerman"}


def _authors_agree(authors: list[str], entries: list[str]) -> bool:
    """Each JSON-LD entry is covered by record authors, one or more, with nothing but separators,
    datelines and outlets between them; every author covers a piece of one entry. Checked against
    the page's own entries (in any order: the byline's order is not always the JSON-LD's), read as
    a person reads them, not split with a copy of the extractor's rules."""
    names = sorted(authors, key=len, reverse=True)  # the longest first: "Ann Lee" before "Ann"
    for entry in entries:
        text, at, used = entry.casefold(), 0, 0
        for _ in range(len(text) + 1):
            start = BETWEEN.match(text, at).end() if used else at
            name = next((n for n in names if text.startswith(n.casefold(), start)), None)
            if name is not None:
                names.remove(name)
                at, used = start + len(name), used + 1
                continue
            slash = re.match(r"\s*/\s*", text[at:])
            after = at + slash.end() if slash else at
            writer = next((w for w in WRITERS_AFTER_A_SLASH if text.startswith(w, after)), None)
            if slash and writer is not None:
                kept = next((n for n in names if n.casefold() == writer), None)
                if kept is None:
                    return False  # a writer read as an outlet
                names.remove(kept)
                at, used = after + len(writer), used + 1
                continue
            skipped = NOT_A_WRITER.match(text, at) if used else None
            if skipped is None or skipped.end() == at:
                break
            at = skipped.end()
        if not used or text[at:].strip(" ,;"):
            return False
    return not names


def _own_read_time(page: str) -> int | None:
    m = re.search(r"<small>Read time</small>\s*Approx\.\s*(\d+)\s*minute", page)
    return int(m.group(1)) if m else None


def _files(corpus_dir: Path) -> list[Path]:
    files: list[Path] = []
    for site in SITES:
        for pattern in PATTERNS:
            files.extend(sorted(corpus_dir.glob(pattern.format(site=site))))
    return files


@pytest.fixture(scope="module")
def corpus_run(network_corpus_dir):
    """Every page of the seven sites through the batch driver on all cores (its speed is the
    bench's to measure, not a test's)."""
    corpus_dir = network_corpus_dir
    files = _files(corpus_dir)
    assert len(files) > 4000, f"expected the whole copy under {corpus_dir}"

    def pages():
        for path in files:
            rel = path.relative_to(corpus_dir).as_posix()
            yield Page(BASE + quote(rel), [("Content-Type", "text/html; charset=utf-8")], path.read_bytes(),
                       rel)

    workers = default_workers()
    started = time.perf_counter()
    cpu = os.times()
    records = dict(extract_stream(pages(), workers=workers))
    seconds = time.perf_counter() - started
    spent = os.times()
    cpu_seconds = (spent.children_user + spent.children_system + spent.user + spent.system) - (
        cpu.children_user + cpu.children_system + cpu.user + cpu.system
    )
    print(
        f"\n[corpus] {len(files)} files extracted in {seconds:.1f} s on {workers} worker(s) "
        f"({len(files) / seconds:.0f} pages/s, {cpu_seconds:.0f} s of CPU)"
    )
    return corpus_dir, files, records, seconds


def test_pages_agree_with_their_own_json_ld_and_meta_table(corpus_run):
    corpus_dir, files, records, _seconds = corpus_run
    checked = Counter()
    agreed = Counter()
    mismatches: list[tuple[int, str, str]] = []
    no_jsonld = no_record = 0
    kinds = Counter()
    for path in files:
        rel = path.relative_to(corpus_dir).as_posix()
        record = records[rel]
        page = path.read_text(encoding="utf-8", errors="replace")
        own = _own_jsonld(page)
        if record is not None:
            kinds[record.kind] += 1
        if own is None:
            no_jsonld += 1
            if "/background/" in rel:
                assert record is not None and record.kind == "explainer" and record.title and record.published
            else:  # HTTrack's "Page has moved" stubs and empty files: no article
                assert record is None, rel
            continue
        if record is None and re.search(r"/executive-summaries/\d{4}/\d\d/\d\d[0-9a-f]{4}\.html$", rel):
            continue  # HTTrack's second copy of a day, its name four characters longer: no date, no key
        if record is None:
            no_record += 1
            mismatches.append((4, rel, "no record"))
            checked["page"] += 1
            continue
        site, site_name = rel.split("/", 1)[0], _site_name(page)
        entries = _jsonld_entries(own.get("author"), site, site_name)
        want = {
            "title": _norm(own.get("headline")),
            "published": (own.get("datePublished") or "")[:10],
            "authors": entries,
        }
        got = {
            "title": record.title,
            "published": record.published,
            "authors": entries if _authors_agree(record.authors, entries) else record.authors,
        }
        own_read_time = _own_read_time(page)
        if own_read_time is not None or record.read_time_minutes is not None:
            want["read_time"], got["read_time"] = own_read_time, record.read_time_minutes
        wrong = [field for field in want if want[field] != got[field]]
        for field in want:
            checked[field] += 1
            agreed[field] += field not in wrong
        checked["page"] += 1
        agreed["page"] += not wrong
        if wrong:
            mismatches.append((len(wrong), rel, "; ".join(f"{f}: {got[f]!r} != {want[f]!r}" for f in wrong)))

    print(f"\n[corpus] kinds: {dict(kinds)}; pages without JSON-LD: {no_jsonld} (stubs, explainers)")
    for field in ("title", "published", "authors", "read_time", "page"):
        if checked[field]:
            share = agreed[field] / checked[field]
            print(f"[corpus] {field:>24}: {agreed[field]}/{checked[field]} = {share:.2%}")
    print(f"[corpus] worst mismatches: {'none' if not mismatches else ''}")
    for _n, rel, what in sorted(mismatches, reverse=True)[:10]:
        print(f"[corpus]   {rel}: {what}")
    assert no_record == 0
    assert agreed["page"] / checked["page"] >= REQUIRED


def test_no_boilerplate_and_no_leftovers_anywhere(corpus_run):
    _corpus_dir, _files_, records, _seconds = corpus_run
    dirty = []
    for rel, record in records.items():
        if record is None:
            continue
        texts = [record.title, record.summary, record.text, *(t["text"] for t in record.qa)]
        texts += [t["speaker"] for t in record.qa] + record.authors + record.topics
        for text in texts:
            if BOILERPLATE.search(text) or LEFTOVER.search(text) or "  " in text:
                dirty.append((rel, text[:120]))
                break
    assert not dirty, dirty[:10]


def test_interviews_are_found(corpus_run):
    _corpus_dir, _files_, records, _seconds = corpus_run
    interviews = [r for r in records.values() if r is not None and r.kind == "interview"]
    assert len(interviews) > 600
    for record in interviews:
        roles = {t["role"] for t in record.qa}
        assert roles == {"question", "answer"}, record.key
        assert all(t["text"] for t in record.qa if t["role"] == "question"), record.key


def _reference_turns(text: str) -> tuple[list[str], list[tuple[str, str]], str]:
    """Labels and paragraphs of the reference visible text, labels resolved by their initials."""
    paragraphs = [p.strip() for p in text.split("\n\n") if p.strip()]
    start = next(i for i, p in enumerate(paragraphs) if p.startswith("Written by"))
    end = next(i for i, p in enumerate(paragraphs) if p.startswith("Suggest your story"))
    body = paragraphs[start + 1 : end]
    full: dict[str, str] = {}
    turns: list[tuple[str, str]] = []
    intro = []
    for paragraph in body:
        if paragraph.startswith("<"):  # an escaped leftover, shown as text on the page
            continue
        m = re.match(r"^([A-Z][\w .’'-]{0,40}): (.*)$", paragraph, re.DOTALL)
        if m:
            label = m.group(1)
            if " " in label:
                full["".join(w[0] for w in label.split())] = label
            turns.append((full.get(label, label), m.group(2)))
        elif turns:
            turns[-1] = (turns[-1][0], turns[-1][1] + " " + paragraph)
        else:
            intro.append(paragraph)
    return [s for s, _ in turns], turns, " ".join(intro)


def test_homs_interview_against_the_reference_text(corpus_dir):
    if not REFERENCE.exists():
        pytest.skip(f"reference text not found at {REFERENCE}")
    page = (corpus_dir / HOMS).read_bytes()
    record = build_record(page, BASE + HOMS)
    reference = REFERENCE.read_text(encoding="utf-8")
    speakers, turns, intro = _reference_turns(reference)

    assert len(turns) == 10
    assert [t["speaker"] for t in record.qa] == speakers
    assert [t["role"] for t in record.qa] == ["question", "answer"] * 5
    for got, (_speaker, text) in zip(record.qa, turns, strict=True):
        assert _norm(got["text"]) == _norm(text)
    assert record.kind == "interview"
    assert _norm(record.text) == _norm(intro)
    assert record.images == [{"id": "7288", "align": "alignright"}]
    assert record.title == "Understanding the Regime Offensive in Homs"
    assert record.authors == ["Karen Leigh"]
    assert record.published == "2013-07-05"
    assert record.read_time_minutes == 3
    everything = "\n".join([record.title, record.summary, record.text, *(t["text"] for t in record.qa)])
    assert not BOILERPLATE.search(everything)
    assert not LEFTOVER.search(everything)
    print(f"\n[corpus] Homs interview: {len(record.qa)} turns, speakers {sorted(set(speakers))}, image 7288")


PUBLICATION_NAMES = {publication_name(site) for site in SITES}


def _visible(page: str) -> str:
    """The page's text with every tag, script and style gone and no whitespace at all: what a
    paragraph of the record, also without whitespace, must be a piece of."""
    page = re.sub(r"<(script|style)\b.*?</\1>", "", page, flags=re.DOTALL | re.IGNORECASE)
    return re.sub(r"\s+", "", html.unescape(re.sub(r"<[^>]*>", "", page)))


def test_body_text_and_turns_come_from_the_page_and_speakers_are_named_in_it(corpus_run):
    """Nothing invented: each paragraph of the text and of every turn is on the page, and every
    speaker but the publication is named on it. Leftover markers the record drops mid-paragraph
    may split a few paragraphs, hence the share."""
    corpus_dir, _files_, records, _seconds = corpus_run
    found = total = speakers = 0
    missing, unnamed = [], []
    for rel, record in records.items():
        if record is None:
            continue
        visible = _visible((corpus_dir / rel).read_text(encoding="utf-8", errors="replace"))
        texts = (record.text, *(t["text"] for t in record.qa))
        paragraphs = [p for text in texts for p in text.split("\n\n")]
        for paragraph in filter(None, (re.sub(r"\s+", "", p) for p in paragraphs)):
            total += 1
            if paragraph in visible:
                found += 1
            else:
                missing.append((rel, paragraph[:80]))
        for speaker in {t["speaker"] for t in record.qa} - PUBLICATION_NAMES:
            speakers += 1
            # Word by word: a label resolved to a full name ("Marc" of "Marc and Debra Tice") or a
            # panel ("A and B") is named on the page in pieces.
            if not all(word in visible for word in speaker.split()):
                unnamed.append((rel, speaker))
    print(f"\n[corpus] paragraphs found on their page: {found}/{total}; first missing: {missing[:3]}")
    assert total > 50_000 and found / total >= 0.99, missing[:10]
    print(f"[corpus] speakers named on their page: {speakers - len(unnamed)}/{speakers}; not: {unnamed[:5]}")
    assert speakers > 1000 and not unnamed, unnamed[:10]

"""Deterministic, lazy generation of the sample site's content.

Every article is a pure function of (section, number of articles, index): its random generator is
seeded by strings, never by Python's per-process ``hash()``, so two processes produce the same bytes.
Nothing is generated up front: listings are index arithmetic over residue classes (see ``Stream``),
so a 20,000-article site costs no more to start or to page through than a 20-article one.
"""

from __future__ import annotations

import math
import random
import re
from bisect import bisect_left
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import lru_cache

from sample_site import words

SEED = "syria-deeply-sample-v1"
MIN_ARTICLES = 20
MAX_ARTICLES = 20_000
EDITIONS = (0, 1, 2)
PAGE_SIZE = 20

# The kind of article i is KINDS[i % 10]: fixed residues keep every listing O(1) to page through.
KINDS = (
    "article", "op-ed", "interview", "article", "executive-summary",
    "interview", "article", "op-ed", "interview", "article",
)
KIND_RESIDUES = {k: tuple(r for r, kk in enumerate(KINDS) if kk == k) for k in set(KINDS)}
NOT_SUMMARY = tuple(r for r, k in enumerate(KINDS) if k != "executive-summary")

# Interview markup varies by ordinal so that a 20-article site already shows every form.
INTERVIEW_STYLES = (
    ("strong", "initials"),
    ("b", "surname"),
    ("heading", "surname"),
    ("plain", "initials"),
    ("strong", "pair"),
    ("strong", "surname"),
    # The sister sites' forms (a 40-article site shows them all): questions set apart with no label
    # over unlabelled answers, a caption between two paragraphs of an answer and an editors' closing
    # section; two interviewees in two parts; a readers' Q&A; a panel answering one question in turn.
    ("bold-question", "unlabelled"),
    ("h3-question", "unlabelled"),
    ("parts", "first"),
    ("readers", "readers"),
    ("panel", "panel"),
    # An outlet's interview republished: its name ends in a number and shortens ("Example Review 360",
    # "er360"), a follow-up question carries no label, a pull quote sits inside an answer.
    ("republished", "outlet"),
)
NEW_FORMS = ("bold-question", "h3-question", "parts", "readers", "panel", "republished")

AP_MONTHS = ("Jan.", "Feb.", "March", "April", "May", "June", "July", "Aug.", "Sept.", "Oct.", "Nov.", "Dec.")
MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)


@dataclass(frozen=True)
class Section:
    """A Deeply site: Syria Deeply, or the small Refugees Deeply beside it."""

    slug: str
    name: str
    abbr: str
    start: date
    end: date
    twitter: str
    vertical: str

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


SYRIA = Section("syria", "Syria Deeply", "SD", date(2012, 3, 1), date(2018, 5, 13), "syriadeeply", "Syria")
REFUGEES = Section(
    "refugees", "Refugees Deeply", "RD", date(2016, 2, 1), date(2018, 4, 30), "refugeesdeeply", "Refugees"
)
REFUGEES_ARTICLES = 6


@dataclass(frozen=True)
class Stream:
    """The indices i with i % modulus in residues, read newest (highest index) first."""

    modulus: int
    residues: tuple[int, ...]

    def contains(self, i: int) -> bool:
        return i % self.modulus in self.residues

    def count_below(self, n: int) -> int:
        q, r = divmod(n, self.modulus)
        return q * len(self.residues) + bisect_left(self.residues, r)

    def ascending(self, k: int) -> int:
        q, r = divmod(k, len(self.residues))
        return q * self.modulus + self.residues[r]


@dataclass(frozen=True)
class Person:
    index: int
    name: str
    slug: str
    role: str
    bio: str


@dataclass(frozen=True)
class Block:
    """One unit of an article body; pages.py decides the markup, truth() reads the text."""

    kind: str  # start, intro, p, more, embed, turn, sub, list, fin, disclaimer; interviews also:
    # q (a question set apart, no label), a (an answer's first paragraph, no label), caption (a picture
    # and its credit), rule (<hr>), part (a section heading), closing (an editors' closing section),
    # qmore (a question going on in a bold paragraph), headline (a bold "Surname: headline" over that
    # person's first answer), pullquote, outro (after the last answer), player (an embed the outro
    # introduces), note (an italic closing note)
    text: str = ""
    items: tuple[str, ...] = ()
    role: str = ""  # turn: question / answer
    speaker: str = ""  # turn: the full name the label stands for
    label: str = ""  # turn: the label as printed
    short: bool = False  # turn: label printed as initials or surname
    more: str = ""  # p: an inline escaped <!--more--> at the 'start' or 'end'
    image: tuple[str, str] = ("", "")  # embed: (id, alignment)
    variant: int = 0  # embed: which real-world spelling of the marker
    item: bool = False  # q, a, p: inside a numbered list item, one item per question and its answer


@dataclass(frozen=True)
class Meta:
    """What listings, feeds and the page head need; cheap to compute."""

    section: Section
    index: int
    kind: str
    published: date
    clock: str
    modified: date
    slug: str
    title: str
    summary: str
    authors: tuple[Person, ...]
    topics: tuple[tuple[str, str], ...]
    feature: int
    caption: str
    credit: str
    data_id: int

    @property
    def directory(self) -> str:
        return {"op-ed": "community", "executive-summary": "executive-summaries"}.get(self.kind, "articles")

    def path(self, padded: bool = True) -> str:
        d = self.published
        ymd = f"{d.year}/{d.month:02d}/{d.day:02d}" if padded else f"{d.year}/{d.month}/{d.day}"
        base = f"/{self.section.slug}/{self.directory}/{ymd}"
        return base if self.kind == "executive-summary" else f"{base}/{self.slug}"

    @property
    def has_short_date(self) -> bool:
        return self.published.month < 10 or self.published.day < 10

    @property
    def categories(self) -> tuple[tuple[str, str], ...]:
        return {
            "article": (("articles", "Articles"), ("general", "General")),
            "interview": (("articles", "Articles"), ("qa", "Q&A")),
            "op-ed": (("community", "Community"), ("op-eds", "Op-Eds")),
        }.get(self.kind, ())


@dataclass(frozen=True)
class Article:
    meta: Meta
    style: str
    blocks: tuple[Block, ...]

    @property
    def read_time(self) -> int:
        return max(1, math.ceil(word_count(self) / 250))


@dataclass(frozen=True)
class Explainer:
    slug: str
    title: str
    updated: date
    paragraphs: tuple[str, ...]


@dataclass(frozen=True)
class Specials:
    """The articles an edition changes, chosen by position so that every site size has them."""

    edited: int
    retitled: int
    removed: int
    added: int

    def all(self) -> tuple[int, ...]:
        return (self.edited, self.retitled, self.removed, self.added)


# ---------------------------------------------------------------------------------------------
# Text helpers


SMALL_WORDS = {"a", "an", "the", "of", "in", "on", "and", "for", "to", "over", "from", "at"}
LINK = re.compile(r"\[\[([^|\]]+)\|([^\]]+)\]\]")
AN = re.compile(r"\b([Aa])(?= [aeiouAEIOU])")


def title_case(phrase: str) -> str:
    out = []
    for n, w in enumerate(phrase.split(" ")):
        if n and w.lower() in SMALL_WORDS:
            out.append(w.lower())
        elif w.startswith(("al-", "ez-")):
            out.append(w)
        else:
            out.append(w[:1].upper() + w[1:])
    return " ".join(out)


def a_or_an(text: str) -> str:
    return AN.sub(lambda m: m.group(1) + "n", text)


def slugify(title: str) -> str:
    s = title.lower().replace("’", "").replace("'", "").replace("&", "")
    return re.sub(r"[^a-z0-9]+", "-", s).strip("-")


def plain(text: str) -> str:
    """Link markup [[anchor|href]] reduced to the anchor: the text a reader sees."""
    return LINK.sub(r"\1", text)


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def long_date(d: date) -> str:
    return f"{MONTHS[d.month - 1]} {d.day:2d}, {d.year}"


def ap_date(d: date) -> str:
    return f"{AP_MONTHS[d.month - 1]} {d.day:2d}, {d.year}"


def word_count(article: Article) -> int:
    return sum(len(plain(t).split()) for t in paragraphs(article))


def slots(rng: random.Random) -> dict[str, str]:
    place, place2 = rng.sample(words.PLACES, 2)
    actor, actor2 = rng.sample(words.ACTORS, 2)
    theme, noun, adj = rng.choice(words.THEMES), rng.choice(words.NOUNS), rng.choice(words.ADJECTIVES)
    ar, en = rng.choice(words.ARABIC)
    return {
        "place": place, "place2": place2, "actor": actor, "actor2": actor2,
        "actor_c": actor[:1].upper() + actor[1:], "actor_t": title_case(actor),
        "theme": theme, "theme_t": title_case(theme), "noun": noun, "noun_t": title_case(noun),
        "verb": rng.choice(words.VERBS_PAST), "adj": adj, "adj_t": title_case(adj),
        "time": rng.choice(words.TIME_PHRASES), "neighbor": rng.choice(words.NEIGHBORS),
        "city": rng.choice(words.CITIES_ABROAD), "org": rng.choice(words.ORGS),
        "ar": ar, "en": en, "n": f"{rng.randrange(2, 90) * 100:,}", "pct": str(rng.randrange(5, 80)),
    }


def fill(template: str, rng: random.Random) -> str:
    return a_or_an(template.format(**slots(rng)))


def sentences(rng: random.Random, pool: tuple[str, ...], count: int) -> str:
    return " ".join(fill(rng.choice(pool), rng) for _ in range(count))


def typo(title: str) -> str:
    """Swap two inner letters of the longest word: the mistake edition 1 corrects."""
    parts = title.split(" ")
    k = max(range(len(parts)), key=lambda n: (len(parts[n]), -n))
    w = parts[k]
    if len(w) >= 4:
        parts[k] = w[0] + w[2] + w[1] + w[3:]
    else:
        parts[k] = w + w[-1]
    return " ".join(parts)


# ---------------------------------------------------------------------------------------------
# People


@lru_cache(maxsize=1024)
def person(section: Section, a: int) -> Person:
    """Contributor a; the coprime list lengths make (a % 30, a % 29) unique for a < 870."""
    offset = 13 if section is REFUGEES else 0
    k = a + offset
    name = f"{words.FIRST_NAMES[k % len(words.FIRST_NAMES)]} {words.SURNAMES[k % len(words.SURNAMES)]}"
    rng = random.Random(f"{SEED}:person:{section.slug}:{a}")
    role = f"{rng.choice(words.ROLES)} {rng.choice(words.ORGS)}"
    bio = (
        f"{name} is {role}. {name.split(' ')[0]} has reported from {rng.choice(words.PLACES)} and "
        f"{rng.choice(words.CITIES_ABROAD)} and writes about {rng.choice(words.THEMES)}."
    )
    return Person(a, name, slugify(name), role, bio)


def author_count(n: int) -> int:
    """Coprime to 10 and 13, so that author, kind and topic residues combine freely."""
    return 7 if n < 100 else 17 if n < 1000 else 37


def invented_name(rng: random.Random) -> tuple[str, str]:
    return rng.choice(words.FIRST_NAMES), rng.choice(words.SURNAMES)


def surname_label(last: str) -> str:
    return last[:1].upper() + last[1:]


def initials(first: str, last: str) -> str:
    core = last.split("-")[-1]
    return (first[0] + core[0]).upper()


# ---------------------------------------------------------------------------------------------
# The model of one site at one edition


@dataclass(frozen=True)
class SiteModel:
    section: Section
    n: int
    edition: int = 0
    # The edition whose "Most Popular" sidebar is shown; None follows `edition`. Re-crawl tests that
    # want article changes alone pin it, so unchanged pages keep their bytes.
    sidebar: int | None = None

    # -- structure -----------------------------------------------------------------------------

    @property
    def specials(self) -> Specials:
        return specials(self.n)

    @property
    def changes_apply(self) -> bool:
        return self.section is SYRIA and self.edition >= 1

    @property
    def removed(self) -> tuple[int, ...]:
        return (self.specials.removed,) if self.changes_apply else ()

    @property
    def extras(self) -> tuple[int, ...]:
        return (self.specials.added,) if self.changes_apply else ()

    def exists(self, i: int) -> bool:
        if i in self.extras:
            return True
        return 0 <= i < self.n and i not in self.removed

    def kind(self, i: int) -> str:
        return "article" if i >= self.n else KINDS[i % 10]

    def day(self, i: int) -> date:
        offset = self.section.days if i >= self.n else i * self.section.days // self.n
        return self.section.start + timedelta(days=offset)

    def day_range(self, d: date) -> range:
        """The base indices published on day d (the inverse of day())."""
        k = (d - self.section.start).days
        if k < 0 or k >= self.section.days:
            return range(0)
        days = self.section.days
        return range(-(-k * self.n // days), -(-(k + 1) * self.n // days))

    def author_indices(self, i: int) -> tuple[int, ...]:
        if self.kind(i) == "executive-summary":
            return ()
        a_count = author_count(self.n)
        a = i % a_count
        if i % 9 == 4:
            return (a, (a + 1 + (i // a_count) % (a_count - 1)) % a_count)
        return (a,)

    def topic_indices(self, i: int) -> tuple[int, ...]:
        if self.kind(i) == "executive-summary":
            return ()
        t = i % 13
        second = (i * 7 + 5) % 13
        return (t, second) if i % 3 == 0 and second != t else (t,)

    # -- streams ---------------------------------------------------------------------------------

    def stream(self, name: str, key: int = 0) -> Stream:
        if name == "topic":
            return Stream(130, tuple(r for r in range(130) if r % 13 == key and r % 10 in NOT_SUMMARY))
        if name == "author":
            m = 10 * author_count(self.n)
            a_count = author_count(self.n)
            return Stream(m, tuple(r for r in range(m) if r % a_count == key and r % 10 in NOT_SUMMARY))
        residues = {
            "all": NOT_SUMMARY,
            "articles": KIND_RESIDUES["article"] + KIND_RESIDUES["interview"],
            "general": KIND_RESIDUES["article"],
            "qa": KIND_RESIDUES["interview"],
            "community": KIND_RESIDUES["op-ed"],
            "op-eds": KIND_RESIDUES["op-ed"],
            "executive-summaries": KIND_RESIDUES["executive-summary"],
        }[name]
        return Stream(10, tuple(sorted(residues)))

    def in_stream(self, i: int, name: str, key: int) -> bool:
        """Membership for the few indices outside the residue arithmetic (the added article)."""
        kind = self.kind(i)
        if name == "topic":  # by primary topic and first author only: keeps listings residue arithmetic
            return self.topic_indices(i)[:1] == (key,)
        if name == "author":
            return self.author_indices(i)[:1] == (key,)
        wanted = {
            "all": ("article", "interview", "op-ed"), "articles": ("article", "interview"),
            "general": ("article",), "qa": ("interview",), "community": ("op-ed",), "op-eds": ("op-ed",),
            "executive-summaries": ("executive-summary",),
        }[name]
        return kind in wanted

    def listing(self, name: str, key: int = 0, page: int = 1) -> tuple[list[int], int]:
        """One page of a listing (newest first) and the page count, by residue arithmetic corrected
        for the one or two indices an edition removes or adds: page 700 of 20,000 articles costs
        what page 1 does."""
        stream = self.stream(name, key)
        extras = sorted((x for x in self.extras if self.in_stream(x, name, key)), reverse=True)
        removed = sorted((x for x in self.removed if stream.contains(x)), reverse=True)
        base_all = stream.count_below(self.n)
        total = len(extras) + base_all - len(removed)
        pages = max(1, -(-total // PAGE_SIZE))
        out: list[int] = []
        for pos in range((page - 1) * PAGE_SIZE, min(page * PAGE_SIZE, total)):
            if pos < len(extras):
                out.append(extras[pos])
                continue
            k = pos - len(extras)
            for r in removed:
                if r >= stream.ascending(base_all - 1 - k):
                    k += 1
            out.append(stream.ascending(base_all - 1 - k))
        return out, pages

    def previous(self, i: int) -> int | None:
        """The article before i by date, for the 'next article' link; skips removed ones."""
        j = min(i, self.n) - 1
        for _ in range(len(self.removed) + 2 + 10):
            if j < 0:
                return None
            if self.exists(j) and self.kind(j) != "executive-summary":
                return j
            j -= 1
        return None

    def popular(self) -> list[int]:
        """'Most Popular': a different five per edition, never an article an edition touches."""
        return list(popular(self))

    # -- articles --------------------------------------------------------------------------------

    def meta(self, i: int) -> Meta:
        m = base_meta(self.section, self.n, i)
        if self.changes_apply and i == self.specials.retitled:
            return replace(m, title=clean_title(self.section, self.n, i))
        return m

    def article(self, i: int) -> Article:
        edited = self.changes_apply and self.edition == 1 and i == self.specials.edited
        variant = "edited" if edited else "base"
        a = build_article(self.section, self.n, i, variant)
        return replace(a, meta=self.meta(i))

    def find(self, directory: str, y: int, mo: int, d: int, slug: str | None) -> int | None:
        """The index behind a dated path (padded or not), looking only at that day's few indices so that a
        lookup costs the same at any site size; None for no such article."""
        try:
            day = date(y, mo, d)
        except ValueError:
            return None
        candidates = [*self.day_range(day), *(x for x in self.extras if self.day(x) == day)]
        for i in candidates:
            if not self.exists(i):
                continue
            m = base_meta(self.section, self.n, i)
            if m.directory == directory and (slug is None or m.slug == slug):
                return i
        return None

    def by_data_id(self, data_id: int) -> int | None:
        i = data_id - 2000
        return i if self.exists(i) else None


@lru_cache(maxsize=64)
def popular(model: SiteModel) -> tuple[int, ...]:
    sidebar = model.edition if model.sidebar is None else model.sidebar
    rng = random.Random(f"{SEED}:popular:{model.section.slug}:{model.n}:{sidebar}")
    avoid = set(model.specials.all())
    picks: list[int] = []
    for _ in range(200):
        i = rng.randrange(model.n)
        if i not in avoid and i not in picks and model.kind(i) != "executive-summary":
            picks.append(i)
        if len(picks) == 5:
            break
    return tuple(picks)


def specials(n: int) -> Specials:
    def first(start: int, residue: int) -> int:
        i = start + (residue - start) % 10
        return i if i < n else i - 10

    return Specials(first(n // 3, 2), first(n // 2, 0), first(2 * n // 3, 3), n)


# ---------------------------------------------------------------------------------------------
# Cached generation (module level so that caches are shared by editions)


@lru_cache(maxsize=32768)
def raw_title(section: Section, n: int, i: int) -> str:
    t = clean_title(section, n, i)
    return typo(t) if section is SYRIA and i == specials(n).retitled else t


@lru_cache(maxsize=32768)
def clean_title(section: Section, n: int, i: int) -> str:
    model = SiteModel(section, n)
    if model.kind(i) == "executive-summary":
        d = model.day(i)
        return f"Executive Summary for {MONTHS[d.month - 1]} {ordinal(d.day)}"
    rng = random.Random(f"{SEED}:{section.slug}:{i}:title")
    title = title_case(fill(rng.choice(words.TITLE_TEMPLATES), rng))
    if model.kind(i) == "interview" and i % 4 == 1:
        title = f"Q&A: {title}"
    return title


@lru_cache(maxsize=32768)
def slug_for(section: Section, n: int, i: int) -> str:
    """Slug from the published (edition 0) title, made unique among same-day, same-directory items."""
    model = SiteModel(section, n)
    base = slugify(raw_title(section, n, i))
    if i >= n:
        return base
    same = [
        j for j in model.day_range(model.day(i))
        if j < i and directory_of(model.kind(j)) == directory_of(model.kind(i))
        and slugify(raw_title(section, n, j)) == base
    ]
    return f"{base}-{len(same) + 1}" if same else base


def directory_of(kind: str) -> str:
    return {"op-ed": "community", "executive-summary": "executive-summaries"}.get(kind, "articles")


@lru_cache(maxsize=8192)
def base_meta(section: Section, n: int, i: int) -> Meta:
    model = SiteModel(section, n)
    kind = model.kind(i)
    rng = random.Random(f"{SEED}:{section.slug}:{i}:meta")
    published = model.day(i)
    minute, second = rng.randrange(60), rng.randrange(60)
    clock = "00:00:00" if published.year < 2016 else f"{7 + i % 9:02d}:{minute:02d}:{second:02d}"
    if kind == "executive-summary":
        focus = fill(rng.choice(words.SUMMARY_FOCUS), rng)
        theme, place = rng.choice(words.THEMES), rng.choice(words.PLACES)
        summary = (f"We review the key developments in Syria, including {focus} "
                   f"and what {theme} means for {place}.")
    elif i % 12 == 7:
        summary = fill(rng.choice(words.QUOTED_SUMMARY_TEMPLATES), rng)
    else:
        summary = fill(rng.choice(words.SUMMARY_TEMPLATES), rng)
    return Meta(
        section=section,
        index=i,
        kind=kind,
        published=published,
        clock=clock,
        modified=published + timedelta(days=rng.randrange(0, 400)),
        slug=slug_for(section, n, i),
        title=raw_title(section, n, i),
        summary=summary,
        authors=tuple(person(section, a) for a in model.author_indices(i)),
        topics=tuple(words.TOPICS[t] for t in model.topic_indices(i)),
        feature=100000 + i,
        caption=fill(rng.choice(words.SENTENCES), rng),
        credit=rng.choice(words.PHOTO_CREDITS),
        data_id=2000 + i,
    )


@lru_cache(maxsize=1024)
def build_article(section: Section, n: int, i: int, variant: str) -> Article:
    model = SiteModel(section, n)
    meta = base_meta(section, n, i)
    rng = random.Random(f"{SEED}:{section.slug}:{i}:body")
    if meta.kind == "interview":
        style, blocks = interview_blocks(model, i, rng)
    elif meta.kind == "executive-summary":
        style, blocks = "summary", summary_blocks(rng)
    else:
        style, blocks = "prose", prose_blocks(model, i, rng)
    if variant == "edited":
        blocks = edit_blocks(blocks, rng)
    return Article(meta, style, tuple(blocks))


def edit_blocks(blocks: list[Block], rng: random.Random) -> list[Block]:
    """Edition 1's change: the first answer (or paragraph) gains a correction sentence."""
    out = list(blocks)
    for k, b in enumerate(out):
        if (b.kind == "turn" and b.role == "answer") or b.kind == "p":
            note = " Update: " + fill(words.CORRECTION, rng)
            out[k] = replace(b, text=b.text + note)
            break
    return out


def interview_blocks(model: SiteModel, i: int, rng: random.Random) -> tuple[str, list[Block]]:
    ordinal_ = i // 10 * 3 + {2: 0, 5: 1, 8: 2}.get(i % 10, 0)
    style, short_form = INTERVIEW_STYLES[ordinal_ % len(INTERVIEW_STYLES)]
    if style in NEW_FORMS:
        return style, sister_interview_blocks(model, i, rng, style)
    first, last = invented_name(rng)
    for _ in range(10):  # "SD" must stay the interviewer's: a Sarah Darwish would be ambiguous
        if initials(first, last) != model.section.abbr:
            break
        first, last = invented_name(rng)
    if short_form == "pair":
        first2, last2 = invented_name(rng)
        while last2 == last:
            first2, last2 = invented_name(rng)
        speaker = f"{first} {last} and {first2} {last2}"
        short = f"{surname_label(last)} and {surname_label(last2)}"
        who = f"{first} {last} and {first2} {last2}, who co-wrote a report for {rng.choice(words.ORGS)}"
    else:
        speaker = f"{first} {last}"
        short = initials(first, last) if short_form == "initials" else surname_label(last)
        who = f"{speaker}, {rng.choice(words.ROLES)} {rng.choice(words.ORGS)}"
    interviewer = model.section.name
    interviewer_short = model.section.abbr if style in ("strong", "plain") else interviewer

    blocks: list[Block] = []
    if style == "strong":
        blocks.append(Block("more"))
    intro_count = rng.randint(1, 3)
    for k in range(intro_count):
        text = sentences(rng, words.SENTENCES, rng.randint(2, 3))
        if k == intro_count - 1:
            text += f" {interviewer} spoke with {who}, about {rng.choice(words.THEMES)}."
        kind = "intro" if style == "strong" else ("start" if k == 0 else "p")
        blocks.append(Block(kind, text))
    turns = rng.randint(4, 7)
    for t in range(turns):
        q_label = interviewer if t == 0 else interviewer_short
        blocks.append(
            Block("turn", fill(rng.choice(words.QUESTIONS), rng), role="question",
                  speaker=interviewer, label=q_label, short=t > 0 and q_label != interviewer)
        )
        if t == 0:
            blocks.append(embed_block(rng, 0))
        a_label = speaker if t == 0 else short
        answer = sentences(rng, words.ANSWERS, rng.randint(2, 4))
        if t == 1:
            answer = link_sentence(model, i, rng) + " " + answer
        blocks.append(Block("turn", answer, role="answer", speaker=speaker, label=a_label, short=t > 0))
        for _ in range(rng.choice((0, 0, 1, 2))):
            blocks.append(Block("p", sentences(rng, words.ANSWERS, rng.randint(1, 3))))
    blocks.append(Block("fin"))
    return style, blocks


_ADDRESSED = tuple(q for q in words.QUESTIONS if " you" in q)
_FIRST_PERSON = tuple(a for a in words.ANSWERS if re.search(r"\b(?:I|We|we|us)\b", a))


def _guest(model: SiteModel, rng: random.Random) -> tuple[str, str, str]:
    first, last = invented_name(rng)
    while initials(first, last) == model.section.abbr:
        first, last = invented_name(rng)
    return first, last, f"{rng.choice(words.ROLES)} {rng.choice(words.ORGS)}"


def _spoken_answer(rng: random.Random) -> str:
    """An answer in the first person, as an interviewee speaks (the extractor tells interviews from
    explainers by it)."""
    return fill(rng.choice(_FIRST_PERSON), rng) + " " + sentences(rng, words.ANSWERS, rng.randint(1, 3))


def sister_interview_blocks(model: SiteModel, i: int, rng: random.Random, style: str) -> list[Block]:
    asker = model.section.name
    blocks: list[Block] = []

    def intro(who: str, kind: str = "start") -> None:
        blocks.append(Block(kind, sentences(rng, words.SENTENCES, 2) + f" {asker} spoke with {who}."))

    if style in ("bold-question", "h3-question"):
        first, last, role = _guest(model, rng)
        intro(f"{first} {last}, {role}")
        numbered = style == "bold-question"  # its later questions are items of a numbered list
        for t in range(rng.randint(3, 5)):
            item = numbered and t >= 2
            blocks.append(Block("q", fill(rng.choice(_ADDRESSED), rng), role="question", speaker=asker,
                                item=item))
            blocks.append(Block("a", _spoken_answer(rng), role="answer", speaker=f"{first} {last}",
                                item=item))
            if t == 1:
                credit = rng.choice(words.PHOTO_CREDITS)
                blocks.append(Block("caption", f"{fill(rng.choice(words.SENTENCES), rng)} ({credit})",
                                    image=(str(rng.randrange(3000, 99999)), "aligncenter")))
                blocks.append(Block("p", sentences(rng, words.ANSWERS, rng.randint(1, 2))))
            if item and t == 2:  # a one-word question, in an item with its answer of two paragraphs
                blocks.append(Block("q", "Why?", role="question", speaker=asker, item=True))
                blocks.append(Block("a", _spoken_answer(rng), role="answer", speaker=f"{first} {last}",
                                    item=True))
                blocks.append(Block("p", sentences(rng, words.ANSWERS, 1), item=True))
        if style == "h3-question":
            # An outro after a picture, ending in a colon over the player it introduces.
            credit = rng.choice(words.PHOTO_CREDITS)
            blocks.append(Block("caption", f"{fill(rng.choice(words.SENTENCES), rng)} ({credit})",
                                image=(str(rng.randrange(3000, 99999)), "aligncenter")))
            blocks.append(Block("outro", sentences(rng, words.SENTENCES, 1)
                                + f" {asker} will publish the recordings each week."))
            name = title_case(rng.choice(words.THEMES))
            blocks.append(Block("outro", f"The first recording is called “{name}”:"))
            blocks.append(Block("player"))
            items = tuple(title_case(fill("{theme} in {place}", rng)) for _ in range(3))
            blocks.append(Block("closing", "Recommended Reads", items=items))
    elif style == "parts":
        guests: list[tuple[str, str, str]] = []
        for part, name in enumerate(("Part One", "Part Two")):
            if part:
                blocks.append(Block("rule"))
            blocks.append(Block("part", name))
            first, last, role = _guest(model, rng)
            while any(first == g[0] or last == g[1] for g in guests):  # a first name stands for one person
                first, last, role = _guest(model, rng)
            guests.append((first, last, role))
            intro(f"{first} {last}, {role}", "start" if part == 0 else "p")
            for t in range(rng.randint(2, 3)):
                label = asker if t == 0 else model.section.abbr
                blocks.append(Block("turn", fill(rng.choice(words.QUESTIONS), rng), role="question",
                                    speaker=asker, label=label, short=t > 0))
                # The full name first, then the first name only.
                blocks.append(Block("turn", _spoken_answer(rng), role="answer", speaker=f"{first} {last}",
                                    label=f"{first} {last}" if t == 0 else first, short=t > 0))
    elif style == "readers":
        blocks.append(Block("start", sentences(rng, words.SENTENCES, 2)
                            + f" Readers sent their questions, and {asker} answers them."))
        for r in range(rng.randint(3, 4)):
            first, last = invented_name(rng)
            city = rng.choice(words.CITIES_ABROAD)
            blocks.append(Block("turn", fill(rng.choice(words.QUESTIONS), rng), role="question",
                                speaker=f"{first} {last}", label=f"{first} {last}, {city}"))
            if r == 1:  # the reader goes on asking in a bold paragraph of its own
                more = f"{fill(rng.choice(_ADDRESSED), rng)} {fill(rng.choice(words.SENTENCES), rng)}"
                blocks.append(Block("qmore", more))
            blocks.append(Block("turn", sentences(rng, words.SENTENCES, rng.randint(2, 3)), role="answer",
                                speaker=asker, label=asker))
    elif style == "panel":  # several people answer the same question in turn
        panel: list[tuple[str, str, str]] = []
        while len(panel) < 3:
            guest = _guest(model, rng)
            if all(guest[0] != g[0] and guest[1] != g[1] for g in panel):
                panel.append(guest)
        blocks.append(Block("start", sentences(rng, words.SENTENCES, 2)
                            + f" {asker} asked three experts the same questions."))
        # The first expert speaks before any question, under a headline naming her (no full stop).
        first, last, _ = panel[0]
        place = rng.choice(words.PLACES)
        headline = f"{last}: The wells of {place} are running dry, and faster every year"
        blocks.append(Block("headline", headline))
        blocks.append(Block("turn", _spoken_answer(rng), role="answer", speaker=f"{first} {last}",
                            label=f"{first} {last}"))
        # One surname label of the second round drops a letter, a typo of the page's.
        typo_of = next((g for g in panel if len(g[1]) >= 5 and g[1].isalpha()), None)
        for t in range(2):
            # "Syria Deeply :", a space before the colon, then the initials
            label = f"{asker} " if t == 0 else model.section.abbr
            blocks.append(Block("turn", fill(rng.choice(_ADDRESSED), rng), role="question", speaker=asker,
                                label=label, short=t > 0))
            for first, last, role in panel:
                label = f"{first} {last}, {role}" if t == 0 else last
                if t == 1 and typo_of is not None and last == typo_of[1]:
                    label = last[:2] + last[3:]
                blocks.append(Block("turn", _spoken_answer(rng), role="answer", speaker=f"{first} {last}",
                                    label=label, short=t > 0))
    elif style == "republished":
        outlet, short = "Example Review 360", "er360"
        first, last, role = _guest(model, rng)
        blocks.append(Block("start", sentences(rng, words.SENTENCES, 2)
                            + f" {first} {last}, {role}, spoke with the Example Review."))
        for t in range(rng.randint(3, 4)):
            blocks.append(Block("turn", fill(rng.choice(words.QUESTIONS), rng), role="question",
                                speaker=outlet, label=outlet if t == 0 else short, short=t > 0))
            blocks.append(Block("turn", _spoken_answer(rng), role="answer", speaker=f"{first} {last}",
                                label=f"{first} {last}" if t == 0 else surname_label(last), short=t > 0))
            if t == 1:  # a follow-up without a label, set apart as the labelled ones are
                blocks.append(Block("q", fill(rng.choice(_ADDRESSED), rng), role="question", speaker=outlet))
                answer = _spoken_answer(rng)
                blocks.append(Block("a", answer, role="answer", speaker=f"{first} {last}"))
                blocks.append(Block("pullquote", answer.split(". ")[0].rstrip(".") + "."))
        blocks.append(Block("note", "A version of this interview was first published by the Example Review. "
                                    "It is reprinted here with permission."))
    blocks.append(Block("fin"))
    return blocks


def embed_block(rng: random.Random, variant: int) -> Block:
    image_id = str(rng.randrange(3000, 99999))
    align = rng.choice(("alignright", "alignleft", "aligncenter"))
    return Block("embed", image=(image_id, align), variant=variant)


def prose_blocks(model: SiteModel, i: int, rng: random.Random) -> list[Block]:
    blocks: list[Block] = []
    count = rng.randint(5, 9)
    if i % 7 == 0:
        blocks.append(embed_block(rng, 3))
    first = "p" if i % 7 == 0 else "start"
    blocks.append(Block(first, sentences(rng, words.SENTENCES, rng.randint(2, 4))))
    link_at = rng.randrange(1, count)
    for k in range(1, count):
        text = sentences(rng, words.SENTENCES, rng.randint(2, 4))
        if k == link_at:
            text += " " + link_sentence(model, i, rng)
        if k == 2 and i % 2 == 0:
            text += " " + external_sentence(rng)
        more = "end" if (k == 1 and i % 5 == 1) else "start" if (k == 1 and i % 5 == 3) else ""
        blocks.append(Block("p", text, more=more))
        if k == 3 and i % 3 == 1:
            blocks.append(embed_block(rng, rng.randrange(3)))
        if k == 4 and i % 4 == 2:
            items = tuple(fill(rng.choice(words.SENTENCES), rng) for _ in range(3))
            blocks.append(Block("list", items=items))
    if model.kind(i) == "op-ed":
        target = f"/peacebuilding/articles/2018/05/0{1 + i % 9}/{slugify(fill('{theme} in {place}', rng))}"
        blocks.append(Block("p", f"This argument was first made on [[Peacebuilding Deeply|{target}]]."))
        blocks.append(Block("fin", "op-ed"))
        blocks.append(Block("disclaimer"))
    else:
        blocks.append(Block("fin"))
    return blocks


def summary_blocks(rng: random.Random) -> list[Block]:
    blocks: list[Block] = []
    for _ in range(rng.randint(2, 3)):
        blocks.append(Block("sub", title_case(fill(rng.choice(words.SUBHEADS), rng))))
        for _ in range(rng.randint(2, 4)):
            blocks.append(Block("p", sentences(rng, words.SENTENCES, rng.randint(1, 3))))
    reads = []
    for _ in range(rng.randint(2, 4)):
        source = rng.choice(words.SOURCES)
        headline = title_case(fill("{theme} in {place}", rng))
        href = f"http://example.invalid/{slugify(source)}/{slugify(headline)}"
        reads.append(f"{source}: [[{headline}|{href}]]")
    blocks.append(Block("sub", "Recommended Reads"))
    blocks.append(Block("list", items=tuple(reads)))
    caption, credit = fill(rng.choice(words.SENTENCES), rng), rng.choice(words.PHOTO_CREDITS)
    blocks.append(Block("p", f"Top image: {caption} ({credit})"))
    blocks.append(Block("fin"))
    return blocks


def external_sentence(rng: random.Random) -> str:
    org = rng.choice(words.ORGS)
    href = f"http://example.invalid/reports/{rng.randrange(100, 999)}"
    return f"A recent report by [[{org}|{href}]] reached similar conclusions."


def link_sentence(model: SiteModel, i: int, rng: random.Random) -> str:
    """A link whose form depends on i % 6: padded, unpadded, query, fragment, old form, broken."""
    form = i % 6
    if form == 5:
        return "Our [[earlier coverage|/syria/articles/2014/01/01/a-story-that-was-never-archived]] has more."
    j = related_target(model, i, rng)
    if j is None:
        return "Read more in [[our background section|/syria/background]]."
    m = base_meta(model.section, model.n, j)
    title = m.title
    if form == 4:
        href = f"/{model.section.slug}/articles/{m.data_id}"
    elif form == 1 and m.has_short_date:
        href = m.path(padded=False)
    elif form == 2:
        href = m.path() + "?utm_source=syria-deeply&utm_medium=related"
    elif form in (1, 3):
        href = m.path() + "#republish"
    else:
        href = m.path()
    return f"See also: [[{title}|{href}]]."


def related_target(model: SiteModel, i: int, rng: random.Random) -> int | None:
    """An earlier article that no edition touches, so the linking text never changes."""
    avoid = set(model.specials.all())
    for _ in range(20):
        if i == 0 or i >= model.n:
            return None
        j = i - 1 - rng.randrange(min(i, 30))
        if j not in avoid and model.kind(j) != "executive-summary":
            return j
    return None


# ---------------------------------------------------------------------------------------------
# Explainers


@lru_cache(maxsize=16)
def explainers(section: Section = SYRIA) -> tuple[Explainer, ...]:
    out = []
    for k, (slug, title) in enumerate(words.EXPLAINERS):
        rng = random.Random(f"{SEED}:{section.slug}:explainer:{slug}")
        paras = tuple(sentences(rng, words.SENTENCES, rng.randint(2, 4)) for _ in range(rng.randint(2, 4)))
        out.append(Explainer(slug, title, date(2016, 12, 1) - timedelta(days=k * 40), paras))
    return tuple(out)


# ---------------------------------------------------------------------------------------------
# Text views shared by truth() and the read-time estimate


def paragraphs(article: Article) -> list[str]:
    """The body's reading text, block by block, leftovers, sign-off and disclaimer excluded."""
    out: list[str] = []
    for b in article.blocks:
        if b.kind in ("start", "intro", "p", "sub", "q", "a", "part", "caption", "qmore", "headline", "outro",
                      "note"):
            out.append(plain(b.text))
        elif b.kind == "turn":
            out.append(f"{b.label.rstrip()}: {plain(b.text)}")
        elif b.kind in ("list", "closing"):
            out.extend(plain(t) for t in (b.text, *b.items) if t)
    return out


def qa_turns(article: Article) -> list[dict]:
    """The turns; a caption is in none, a part heading or an <hr> ends the turn before it."""
    turns: list[dict] = []
    open_turn = False
    for b in article.blocks:
        if b.kind in ("turn", "q", "a"):
            turns.append({"speaker": b.speaker, "role": b.role, "text": plain(b.text)})
            open_turn = True
        elif b.kind in ("p", "qmore") and turns and open_turn:
            turns[-1]["text"] += "\n\n" + plain(b.text)
        elif b.kind in ("rule", "part", "closing", "outro", "note"):
            open_turn = False
    return turns


def intro_paragraphs(article: Article) -> list[str]:
    """What goes to an interview's text: each part's introduction (headings, captions, closing
    sections and turns excluded)."""
    if article.style in ("prose", "summary"):
        return []
    out: list[str] = []
    in_turn = False
    for b in article.blocks:
        if b.kind in ("turn", "q", "a"):
            in_turn = True
        elif b.kind in ("rule", "part"):
            in_turn = False
        elif b.kind in ("start", "intro", "p") and not in_turn:
            out.append(plain(b.text))
        elif b.kind in ("outro", "note"):  # after the last answer
            out.append(plain(b.text))
    return out


@dataclass
class Changes:
    edited: list[str] = field(default_factory=list)
    retitled: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

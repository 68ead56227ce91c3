"""Property-based tests of the pure functions that meet hostile input first: the interview label
parser, the URL canonicalizer and the crawler's scope. Hypothesis looks for the input that breaks
them; the properties are what the rest of the system relies on.

* No input raises: a page, a URL or a link is data from the outside, and one bad value must not
  stop an extraction, an ingest or a crawl.
* canonical_key is a projection: a key names itself in every form ingest and replay produce
  (bare, on any archive host, as .html, wrapped in a replay URL), so re-keying stored rows or
  reading them back through pywb never splits an article in two.
* Scope only ever admits URLs that a server resolves inside the start URL's folder on its host.
* The label parser invents nothing: every turn's text comes from the page, every role is a
  question or an answer.
"""

from __future__ import annotations

import os
import posixpath
import subprocess
import sys
from collections import Counter
from urllib.parse import unquote, urlsplit

import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from crawler.scope import HostRule, Scope, root_of
from extract.blocks import Block
from extract.names import Cast, is_name_like, mentioned_names, name_part
from extract.qa import ANSWER, QUESTION, split_interview
from extract.urls import DATED_SECTIONS, EXPLAINER_SECTION, PUBLICATIONS, SUMMARY_SECTION, canonical_key

# A few seconds in the default suite; `make soak` runs the same properties with far more examples.
EXAMPLES = int(os.environ.get("DEEPLY_PROPERTY_EXAMPLES", "150"))
FAST = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text that looks like what pages and URLs hold, with the characters that break parsers mixed in.
NASTY = st.sampled_from(["/", "..", ".", "%2e", "%2f", "%", "?", "#", ":", "@", "\\", " ", "\t", "\n",
                         "\x00", "\ud800", "é", "ي", "<", ">", '"', "'", "&", "+", ";", "=", "[", "]"])
SEGMENT = st.one_of(st.text(max_size=12), st.from_regex(r"[a-z0-9-]{1,12}", fullmatch=True), NASTY)
HOSTS = st.sampled_from([
    "www.newsdeeply.com", "deeply.thenewhumanitarian.org", "www.syriadeeply.org", "127.0.0.1:8765",
    "localhost", "news.example", "[::1]:80", "user:pw@www.newsdeeply.com", "WWW.NEWSDEEPLY.COM", "",
])
SCHEMES = st.sampled_from(["http://", "https://", "HTTP://", "ftp://", "javascript:", "file:///", "//", ""])


@st.composite
def urlish(draw) -> str:
    path = "/".join(draw(st.lists(SEGMENT, max_size=8)))
    tail = draw(st.sampled_from(["", "/", ".html", "?utm=1", "#top", ".css", "/page/2", ".html.html"]))
    return draw(SCHEMES) + draw(HOSTS) + "/" + path + tail


ANY_TEXT = st.one_of(st.text(max_size=200), urlish())


# --- the URL canonicalizer --------------------------------------------------------------------------


@FAST
@given(ANY_TEXT)
def test_canonical_key_never_raises(text):
    key = canonical_key(text)
    assert key is None or (isinstance(key, str) and key == key.strip() and "//" not in key)


def forms_of(key: str) -> list[str]:
    """Every way ingest, the mirror and replay may present an article already keyed."""
    return [
        key,
        "/" + key,
        f"https://www.newsdeeply.com/{key}",
        f"http://deeply.thenewhumanitarian.org/{key}/",
        f"http://127.0.0.1:8765/{key}.html",
        f"https://www.newsdeeply.com/{key}?utm_source=feed#comments",
        f"http://127.0.0.1:8080/deeply/20180301120000/https://www.newsdeeply.com/{key}",
        f"http://127.0.0.1:8080/deeply/20180301120000id_/http://127.0.0.1:8765/{key}.html",
    ]


@st.composite
def keyed(draw) -> str:
    """A URL that has a key: an article URL whose slug is any text (quoting, case, scripts, dots)."""
    site = draw(st.sampled_from(sorted(PUBLICATIONS)))
    section = draw(st.sampled_from([*DATED_SECTIONS, EXPLAINER_SECTION]))
    slug = draw(st.one_of(st.text(min_size=1, max_size=30), SEGMENT))
    date = "2016/3/11/" if section != EXPLAINER_SECTION else ""
    return f"{draw(SCHEMES)}{draw(HOSTS)}/{site}/{section}/{date}{slug}{draw(st.sampled_from(['', '.html']))}"


@FAST
@given(keyed())
def test_a_key_is_the_key_of_every_form_of_itself(url):
    key = canonical_key(url)
    assume(key is not None)
    for form in forms_of(key):
        assert canonical_key(form) == key, form


@st.composite
def article_urls(draw) -> tuple[str, tuple[str, str, int, int, int]]:
    """An article URL built from its parts: (url, (site, section, year, month, day))."""
    site = draw(st.sampled_from(sorted(PUBLICATIONS)))
    section = draw(st.sampled_from([*DATED_SECTIONS, SUMMARY_SECTION, EXPLAINER_SECTION]))
    year, month, day = draw(st.integers(1990, 2099)), draw(st.integers(1, 12)), draw(st.integers(1, 28))
    slug = draw(st.from_regex(r"[a-z][a-z0-9-]{0,40}", fullmatch=True))
    assume(slug not in {"page", "rss", "feed", "amp", "index"})
    m = f"{month:02d}" if draw(st.booleans()) else str(month)
    d = f"{day:02d}" if draw(st.booleans()) else str(day)
    if section in DATED_SECTIONS:
        path = f"{site}/{section}/{year}/{m}/{d}/{slug}"
    elif section == SUMMARY_SECTION:
        path = f"{site}/{section}/{year}/{m}/{d}"
    else:
        path = f"{site}/{section}/{slug}"
    path += draw(st.sampled_from(["", "/", ".html", "?x=1"]))
    host = draw(st.sampled_from(["https://www.newsdeeply.com", "http://127.0.0.1:9",
                                 "https://deeply.thenewhumanitarian.org"]))
    return f"{host}/{path}", (site, section, year, month, day)


@FAST
@given(article_urls())
def test_every_article_url_has_a_key_of_its_site_section_and_date(case):
    url, (site, section, year, month, day) = case
    key = canonical_key(url)
    assert key is not None, url
    parts = key.split("/")
    assert parts[1] == section
    if section != EXPLAINER_SECTION:
        assert parts[2:5] == [f"{year:04d}", f"{month:02d}", f"{day:02d}"]
    assert canonical_key(key) == key


# --- the crawler's scope ---------------------------------------------------------------------------

STARTS = ["http://127.0.0.1:8000/syria", "https://deeply.thenewhumanitarian.org/syria/",
          "http://localhost:9/syria/articles.html"]


def resolved(url: str) -> tuple[str, str] | None:
    """(host[:port], path) as an HTTP server resolves the request: percent-decoded once, dot
    segments applied."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    port = parts.port
    default = {"http": 80, "https": 443}.get(parts.scheme.lower())
    netloc = host if port in (None, default) else f"{host}:{port}"
    path = unquote(parts.path or "/")
    plain = posixpath.normpath(path) if path not in ("", "/") else "/"
    return netloc, plain.replace("//", "/")


PLAIN_SEGMENT = st.from_regex(r"[A-Za-z0-9_-]{1,10}", fullmatch=True)


@st.composite
def scope_cases(draw) -> tuple[str, str]:
    """(start, url): any text half the time, else a URL built inside the start folder on purpose
    (any segments, dot segments and escapes included), so both branches of the property run."""
    start = draw(st.sampled_from(STARTS))
    root = root_of(start)
    inside = draw(st.one_of(
        st.just(root.exact),
        st.builds("/".join, st.lists(PLAIN_SEGMENT, min_size=1, max_size=5)).map(lambda t: root.prefix + t),
        st.builds("/".join, st.lists(SEGMENT, min_size=1, max_size=5)).map(lambda t: root.prefix + t),
    ))
    scheme = draw(st.sampled_from([root.scheme, root.scheme.upper()]))
    netloc = draw(st.sampled_from([root.netloc, root.netloc.upper()]))
    built = f"{scheme}://{netloc}{inside}{draw(st.sampled_from(['', '/', '.html', '?q=1', '#top']))}"
    return start, draw(st.one_of(ANY_TEXT, st.just(built)))


def test_scope_never_raises_and_admits_only_the_start_folder():
    hits: Counter = Counter()

    @FAST
    @given(scope_cases())
    def check(case):
        start, url = case
        scope = Scope.from_urls([start])
        page, requisite = scope.page_in_scope(url), scope.requisite_in_scope(url)
        assert isinstance(page, bool) and isinstance(requisite, bool)
        hits[page] += 1
        event(f"page in scope: {page}")
        if page:
            root = scope.roots[0]
            assert requisite, "a page in scope is on the start host, so its requisites are too"
            assert urlsplit(url).scheme.lower() in ("http", "https")
            netloc, path = resolved(url)
            assert netloc == root.netloc
            assert path == root.exact or (path + "/").startswith(root.prefix), (url, path, root)

    check()
    # Both branches ran (plain segments inside the folder are in scope by construction).
    assert hits[True] > 0 and hits[False] > 0, hits


@FAST
@given(st.sampled_from(STARTS), st.lists(st.from_regex(r"[A-Za-z0-9_-]{1,10}", fullmatch=True), max_size=6))
def test_plain_links_inside_the_start_folder_are_in_scope(start, segments):
    root = root_of(start)
    url = f"{root.scheme}://{root.netloc}{root.prefix}{'/'.join(segments)}"
    scope = Scope.from_urls([start])
    assert scope.page_in_scope(url)
    other_host = url.replace(root.netloc, "evil.example", 1)
    start_hosts_only = Scope.from_urls([start], requisite_hosts=HostRule.parse("-*"))
    assert not scope.page_in_scope(other_host) and not start_hosts_only.requisite_in_scope(other_host)
    assert start_hosts_only.requisite_in_scope(url)
    for scheme in ("ftp", "file", "javascript"):
        assert not scope.page_in_scope(scheme + url[len(root.scheme):])


@FAST
@given(st.sampled_from(STARTS), st.lists(st.sampled_from(["..", "%2e%2e", "%2E%2e", ".%2e", "."]), min_size=1,
                                         max_size=4), st.from_regex(r"[a-z]{1,10}", fullmatch=True))
def test_dot_segments_cannot_climb_out_of_the_start_folder(start, dots, name):
    root = root_of(start)
    url = f"{root.scheme}://{root.netloc}{root.prefix}{'/'.join(dots)}/{name}"
    inside = resolved(url)[1]
    assert Scope.from_urls([start]).page_in_scope(url) == (
        inside == root.exact or (inside + "/").startswith(root.prefix))


HREF_STARTS = ["/", "//", "http://", "HTTPS://", "https:", "./", "../", "?", "#", " /", "http:///", "../../",
               "../../../../../", "a/../", "a//", ";", "x/", "2013/07/05/", "/\n/", "http://\t", "\x1b"]
HREFS = st.one_of(ANY_TEXT, st.builds(lambda a, b: a + b, st.sampled_from(HREF_STARTS), ANY_TEXT))
BASES = st.sampled_from(["http://127.0.0.1:8765/syria/articles/2014/02/23/x", "https://www.newsdeeply.com/syria",
                         "http://h/a/b/?q=1#f", "https://h:8443/", "http://h", "HTTP://h/a;p/b;q", "http://h/a//b/c",
                         "http://h/a/./b/c", "http://h/a/../b/", "http://h/a/#f/", "http://h/a/?q=/",
                         "http://127.0.0.1:8813/syria/articles/2013/07/05/"])


@FAST
@given(BASES, HREFS)
def test_a_link_joins_as_urljoin_joins_it_whatever_the_cache_keys_on(base, href):
    from urllib.parse import urldefrag, urljoin

    from crawler.links import _clean

    try:
        expected = urldefrag(urljoin(base, href.strip()))[0]
    except ValueError:
        expected = None
    if not href.strip() or href.strip().startswith(("javascript:", "mailto:", "data:", "tel:", "#")):
        expected = None
    assert _clean(base, href) == expected


@FAST
@given(st.text(max_size=80), st.one_of(st.none(), st.text(max_size=20)))
def test_root_of_any_text_is_a_root_or_a_clear_refusal(start, prefix):
    try:
        root = root_of(start, prefix)
    except ValueError:
        return
    assert root.prefix.endswith("/") and root.scheme in ("http", "https") and root.netloc


# --- the interview label parser ---------------------------------------------------------------------

LABELS = st.sampled_from(["Syria Deeply", "SD", "Q", "A", "Question", "Paul Salem", "PS", "Salem", "Aleppo",
                          "Top image", "Chatty and Wahby", "Dr. Samer Chamsi-Pasha", "Abu Ahmad al-Halabi",
                          "وائل", "S.D.", "Women & Girls Hub", "", "a" * 90, "Mr", "Reuters (via AP)"])
PARAGRAPH = st.one_of(st.text(max_size=120), st.sampled_from([
    "What happened next?", "We stayed.", "This interview has been edited for length and clarity.",
    "In this interview with Paul Salem, director of the center, we ask about the war.", ""]))


@st.composite
def blocks(draw) -> list[Block]:
    out = []
    for _ in range(draw(st.integers(0, 14))):
        label = draw(st.one_of(LABELS, st.text(max_size=30)))
        rest = draw(PARAGRAPH)
        labelled = draw(st.booleans())
        text = f"{label}: {rest}" if labelled else rest
        lead = label if labelled and draw(st.booleans()) else draw(st.sampled_from(["", text[:10]]))
        out.append(Block(text, lead=lead, heading=draw(st.booleans()), italic=draw(st.booleans())))
    return out


PUBLICATIONS_ASKING = st.sampled_from(["Syria Deeply", "Refugees Deeply", "News Deeply"])


@st.composite
def interview_cases(draw) -> tuple[list[Block], str, list[str]]:
    """A page laid out as an interview (the publication asks, a named guest answers) with hostile
    text in the turns and any blocks after: random blocks alone are almost never one."""
    publication = draw(PUBLICATIONS_ASKING)
    guest = draw(st.sampled_from(["Paul Salem", "Karen Leigh", "Omar Haddad", "Rania Khalil"]))
    asker = draw(st.sampled_from([publication, "Q"]))
    page = [Block(f"{guest} spoke to {publication} about the war.")]
    for _ in range(draw(st.integers(1, 4))):
        question, answer = draw(PARAGRAPH) or "What changed?", draw(PARAGRAPH) or "Much changed."
        page += [Block(f"{asker}: {question}", lead=asker), Block(f"{guest}: {answer}", lead=guest)]
    return page + draw(blocks())[:3], publication, [f"An interview with {guest}"]


def test_the_label_parser_never_raises_and_invents_nothing():
    hits: Counter = Counter()

    @FAST
    @given(st.one_of(st.tuples(blocks(), PUBLICATIONS_ASKING, st.lists(st.text(max_size=80), min_size=1,
                                                                        max_size=3)),
                     interview_cases()))
    def check(case):
        page, publication, context = case
        interview = split_interview(page, publication, context)
        hits[interview is not None] += 1
        event(f"an interview: {interview is not None}")
        if interview is None:
            return
        assert len(interview.turns) == len(interview.turn_blocks) >= 1
        texts = [b.text for b in page]
        for turn, turn_blocks in zip(interview.turns, interview.turn_blocks, strict=True):
            assert turn["role"] in (QUESTION, ANSWER)
            assert isinstance(turn["speaker"], str)
            assert turn["text"] == "\n\n".join(b.text for b in turn_blocks if b.text)
            for block in turn_blocks:  # a block of the page, or what follows the label in one
                assert any(block is b for b in page) or any(block.text in t for t in texts), block
        for block in [*interview.intro, *interview.outro]:
            assert block.text in texts

    check()
    assert hits[True] > 0 and hits[False] > 0, hits  # the checks on turns ran, not only the early return


@FAST
@given(st.text(max_size=120))
def test_label_helpers_never_raise(label):
    name = name_part(label)
    assert isinstance(name, str) and isinstance(is_name_like(label), bool)
    assert name_part(name) == name  # the name in a label's name is itself
    for found in mentioned_names([label]):
        assert found and all(word.strip("’'‘") in label or word in label for word in found.split())
    if name:  # the parser resolves only labels with a name in them (see the xfail below)
        speaker, known = Cast("Syria Deeply", [label], [label]).resolve(label)
        assert isinstance(speaker, str) and isinstance(known, bool)


def test_resolving_a_label_without_a_name_does_not_raise():
    for label in ("", "(photo)", ","):
        speaker, _ = Cast("Syria Deeply", [], []).resolve(label)
        assert isinstance(speaker, str)


FIRST = st.sampled_from(["Paul", "Karen", "Omar", "Lina", "Hassan", "Rania", "Jonas"])
LAST = st.sampled_from(["Salem", "Leigh", "Haddad", "Khalil", "Nasser", "Bakr", "Orton"])


@FAST
@given(FIRST, LAST, st.integers(2, 6), st.sampled_from(["Syria Deeply", "SD", "Q"]))
def test_an_interview_with_full_labels_alternates_question_and_answer(first, last, rounds, asker):
    """A page laid out as the site's interviews are: the publication asks, the guest answers."""
    guest = f"{first} {last}"
    page = [Block(f"{first} {last} spoke to Syria Deeply about the war.")]
    for i in range(rounds):
        page.append(Block(f"{asker}: Question number {i}, what changed?", lead=asker))
        page.append(Block(f"{guest if i == 0 else last}: Answer number {i}. Much changed.",
                          lead=guest if i == 0 else last))
    interview = split_interview(page, "Syria Deeply", [f"An interview with {guest}"])
    assert interview is not None
    assert [t["role"] for t in interview.turns] == [QUESTION, ANSWER] * rounds
    assert {t["speaker"] for t in interview.turns if t["role"] == QUESTION} == {"Syria Deeply"}
    assert {t["speaker"] for t in interview.turns if t["role"] == ANSWER} == {guest}
    assert [b.text for b in interview.intro] == [page[0].text]


@pytest.mark.soak
def test_soak_every_property_with_many_more_examples():
    out = subprocess.run([sys.executable, "-m", "pytest", __file__, "-q", "-p", "no:cacheprovider",
                          "-m", "not soak"], capture_output=True, text=True, timeout=3600,
                         env={**os.environ, "DEEPLY_PROPERTY_EXAMPLES": "5000"})
    assert out.returncode == 0, out.stdout[-4000:]

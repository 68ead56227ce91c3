"""extract_page on every article of a 60-article sample site, against the site's own truth().

The sample site imitates the real markup (labels in <strong>, <b>, headings and plain text; escaped
embeds split over spans; JSON-LD broken by raw quotes and with reversed author lists; sister-site
pages) and knows what a perfect extractor returns, so every field is compared exactly.
"""

from __future__ import annotations

import urllib.request

import pytest

from extract import canonical_key, extract_page

ARTICLES = 60
FIELDS = ("site", "kind", "title", "summary", "authors", "published", "read_time_minutes", "topics", "images")


def _norm(text: str) -> str:
    return " ".join(text.split())


def _paths(site) -> list[tuple[str, str]]:
    """(path as served, unpadded form) of every article, op-ed, summary and explainer page."""
    from sample_site.content import REFUGEES, REFUGEES_ARTICLES, SYRIA, SiteModel, explainers

    model = site.model()
    metas = [model.meta(i) for i in range(model.n) if model.exists(i)]
    metas += [SiteModel(REFUGEES, REFUGEES_ARTICLES, 0).meta(i) for i in range(REFUGEES_ARTICLES)]
    paths = [(m.path(), m.path(padded=False)) for m in metas]
    paths += [(f"/syria/background/{e.slug}",) * 2 for e in explainers(SYRIA)]
    return paths


def _fetch(url: str) -> tuple[bytes, list[tuple[str, str]], str]:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read(), list(response.headers.items()), response.geturl()


@pytest.fixture(scope="module")
def served():
    from sample_site import serve

    with serve(articles=ARTICLES, edition=0, port=0) as site:
        yield site


def test_every_sample_article_matches_truth(served):
    from sample_site import truth

    paths = _paths(served)
    assert len(paths) >= ARTICLES
    failures = []
    kinds = set()
    for path, unpadded in paths:
        expected = truth(path, articles=ARTICLES, edition=0)
        assert expected is not None, path
        body, headers, url = _fetch(served.url + path)
        record = extract_page(body, url, headers)
        if record is None:
            failures.append((path, "no record"))
            continue
        kinds.add(record.kind)
        got = record.as_dict()
        wrong = [f for f in FIELDS if got[f] != expected[f]]
        turns = [(t["speaker"], t["role"], _norm(t["text"])) for t in got["qa"]]
        if turns != [(t["speaker"], t["role"], _norm(t["text"])) for t in expected["qa"]]:
            wrong.append("qa")
        text = expected["intro"] if expected["kind"] == "interview" else expected["paragraphs"]
        if _norm(record.text) != _norm(" ".join(text)):
            wrong.append("text")
        if record.key != canonical_key(served.url + unpadded) or record.key != expected["path"].lstrip("/"):
            wrong.append("key")
        failures.extend((path, f"{f}: {got.get(f)!r} != {expected.get(f)!r}") for f in wrong)
    assert not failures, failures[:10]
    assert {"interview", "article", "op-ed", "executive-summary", "explainer"} <= kinds


def test_listing_and_front_pages_are_no_records(served):
    for path in ("/syria", "/syria/articles", "/syria/articles/page/2", "/syria/executive-summaries"):
        body, headers, url = _fetch(served.url + path)
        assert extract_page(body, url, headers) is None, path

"""Canonical keys: one key per article however it is served, and a key is its own key."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extract import canonical_key, is_article_url, publication_name, site_of
from extract.urls import key_date, key_kind

HOMS = "syria/articles/2013/07/05/understanding-the-regime-offensive-in-homs"


@pytest.mark.parametrize(
    "url",
    [
        "https://www.newsdeeply.com/syria/articles/2013/7/5/understanding-the-regime-offensive-in-homs",
        "https://www.newsdeeply.com/syria/articles/2013/07/05/understanding-the-regime-offensive-in-homs",
        "http://www.newsdeeply.com/syria/articles/2013/07/05/understanding-the-regime-offensive-in-homs/",
        "https://deeply.thenewhumanitarian.org/syria/articles/2013/07/05/understanding-the-regime-offensive-in-homs",
        "http://127.0.0.1:8765/syria/articles/2013/07/05/understanding-the-regime-offensive-in-homs.html",
        "http://localhost:41234/syria/articles/2013/7/05/understanding-the-regime-offensive-in-homs.html",
        "http://www.syriadeeply.org/articles/2013/07/05/understanding-the-regime-offensive-in-homs/",
        "https://www.newsdeeply.com/syria/articles/2013/07/05/understanding-the-regime-offensive-in-homs?utm=x#top",
        "HTTPS://WWW.NEWSDEEPLY.COM/syria/articles/2013/07/05/Understanding-The-Regime-Offensive-In-Homs",
        "http://localhost:8080/archive/20200901000000id_/https://www.newsdeeply.com/syria/articles/2013/07/05/"
        "understanding-the-regime-offensive-in-homs",
        "/tmp/corpus/syria/articles/2013/07/05/understanding-the-regime-offensive-in-homs.html",
        "www.newsdeeply.com/syria/articles/2013/07/05/understanding-the-regime-offensive-in-homs",
        HOMS,
    ],
)
def test_every_form_of_an_article_url_gives_one_key(url):
    assert canonical_key(url) == HOMS
    assert is_article_url(url)


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("https://www.newsdeeply.com/syria/articles/2018/4/13/slug", "syria/articles/2018/04/13/slug"),
        (
            "https://www.newsdeeply.com/syria/executive-summaries/2017/3/1",
            "syria/executive-summaries/2017/03/01",
        ),
        (
            "http://127.0.0.1:9/syria/executive-summaries/2017/03/01.html",
            "syria/executive-summaries/2017/03/01",
        ),
        (
            "https://www.newsdeeply.com/syria/community/2016/1/2/an-op-ed",
            "syria/community/2016/01/02/an-op-ed",
        ),
        ("https://www.newsdeeply.com/syria/background/the-basics", "syria/background/the-basics"),
        ("https://www.newsdeeply.com/refugees/articles/2017/01/02/x", "refugees/articles/2017/01/02/x"),
        ("http://www.refugeesdeeply.org/articles/2016/1/1/x", "refugees/articles/2016/01/01/x"),
        ("http://oceans.newsdeeply.com/articles/2016/1/1/x", "oceans/articles/2016/01/01/x"),
        ("https://www.newsdeeply.com/waterdeeply/articles/2016/1/1/x", "water/articles/2016/01/01/x"),
        (
            "https://www.newsdeeply.com/womenandgirls/community/2017/5/9/x",
            "womenandgirls/community/2017/05/09/x",
        ),
        (
            "https://www.newsdeeply.com/syria/community/2016/02/11/@perrycammack",
            "syria/community/2016/02/11/@perrycammack",
        ),
        ("https://x.org/syria/articles/2013/07/05/caf%C3%A9", "syria/articles/2013/07/05/caf%C3%A9"),
        ("https://x.org/syria/articles/2013/07/05/café", "syria/articles/2013/07/05/caf%C3%A9"),
    ],
)
def test_keys(url, key):
    assert canonical_key(url) == key


@pytest.mark.parametrize(
    "url",
    [
        "https://www.newsdeeply.com/syria",
        "https://www.newsdeeply.com/syria/index.html",
        "https://www.newsdeeply.com/syria/articles",
        "https://www.newsdeeply.com/syria/articles.html",
        "https://www.newsdeeply.com/syria/articles/page/2.html",
        "https://www.newsdeeply.com/syria/categories/articles/page/3",
        "https://www.newsdeeply.com/syria/contributor/karen-leigh.html",
        "https://www.newsdeeply.com/syria/health.html",
        "https://www.newsdeeply.com/syria/rss",
        "https://www.newsdeeply.com/syria/background.html",
        "https://www.newsdeeply.com/syria/articles/2013/07/05/slug/comments",
        "https://www.newsdeeply.com/syria/articles/2013/13/05/bad-month",
        "https://www.newsdeeply.com/syria/articles/2013/07/05/photo.jpg",
        "https://www.newsdeeply.com/assets/app.css",
        "http://beta.syriadeeply.org/2013/01/michel-kilo-negotiated-tenuous-truce/",
        "http://example.org/articles/2013/07/05/no-site-segment",
        "",
        "not a url at all",
    ],
)
def test_not_article_urls(url):
    assert canonical_key(url) is None
    assert not is_article_url(url)


def test_site_date_kind_and_publication():
    assert site_of("https://www.newsdeeply.com/refugees/articles/2017/01/02/x") == "refugees"
    assert site_of("https://www.newsdeeply.com/refugees") == "refugees"
    assert key_date("syria/executive-summaries/2017/03/01") == "2017-03-01"
    assert key_date("syria/background/the-basics") is None
    assert key_kind("syria/community/2016/01/02/x") == "op-ed"
    assert key_kind("syria/executive-summaries/2017/03/01") == "executive-summary"
    assert key_kind("syria/background/the-basics") == "explainer"
    assert publication_name("syria") == "Syria Deeply"
    assert publication_name("refugees") == "Refugees Deeply"
    assert publication_name("womenandgirls") == "Women and Girls"
    assert publication_name("waterdeeply") == publication_name("water") == "Water Deeply"
    assert publication_name("somewhere-new") == "Somewhere New Deeply"


urlish = st.one_of(
    st.text(max_size=200),
    st.builds(
        lambda host, site, section, y, m, d, slug, tail: f"{host}/{site}/{section}/{y}/{m}/{d}/{slug}{tail}",
        st.sampled_from(
            ["https://www.newsdeeply.com", "http://127.0.0.1:8000", "", "http://www.syriadeeply.org"]
        ),
        st.sampled_from(["syria", "refugees", "x", "", "articles"]),
        st.sampled_from(["articles", "community", "executive-summaries", "background"]),
        st.integers(1980, 2100),
        st.integers(0, 14),
        st.integers(0, 33),
        st.text(min_size=0, max_size=30),
        st.sampled_from(["", ".html", "/", ".html.html", "?q=1", "#x", ".HTML", ".css"]),
    ),
)


@settings(max_examples=600, deadline=None)
@given(urlish)
def test_any_string_keys_without_error_and_a_key_is_its_own_key(url):
    key = canonical_key(url)
    assert key is None or isinstance(key, str)
    if key is not None:
        assert canonical_key(key) == key
        assert is_article_url(key)
        assert site_of(key) == key.split("/")[0]


@given(st.one_of(st.none(), st.integers(), st.binary(max_size=20)))
def test_non_strings_are_not_urls(value):
    assert canonical_key(value) is None


def test_the_site_of_a_page_that_is_no_article():
    # The key's site first: a local copy's path does not start with the site.
    assert site_of(f"/tmp/corpus/{HOMS}.html") == "syria"
    # Then the host, before the first path segment: a vertical's own domain names it.
    assert site_of("https://syria.newsdeeply.com/about") == "syria"
    assert site_of("https://Refugees.NewsDeeply.com/about") == "refugees"
    assert site_of("http://www.syriadeeply.org/about") == "syria"
    assert site_of("http://www.waterdeeply.org/about") == "water"
    # The network's own hosts name no vertical.
    for host in ("www", "beta", "alpha", "staging", "api", "cdn", "assets"):
        assert site_of(f"https://{host}.newsdeeply.com/") is None, host
        assert canonical_key(f"https://{host}.newsdeeply.com/articles/2017/01/02/x") is None, host
    assert site_of("https://www.newsdeeply.com/syria") == "syria"
    # A path that starts with no site segment, or no path at all.
    assert site_of("https://example.com/") is None
    assert site_of("https://example.com/2017/x") is None


def test_a_key_of_no_known_section_is_an_article():
    assert key_kind(None) == key_kind("") == "article"
    assert key_kind("syria/articles/2017/01/02/x") == "article"
    assert key_kind("syria") == "article"
    assert key_kind("syria/podcasts/episode-1") == "article"


@pytest.mark.parametrize(
    "url, key",
    [
        # The date's bounds: years 1990 to 2099, days up to 31, a month of one or two digits.
        ("https://x.org/syria/articles/2099/12/31/x", "syria/articles/2099/12/31/x"),
        ("https://x.org/syria/articles/1990/1/1/x", "syria/articles/1990/01/01/x"),
        ("https://x.org/syria/articles/2100/01/01/x", None),
        ("https://x.org/syria/articles/2017/01/32/x", None),
        ("https://x.org/syria/articles/2017/001/02/x", None),
        # No site: a number before the section, a host named like a section.
        ("https://example.com/2017/articles/2017/01/02/x", None),
        ("https://community.newsdeeply.com/articles/2017/01/02/x", None),
        # A protocol-relative link takes its site from its host.
        ("//www.syriadeeply.org/articles/2013/07/05/homs", "syria/articles/2013/07/05/homs"),
        # An executive summary may carry one segment more (its title); not two, nor a stylesheet.
        ("https://www.newsdeeply.com/syria/executive-summaries/2017/03/01/full-text",
         "syria/executive-summaries/2017/03/01"),
        ("https://www.newsdeeply.com/syria/executive-summaries/2017/03/01/x/y", None),
        ("https://www.newsdeeply.com/syria/executive-summaries/2017/03/01/print.css", None),
        # Slugs that are no article's: a feed, a listing page, dots only.
        ("https://www.newsdeeply.com/syria/background/rss", None),
        ("https://www.newsdeeply.com/syria/articles/2013/07/05/page", None),
        ("syria/articles/2013/07/05/...", None),
        ("syria/background/%2E%2E%2E", None),
        # A bare key with a query or a fragment is the key.
        (f"{HOMS}?utm=1", HOMS),
        (f"{HOMS}#top", HOMS),
        # The explainers' listing on the old domain is none of them; an explainer named like a section is one.
        ("http://www.syriadeeply.org/background", None),
        ("https://www.newsdeeply.com/syria/background/community", "syria/background/community"),
        # A mirror under a folder named like a section: the rightmost section still wins.
        (f"/home/me/articles/{HOMS}.html", HOMS),
        # Replay forms wrapping the old stand-alone domain, whose key only the wrapped URL gives.
        (f"http://localhost:8080/archive/20200901000000id_/http://www.syriadeeply.org/{HOMS[6:]}", HOMS),
        (f"/https://www.syriadeeply.org/{HOMS[6:]}", HOMS),
    ],
)
def test_keys_at_the_edges_of_each_rule(url, key):
    assert canonical_key(url) == key


def test_a_lone_surrogate_in_a_slug_keys_without_error_and_its_key_is_its_own_key():
    key = canonical_key("syria/articles/2013/07/05/a\ud800b")
    assert key == "syria/articles/2013/07/05/a%EF%BF%BD%EF%BF%BD%EF%BF%BDb"
    assert canonical_key(key) == key


def test_a_url_is_keyed_up_to_4096_characters():
    url = f"https://www.newsdeeply.com/{HOMS}?q="
    url += "x" * (4096 - len(url))
    assert canonical_key(url) == HOMS
    assert canonical_key(url + "x") is None

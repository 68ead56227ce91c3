"""Which URLs a crawl's scope admits, by host and port and by the path a server will resolve: a
default port is no port, another port is another host, and dot segments (percent-encoded or not)
are applied before the path is compared with the start folder."""

from __future__ import annotations

import pytest

from crawler.scope import Scope, _plain_path, root_of


@pytest.mark.parametrize(
    "start, url, admitted",
    [
        ("http://127.0.0.1/syria", "http://127.0.0.1:80/syria/x", True),
        ("http://127.0.0.1/syria", "HTTP://127.0.0.1:80/syria/x", True),
        ("http://127.0.0.1:80/syria", "http://127.0.0.1/syria/x", True),
        ("http://127.0.0.1/syria", "http://127.0.0.1:81/syria/x", False),
        ("http://127.0.0.1/syria", "http://127.0.0.1:8080/syria/x", False),
        ("https://127.0.0.1/syria", "https://127.0.0.1:443/syria/x", True),
        ("https://127.0.0.1/syria", "https://127.0.0.1:444/syria/x", False),
        # The start URL's own default port is no port either, and its scheme's case is no matter.
        ("https://127.0.0.1:443/syria", "https://127.0.0.1/syria/x", True),
        ("https://127.0.0.1:443/syria", "https://127.0.0.1:444/syria/x", False),
        ("HTTPS://127.0.0.1/syria", "https://127.0.0.1/syria/x", True),
        ("http://127.0.0.1:8000/syria", "http://127.0.0.1:8001/syria/x", False),
        # The site's root as start: the bare host is its root page.
        ("http://127.0.0.1:8000/", "http://127.0.0.1:8000", True),
        ("http://127.0.0.1:8000/", "http://127.0.0.1:8000/", True),
        # Dot segments out of the folder, encoded or not, and doubled slashes.
        ("http://127.0.0.1:8000/syria", "http://127.0.0.1:8000/syria/%2e%2e/peacebuilding/x", False),
        ("http://127.0.0.1:8000/syria", "http://127.0.0.1:8000//syria//x", True),
    ],
)
def test_pages_in_scope_by_port_and_path(start, url, admitted):
    assert Scope.from_urls([start]).page_in_scope(url) is admitted


@pytest.mark.parametrize(
    "path, plain",
    [
        ("/syria/%2e%2e/peacebuilding", "/peacebuilding"),
        ("/syria/", "/syria/"),  # a folder keeps its slash ...
        ("/syria", "/syria"),  # ... and a page gets none
        ("", "/"),
        ("/", "/"),
        ("/syria/./a/", "/syria/a/"),
        ("//syria//a", "/syria/a"),
        ("/syria/a/..//", "/syria/"),
    ],
)
def test_the_path_a_server_will_resolve(path, plain):
    assert _plain_path(path) == plain


def test_a_prefix_given_narrows_the_start_folder():
    scope = Scope.from_urls(["http://127.0.0.1:8000/syria"], prefix="/syria/articles")
    assert scope.page_in_scope("http://127.0.0.1:8000/syria/articles/x")
    assert not scope.page_in_scope("http://127.0.0.1:8000/syria/background/x")


@pytest.mark.parametrize("url", ["http://127.0.0.1:99999/syria/x", "http://127.0.0.1:abc/syria/x"])
def test_a_malformed_port_is_out_of_scope_and_raises_nothing(url):
    scope = Scope.from_urls(["http://127.0.0.1:8000/syria"])
    assert not scope.page_in_scope(url)
    assert not scope.requisite_in_scope(url)
    assert not scope.on_start_host(url)
    assert scope.requisite_host_denied(url) is None


@pytest.mark.parametrize(
    "start, prefix, exact",
    [
        ("http://127.0.0.1:8000/syria", "/syria/", "/syria"),
        ("http://127.0.0.1:8000/syria/", "/syria/", "/syria"),
        ("http://127.0.0.1:8000/syria/articles.html", "/syria/", "/syria/articles.html"),  # a file's folder
        ("http://127.0.0.1:8000/v1.0/syria", "/v1.0/syria/", "/v1.0/syria"),  # a dot in a folder above
        ("http://127.0.0.1:8000", "/", "/"),
    ],
)
def test_the_folder_a_start_url_implies(start, prefix, exact):
    root = root_of(start)
    assert (root.prefix, root.exact) == (prefix, exact)


@pytest.mark.parametrize("start", ["ftp://127.0.0.1/syria", "http:///syria", "127.0.0.1/syria"])
def test_a_start_url_that_is_no_http_url_is_named(start):
    with pytest.raises(ValueError, match="not an http"):
        root_of(start)


@pytest.mark.parametrize(
    "start, prefix, want_prefix, want_exact",
    [
        ("http://127.0.0.1/index.html", None, "/", "/index.html"),  # a file at the top: the whole host
        ("http://127.0.0.1/INBOX/a.html", None, "/INBOX/", "/INBOX/a.html"),
        ("http://127.0.0.1/INBOX", None, "/INBOX/", "/INBOX"),
        ("http://127.0.0.1/INBOX/", None, "/INBOX/", "/INBOX"),
        ("http://127.0.0.1/x.html", "/syria", "/syria/", "/x.html"),  # a prefix given: a folder
        ("http://127.0.0.1/x.html", "/syria/", "/syria/", "/x.html"),
    ],
)
def test_the_folder_a_start_url_implies_or_is_given(start, prefix, want_prefix, want_exact):
    root = root_of(start, prefix)
    assert (root.scheme, root.prefix, root.exact) == ("http", want_prefix, want_exact)

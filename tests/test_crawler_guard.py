"""The downloader's scope guard, on real Scrapy requests: the last word on what a crawl may fetch.

The guard reads one thing of its crawler, the spider's scope; a namespace stands for the crawler,
the Scope and the requests are the real ones.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest

from crawler.guard import OutOfScope, ScopeGuardMiddleware
from crawler.scope import HostRule, Scope

START = "http://127.0.0.1:8765/syria"


def guard(requisite_hosts: str | None = "127.0.0.2") -> ScopeGuardMiddleware:
    rule = HostRule.parse(requisite_hosts, [START])
    scope = Scope.from_urls([START], requisite_hosts=rule)
    return ScopeGuardMiddleware.from_crawler(SimpleNamespace(spider=SimpleNamespace(scope=scope)))


def passes(mw: ScopeGuardMiddleware, url: str, requisite: bool = False) -> bool:
    try:
        assert mw.process_request(Request(url, meta={"requisite": True} if requisite else {})) is None
    except OutOfScope as e:
        assert str(e) == f"out of scope: {url}"
        return False
    return True


def test_pages_pass_only_inside_the_start_folder():
    mw = guard()
    assert passes(mw, START)
    assert passes(mw, START + "/articles/2016/03/11/x")
    assert not passes(mw, "http://127.0.0.1:8765/refugees/articles")
    assert not passes(mw, "http://127.0.0.1:8765/assets/site.css")
    assert not passes(mw, "http://127.0.0.2:8765/syria/articles")


def test_requisites_pass_on_the_start_host_and_the_allowed_hosts_only():
    mw = guard()
    assert passes(mw, "http://127.0.0.1:8765/assets/site.css", requisite=True)
    assert passes(mw, "http://127.0.0.2:8765/assets/app.js", requisite=True)
    assert not passes(mw, "http://127.0.0.3:8765/images/a.jpg", requisite=True)
    # A page is judged as a page, even on a host its requisites may come from.
    assert not passes(mw, "http://127.0.0.2:8765/syria/articles")


def test_robots_txt_passes_where_requisites_may_come_from():
    mw = guard()
    assert passes(mw, "http://127.0.0.1:8765/robots.txt")
    assert passes(mw, "http://127.0.0.2:8765/robots.txt")
    assert not passes(mw, "http://127.0.0.3:8765/robots.txt")
    assert not passes(mw, "http://127.0.0.3:8765/robots.txt.bak")
    start_only = guard("-*")
    assert passes(start_only, "http://127.0.0.1:8765/robots.txt")
    assert not passes(start_only, "http://127.0.0.2:8765/robots.txt")


def test_out_of_scope_is_an_ignored_request_not_an_error():
    assert issubclass(OutOfScope, IgnoreRequest)
    with pytest.raises(IgnoreRequest):
        guard().process_request(Request("http://127.0.0.9/elsewhere"))

"""Which hosts count as loopback, and how a host rule's patterns match: the rules that keep a crawl
of a local copy from ever reaching out."""

from __future__ import annotations

import pytest

from crawler.scope import HostRule, is_loopback, parse_resolve


@pytest.mark.parametrize("url", ["http://127.0.0.1:8765/syria", "http://127.9.9.9/", "http://localhost:9/x",
                                 "http://LOCALHOST/", "http://[::1]:80/a", "https://127.0.0.2"])
def test_loopback_urls(url):
    assert is_loopback(url) is True


@pytest.mark.parametrize("url", ["http://128.0.0.1/", "http://10.0.0.1/", "http://localhost.example/",
                                 "http://example.com/", "http://[::2]/", "not a url", "", "http:///x",
                                 "http://0x7f000001/"])
def test_other_urls_are_not_loopback(url):
    assert is_loopback(url) is False


def test_the_loopback_pattern_takes_loopback_hosts_and_the_names_resolved_there():
    starts = ["http://127.0.0.1:8000/syria"]
    rule = HostRule.parse("loopback", starts, parse_resolve(["cdn.example=127.0.0.5"]))
    for host in ("127.0.0.1", "127.0.0.3", "localhost", "LocalHost", "::1", "cdn.example", "CDN.example"):
        assert rule.allows(host), host
    for host in ("example.com", "10.0.0.1", "cdn.example.org", "localhost.example"):
        assert not rule.allows(host), host


def test_globs_match_whole_hosts_case_blind_and_a_denial_wins():
    rule = HostRule.parse("*.example.com,-bad.example.com", ["http://127.0.0.1:8000/syria"])
    assert rule.allows("a.example.com") and rule.allows("A.Example.COM")
    assert not rule.allows("example.com") and not rule.allows("a.example.com.evil")
    assert not rule.allows("bad.example.com") and not rule.allows("BAD.example.com")
    anything = HostRule.parse("*", ["http://127.0.0.1:8000/syria"])
    assert anything.allows("whatever.example") and anything.allows("127.0.0.1")
    assert anything.describe() == "*"

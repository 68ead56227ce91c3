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


@pytest.mark.parametrize("item, message", [
    ("a/b=127.0.0.1", "--resolve wants HOST=ADDRESS[:PORT], not 'a/b=127.0.0.1'"),
    ("b.example=", "--resolve wants HOST=ADDRESS[:PORT], not 'b.example='"),
    ("b.example=127.0.0.1=x", "--resolve 'b.example=127.0.0.1=x': '127.0.0.1=x' is not an IP address"),
    ("b.example=300.0.0.1", "--resolve 'b.example=300.0.0.1': '300.0.0.1' is not an IP address"),
    ("b.example=[::1]]:99", "--resolve 'b.example=[::1]]:99': bad port ']:99'"),
    ("b.example=127.0.0.1:x", "--resolve 'b.example=127.0.0.1:x': bad port 'x'"),
    ("b.example=127.0.0.1:65536", "--resolve 'b.example=127.0.0.1:65536': bad port '65536'"),
])
def test_a_bad_resolve_says_what_is_wrong(item, message):
    with pytest.raises(ValueError) as raised:
        parse_resolve([item])
    assert str(raised.value) == message


def test_resolve_ports_at_their_edges():
    assert parse_resolve(["a.example=127.0.0.1:1", "b.example=127.0.0.1:65535", "c.example=[::1]"]) == {
        "a.example": ("127.0.0.1", 1), "b.example": ("127.0.0.1", 65535), "c.example": ("::1", None)}


def test_a_bracketed_loopback_address_is_loopback():
    rule = HostRule.parse("loopback", ["http://127.0.0.1:8000/syria"])
    assert rule.allows("[::1]") and not rule.allows("[::2]")


def test_on_start_host_and_what_a_requisite_rule_denies():
    from crawler.scope import Scope

    scope = Scope.from_urls(["http://127.0.0.1:8000/syria"])
    assert scope.on_start_host("http://127.0.0.1:8000/anything/else")
    assert not scope.on_start_host("http://127.0.0.2:8000/syria")
    assert not scope.on_start_host("http://[::1/")
    assert scope.requisite_host_denied("http://127.0.0.2:8000/a.css") is None, "allowed: nothing denied"
    assert scope.requisite_host_denied("http://cdn.example/a.css") == "cdn.example"


def test_an_ip_pattern_bracketed_or_not_matches_the_address_a_url_gives():
    from crawler.scope import Scope
    for spec in ("[::1]", "::1"):
        rule = HostRule.parse(f"{spec},-[::2],127.0.0.9", ["http://127.0.0.1:8000/syria"])
        scope = Scope.from_urls(["http://127.0.0.1:8000/syria"], requisite_hosts=rule)
        assert scope.requisite_in_scope("http://[::1]:9/site.css"), spec
        assert not scope.requisite_in_scope("http://[::2]:9/site.css"), spec
        assert scope.requisite_in_scope("http://127.0.0.9/site.css"), spec


def test_a_glob_class_at_a_patterns_end_stays_a_class_only_an_ip_loses_its_brackets():
    rule = HostRule.parse("[ab]cdn.example,img[12]", ["http://127.0.0.1:8000/syria"])
    assert rule.allows("acdn.example") and rule.allows("bcdn.example") and not rule.allows("ccdn.example")
    assert rule.allows("img1") and rule.allows("img2") and not rule.allows("img3")


def test_empty_patterns_are_skipped_and_bad_ones_named():
    rule = HostRule.parse("a.example,,b.example, ,", ["http://127.0.0.1:8000/syria"])
    assert rule.allows("a.example") and rule.allows("b.example") and not rule.allows("c.example")
    for spec in ("http://a.example", "a.example/x", "a.example:8080", "-"):
        with pytest.raises(ValueError, match="host patterns only"):
            HostRule.parse(spec)

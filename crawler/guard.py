"""The last word on scope, for every request the downloader is about to send, whatever made it:
a link, a redirect (RedirectMiddleware follows any Location), a `<base>` tag or a resumed frontier.

The spider already filters what it schedules; this guard makes scope a property of the crawl, not
of each place that creates requests.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest

from crawler.scope import Scope


class OutOfScope(IgnoreRequest):
    pass


class ScopeGuardMiddleware:
    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request, spider=None):
        scope: Scope = self.crawler.spider.scope  # the spider's, however its start URLs were given
        url = request.url
        if urlsplit(url).path == "/robots.txt" and scope.requisite_in_scope(url):
            return None
        allowed = scope.requisite_in_scope(url) if request.meta.get("requisite") else scope.page_in_scope(url)
        if not allowed:
            raise OutOfScope(f"out of scope: {url}")
        return None

"""Discovery only: what to follow from each captured body, and what is in scope.

Writing the WARCs is the downloader middleware's job (crawler/warc.py); this spider never sees raw
bytes and never decides what is stored.
"""

from __future__ import annotations

from collections import Counter

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

from crawler.guard import OutOfScope
from crawler.links import links_of
from crawler.scope import DEFAULT_START, Scope


class SyriaDeeplySpider(scrapy.Spider):
    name = "syriadeeply"
    # 4xx and 5xx reach `parse` (after retries) so they are counted as outcomes, not silently dropped.
    handle_httpstatus_list = list(range(400, 600))

    def __init__(self, start_urls=None, scope_prefix=None, max_pages=None, resume_links=None,
                 already_captured=None, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if isinstance(start_urls, str):
            start_urls = start_urls.split()
        self.start_urls = list(start_urls or [DEFAULT_START])
        self.scope = Scope.from_urls(self.start_urls, scope_prefix)
        self.max_pages = int(max_pages) if max_pages else 0
        self.seen: set[str] = set(already_captured or ())
        self.scheduled_pages = len(self.seen)  # a resumed crawl keeps to the budget of the whole crawl
        self.resume_links = resume_links or ()
        self.outcomes: Counter = Counter()

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        s = crawler.settings
        kwargs.setdefault("start_urls", s.getlist("DEEPLY_START_URLS") or None)
        kwargs.setdefault("scope_prefix", s.get("DEEPLY_SCOPE_PREFIX"))
        kwargs.setdefault("max_pages", s.getint("DEEPLY_MAX_PAGES"))
        kwargs.setdefault("already_captured", s.get("DEEPLY_ALREADY_CAPTURED"))
        return super().from_crawler(crawler, *args, **kwargs)

    async def start(self):
        for url in self.start_urls:
            request = self._page(url, depth=0)
            if request is not None:
                yield request
        # A resumed crawl re-reads the pages it had captured (from its WARCs, not the network) and
        # schedules what they link to that it has not captured yet.
        for link in self.resume_links:
            request = self._make(link.url, link.requisite, depth=1)
            if request is not None:
                yield request

    def _make(self, url: str, requisite: bool, depth: int):
        if requisite:
            return self._requisite(url)
        return self._page(url, depth)

    def _page(self, url: str, depth: int):
        if url in self.seen or not self.scope.page_in_scope(url):
            return None
        if self.max_pages and self.scheduled_pages >= self.max_pages:
            self.outcomes["page budget reached"] += 1
            return None
        self.seen.add(url)
        self.scheduled_pages += 1
        return scrapy.Request(url, callback=self.parse, errback=self.failed, meta={"depth": depth})

    def _requisite(self, url: str):
        if url in self.seen or not self.scope.requisite_in_scope(url):
            return None
        self.seen.add(url)
        return scrapy.Request(url, callback=self.parse, errback=self.failed,
                              meta={"requisite": True}, priority=10)

    def parse(self, response: Response):
        if response.status >= 400:
            self.outcomes[f"http {response.status}"] += 1
            return
        # A redirect's target is a new URL: it is marked seen here so that links to it are not refetched.
        self.seen.add(response.url)
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1")
        depth = response.meta.get("depth", 0)
        for link in links_of(response.body, response.url, content_type):
            if response.meta.get("requisite") and not link.requisite:
                continue  # a stylesheet's links are fonts and images, never pages
            request = self._make(link.url, link.requisite, depth + 1)
            if request is not None:
                yield request

    def failed(self, failure):
        if failure.check(OutOfScope):
            self.outcomes["redirect out of scope"] += 1
            return
        if failure.check(IgnoreRequest):
            reason = str(failure.value)
            self.outcomes["robots.txt disallowed" if "robots" in reason.lower() else "ignored"] += 1
            return
        self.outcomes[type(failure.value).__name__] += 1
        self.logger.info("fetch failed: %s (%s)", failure.request.url, failure.value)

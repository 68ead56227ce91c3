"""Scrapy's redirect middleware, keeping the Referer a request was sent with when it is redirected.

That is what a browser does (the page that held the link stays the referrer), and it needs no
Referer spider middleware, which the spider does without (see crawler/spiders/syriadeeply.py).
"""

from __future__ import annotations

from scrapy.downloadermiddlewares.redirect import RedirectMiddleware as ScrapyRedirectMiddleware


class RedirectMiddleware(ScrapyRedirectMiddleware):
    def handle_referer(self, request, response) -> None:
        return None  # the redirected request keeps the headers it was copied with

    def _engine_started(self) -> None:
        # Scrapy looks for its Referer spider middleware here and warns when there is none.
        self._referer_spider_middleware = None

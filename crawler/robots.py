"""Scrapy's robots.txt middleware, with every request that waited for robots.txt checked against it.

Scrapy 2.19 has the requests that arrive while robots.txt is being fetched await the same Twisted
Deferred through `Deferred.asFuture`, whose callback returns None: the first waiter gets the parser
and every later one gets None, which Scrapy reads as "no robots.txt, everything allowed". A crawl with
several start URLs, or a resumed crawl scheduling its frontier at once, then fetched pages robots.txt
disallows. Here each waiter gets a Deferred of its own, fed by a callback that passes the parser on
(what Scrapy did before 2.13).

A robots.txt that cannot be fetched (a host refusing connections) is a fact of the crawl, counted in
its summary with the host's other failures; Scrapy logs it with a whole traceback, which says nothing
more and buries the crawl's output, so it is kept to its one line unless the crawl logs at DEBUG.
"""

from __future__ import annotations

import logging

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware as ScrapyRobotsTxtMiddleware
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred


class _OneLine(logging.Filter):
    keep_traceback = False  # the crawl logs at DEBUG

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.keep_traceback:
            record.exc_info = None
            record.exc_text = None
        return True


ONE_LINE = _OneLine()


class RobotsTxtMiddleware(ScrapyRobotsTxtMiddleware):
    def __init__(self, crawler):
        super().__init__(crawler)
        ONE_LINE.keep_traceback = str(crawler.settings.get("LOG_LEVEL", "")).upper() == "DEBUG"
        scrapy_logger = logging.getLogger(ScrapyRobotsTxtMiddleware.__module__)
        if ONE_LINE not in scrapy_logger.filters:
            scrapy_logger.addFilter(ONE_LINE)

    async def robot_parser(self, request):
        pending = self._parsers.get(urlparse_cached(request).netloc)
        if not isinstance(pending, Deferred):
            return await super().robot_parser(request)
        mine: Deferred = Deferred()

        def hand_on(parser):
            mine.callback(parser)
            return parser  # for the next waiter in the chain

        pending.addCallback(hand_on)
        return await maybe_deferred_to_future(mine)


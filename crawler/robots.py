"""Scrapy's robots.txt middleware, with every request that waited for robots.txt checked against it.

Scrapy 2.19 has the requests that arrive while robots.txt is being fetched await the same Twisted
Deferred through `Deferred.asFuture`, whose callback returns None: the first waiter gets the parser
and every later one gets None, which Scrapy reads as "no robots.txt, everything allowed". A crawl with
several start URLs, or a resumed crawl scheduling its frontier at once, then fetched pages robots.txt
disallows. Here each waiter gets a Deferred of its own, fed by a callback that passes the parser on
(what Scrapy did before 2.13).
"""

from __future__ import annotations

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware as ScrapyRobotsTxtMiddleware
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred


class RobotsTxtMiddleware(ScrapyRobotsTxtMiddleware):
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


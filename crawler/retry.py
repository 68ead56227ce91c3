"""Retries that honour `Retry-After`: a 429 or 503 says when to come back, and a polite archiver waits
that long (up to a cap) instead of hammering the server with Scrapy's immediate retries."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import reactor, task


def retry_after_seconds(value: bytes | str | None, cap: float) -> float:
    """Seconds to wait from a Retry-After value (delta-seconds or an HTTP date); 0 when absent or bad."""
    if not value:
        return 0.0
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            seconds = (parsedate_to_datetime(text) - datetime.now(UTC)).total_seconds()
        except (TypeError, ValueError):
            return 0.0
    return max(0.0, min(seconds, cap))


class RetryAfterMiddleware(RetryMiddleware):
    def __init__(self, settings):
        super().__init__(settings)
        self.cap = settings.getfloat("DEEPLY_MAX_RETRY_AFTER", 120.0)

    async def process_response(self, request, response, spider=None):
        if response.status in (429, 503) and response.status in self.retry_http_codes:
            delay = retry_after_seconds(response.headers.get(b"Retry-After"), self.cap)
            if delay and not request.meta.get("dont_retry"):
                await maybe_deferred_to_future(task.deferLater(reactor, delay, lambda: None))
        return super().process_response(request, response)

"""The HTTP client of a fast crawl (a local copy, the sample site): aiohttp, through Scrapy's handler.

Scrapy's default client (Twisted) parses HTTP in Python; on loopback, where nothing waits on the
network, it was a fifth of the crawl's CPU (py-spy and A/B runs on `make bench`), and aiohttp's
parser is C. Scrapy 2.19 ships this handler as experimental, so polite crawls of real sites keep
Scrapy's production client (crawler/run.py decides); both are tested.

It also keeps what Twisted drops: the header lines as they came, names in their case and order, with
the connection headers, so the WARC's response records show them as sent (crawler/warc.py).
"""

from __future__ import annotations

from scrapy.core.downloader.handlers._aiohttp import AiohttpDownloadHandler

from crawler.warc import RAW_HEADERS


class FastDownloadHandler(AiohttpDownloadHandler):
    # Made at the first request: aiohttp needs the running event loop, which Scrapy starts later.
    lazy = True
    # Scrapy warns at start that the handler is experimental; the README says so, and why it is used.
    experimental = False

    @staticmethod
    def _build_base_response_args(response, request, headers):
        # Scrapy's Response re-makes its headers as a plain `Headers`: the lines as received travel
        # on the request instead, to the WARC writer, the first middleware to see the response.
        request.meta[RAW_HEADERS] = tuple(response.raw_headers)
        return AiohttpDownloadHandler._build_base_response_args(response, request, headers)

    async def download_request(self, request):
        # Sent as Scrapy has it, as the request record says: yarl would otherwise re-encode the URL.
        request.meta.setdefault("verbatim_url", True)
        return await super().download_request(request)

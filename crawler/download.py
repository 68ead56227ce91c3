"""The HTTP client of a fast crawl (a local copy, the sample site): aiohttp, through Scrapy's handler.

Scrapy's default client (Twisted) parses HTTP in Python; on loopback, where nothing waits on the
network, that parsing is a large part of the crawl's CPU (`make bench` compares the two), and
aiohttp's parser is C. Scrapy 2.19 ships this handler as experimental, so polite crawls of real sites keep
Scrapy's production client (crawler/run.py decides); both are tested.

It is also the client that can be told where a host is (`--resolve`): its resolver answers for the
mapped hosts itself, so no DNS query is made for them, and TLS still names the host (SNI).

It also keeps what Twisted drops: the header lines as they came, names in their case and order, with
the connection headers, so the WARC's response records show them as sent (crawler/warc.py).
"""

from __future__ import annotations

import socket

from aiohttp.abc import AbstractResolver
from scrapy.core.downloader.handlers._aiohttp import AiohttpDownloadHandler

from crawler.warc import RAW_HEADERS


class MappedResolver(AbstractResolver):
    """`--resolve`: the mapped hosts from the map, every other host from the resolver it wraps."""

    def __init__(self, mapping: dict, fallback: AbstractResolver):
        self.mapping = {h.lower(): (a, p) for h, (a, p) in mapping.items()}
        self.fallback = fallback

    async def resolve(self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET):
        found = self.mapping.get(host.lower().rstrip("."))
        if found is None:
            return await self.fallback.resolve(host, port, family)
        address, to_port = found
        return [{"hostname": host, "host": address, "port": to_port or port,
                 "family": socket.AF_INET6 if ":" in address else socket.AF_INET,
                 "proto": 0, "flags": socket.AI_NUMERICHOST}]

    async def close(self) -> None:
        await self.fallback.close()


class FastDownloadHandler(AiohttpDownloadHandler):
    # Made at the first request: aiohttp needs the running event loop, which Scrapy starts later.
    lazy = True
    # Scrapy warns at start that the handler is experimental; the README says so, and why it is used.
    experimental = False

    def __init__(self, crawler):
        super().__init__(crawler)
        mapping = crawler.settings.getdict("DEEPLY_RESOLVE")
        if mapping:
            # aiohttp takes a resolver only when its connector is made (in Scrapy's __init__): the
            # connector's own is wrapped instead (`_resolver`, aiohttp 3.x).
            connector = self._session.connector
            connector._resolver = MappedResolver(mapping, connector._resolver)

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

"""Does every archived page replay whole? Each page of a crawl opened through the project's pywb in
headless Chromium (Playwright, driving the system's browser), as Browsertrix's quality assurance does.

For each page: every request it made and whether the archive answered it (found; missing: pywb has
no capture of it; failed: archived as an error, or the request broke; blocked: it tried to reach
the live web), the console errors, how much of the extracted record's text is visible, and a
screenshot. The browser may reach only the replay server: every other request is aborted by the
page's request routing, and Chromium resolves no host name but loopback's, so a page escaping
replay shows up as blocked and sends nothing.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import socket
import sys
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from archive.cores import usable_cores
from replay.browser import find_chromium
from replay.pywb_collection import build_collection, start
from storage.replay_links import replay_url

DEFAULT_PAGES = 100
DEFAULT_MIN_TEXT = 0.9
PAGE_TIMEOUT = 60.0  # seconds for a page to load through pywb
IDLE_TIMEOUT = 5.0  # seconds to wait for the network to go quiet after the load event
QUIET = 0.15  # seconds without a request that count as quiet
VIEWPORT = {"width": 1280, "height": 900}
BROWSER_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--hide-scrollbars",
    "--mute-audio",
    # The second fence behind the request routing: nothing but the loopback replay server resolves.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
)
WORD = re.compile(r"\w+")
OUTCOMES = ("found", "missing", "failed", "blocked")


class QaError(RuntimeError):
    """The check cannot run (no browser, no pages, no store): one line for the person."""


@dataclass
class PageCheck:
    url: str
    capture_id: str
    replay_url: str
    requests: dict[str, str] = field(default_factory=dict)  # original URL -> outcome
    console_errors: list[str] = field(default_factory=list)
    text_match: float | None = None
    screenshot: str | None = None
    error: str | None = None  # the page itself did not load

    def urls(self, outcome: str) -> list[str]:
        return sorted(u for u, o in self.requests.items() if o == outcome)

    def hosts(self) -> dict[str, int]:
        """Requests by the host of the archived URL: where the page's requisites came from."""
        out: dict[str, int] = {}
        for url in self.requests:
            host = urlsplit(url).netloc
            out[host] = out.get(host, 0) + 1
        return out

    def count(self, outcome: str) -> int:
        return sum(1 for o in self.requests.values() if o == outcome)

    def problems(self, min_text: float) -> list[str]:
        out = []
        if self.error:
            out.append(f"did not load: {self.error}")
        for outcome, what in (("missing", "not in the archive"), ("failed", "failed"),
                              ("blocked", "blocked (tried the live web)")):
            urls = self.urls(outcome)
            if len(urls) > 3:
                hosts = Counter(urlsplit(u).netloc for u in urls).most_common()
                by_host = ", ".join(f"{h} {n}" for h, n in hosts[:6]) + (", …" if len(hosts) > 6 else "")
                out.append(f"{len(urls)} {what} (by host: {by_host}): {', '.join(urls[:3])} and "
                           f"{len(urls) - 3} more")
            elif urls:
                out.append(f"{len(urls)} {what}: {', '.join(urls)}")
        if self.text_match is not None and self.text_match < min_text:
            out.append(f"text match {self.text_match:.2f}")
        return out

    def complete(self, min_text: float) -> bool:
        return not self.problems(min_text)


@dataclass
class QaReport:
    crawl_id: str
    pages: list[PageCheck]
    min_text: float
    screenshots: Path
    seconds: float = 0.0

    @property
    def incomplete(self) -> list[PageCheck]:
        return [p for p in self.pages if not p.complete(self.min_text)]

    def total(self, outcome: str) -> int:
        return sum(p.count(outcome) for p in self.pages)

    def summary(self) -> str:
        complete = len(self.pages) - len(self.incomplete)
        matches = [p.text_match for p in self.pages if p.text_match is not None]
        text = f"; text match min {min(matches):.2f}" if matches else ""
        requests = sum(len(p.requests) for p in self.pages)
        return (f"qa {self.crawl_id}: {complete} of {len(self.pages)} pages replay complete"
                f" ({len(self.incomplete)} incomplete); {requests} requests: "
                + ", ".join(f"{self.total(o)} {o}" for o in OUTCOMES) + text)

    def rows(self) -> list[dict]:
        """The `qa` table's rows (storage/qa.py)."""
        import json

        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return [{
            "crawl_id": self.crawl_id, "url": p.url, "capture_id": p.capture_id, "checked_at": now,
            "replay_url": p.replay_url, "complete": int(p.complete(self.min_text)),
            "requests": len(p.requests), "request_hosts": json.dumps(p.hosts(), sort_keys=True),
            **{o: p.count(o) for o in OUTCOMES},
            "console_errors": len(p.console_errors), "text_match": p.text_match,
            "screenshot": p.screenshot, "missing_urls": json.dumps(p.urls("missing") + p.urls("failed")),
            "blocked_urls": json.dumps(p.urls("blocked")), "problems": json.dumps(p.problems(self.min_text)),
        } for p in self.pages]


def text_match(record_text: str | None, visible: str) -> float | None:
    """The share of the record's distinct words that the replayed page shows (None: no record)."""
    words = set(WORD.findall((record_text or "").casefold()))
    if not words:
        return None
    seen = set(WORD.findall(visible.casefold()))
    return round(len(words & seen) / len(words), 4)


def spread(items: list, n: int | None) -> list:
    """`n` items evenly spread over the list (all of them for None), always the same ones."""
    if n is None or n >= len(items):
        return list(items)
    if n <= 0:
        return []
    step = len(items) / n
    return [items[int(k * step)] for k in range(n)]


def _replay_original(url: str, base: str) -> str | None:
    """The archived URL a replay URL asks for (`BASE/COLL/TSmod_/URL`); None for pywb's own files."""
    if not url.startswith(base + "/"):
        return None
    m = re.match(r"/[^/]+/\d{1,14}(?:[a-z]{2}_)?/(.+)", url[len(base):])
    return m.group(1) if m else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def default_workers() -> int:
    return min(usable_cores(), 4)


def check_crawl(warc_dir: Path, db_path: Path, crawl_id: str | None = None, pages: int | None = DEFAULT_PAGES,
                screenshots: Path | None = None, workers: int | None = None,
                min_text: float = DEFAULT_MIN_TEXT, progress: bool = True,
                on_page: Callable[[PageCheck], None] | None = None) -> QaReport:
    """Replay `pages` pages of the crawl (None: all; default: the latest crawl), record the results in
    the store's `qa` table, and return them."""
    import time

    from storage.qa import crawl_pages, latest_crawl, record_qa

    chromium = find_chromium()
    if not chromium:
        raise QaError("no Chromium found: apt-get install chromium")
    crawl_id = crawl_id or latest_crawl(db_path)
    if crawl_id is None:
        raise QaError(f"no crawl with captures in {db_path}")
    chosen = spread(crawl_pages(db_path, crawl_id), pages)
    if not chosen:
        raise QaError(f"crawl {crawl_id} has no HTML pages in {db_path}")
    from storage.lock import writer_lock

    with writer_lock(db_path):  # StoreBusy now, not after minutes of browsing (an ingest, a serve)
        pass
    shots = Path(screenshots) if screenshots else Path(db_path).parent / "qa-screenshots" / crawl_id
    shots.mkdir(parents=True, exist_ok=True)
    began = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="deeply-qa-") as tmp:
        # Frameless, in a root of its own (the WARC folder's index, not `deeply replay`'s config):
        # the page is the document itself, not an iframe under pywb's banner.
        collection = build_collection(warc_dir, Path(tmp) / "pywb", framed=False)
        server = start(collection, port=_free_port(), log_path=Path(tmp) / "pywb.log")
        try:
            checks = asyncio.run(_check_all(chromium, server.base_url, server.coll_url, chosen, shots,
                                            workers or default_workers(), progress, on_page))
        finally:
            server.stop()
    report = QaReport(crawl_id, checks, min_text, shots, time.monotonic() - began)
    record_qa(db_path, report.rows())
    return report


async def _check_all(chromium: str, base: str, coll_url: str, pages: list, shots: Path, workers: int,
                     progress: bool, on_page) -> list[PageCheck]:
    from playwright.async_api import async_playwright
    from tqdm import tqdm

    queue: asyncio.Queue = asyncio.Queue()
    for k, page in enumerate(pages):
        queue.put_nowait((k, page))
    results: list[PageCheck | None] = [None] * len(pages)
    bar = tqdm(total=len(pages), desc="qa", unit=" pages", file=sys.stderr, disable=not progress,
               mininterval=0.5, dynamic_ncols=True)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=chromium, args=list(BROWSER_ARGS))
        try:
            context = await browser.new_context(viewport=VIEWPORT, service_workers="block")

            async def worker():
                while True:
                    try:
                        k, page = queue.get_nowait()
                    except asyncio.QueueEmpty:
                        return
                    results[k] = await _check_page(context, base, coll_url, page, shots)
                    if on_page:
                        on_page(results[k])
                    bar.update(1)

            await asyncio.gather(*(worker() for _ in range(max(1, workers))))
            await context.close()
        finally:
            await browser.close()
            bar.close()
    return [r for r in results if r is not None]


async def _quiet(traffic: dict) -> None:
    """After the load event, until no request is in flight and none starts for QUIET seconds (what
    Playwright's "networkidle" waits for, with a longer fixed quiet time than a page needs);
    a page that keeps polling is checked as it is after IDLE_TIMEOUT."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + IDLE_TIMEOUT
    while loop.time() < deadline:
        seen = traffic["seen"]
        await asyncio.sleep(QUIET)
        if traffic["open"] <= 0 and traffic["seen"] == seen:
            return


async def _check_page(context, base: str, coll_url: str, qa_page, shots: Path) -> PageCheck:
    from playwright.async_api import Error as PlaywrightError

    link = replay_url(coll_url, qa_page.timestamp, qa_page.url, "mp_")
    check = PageCheck(qa_page.url, qa_page.capture_id, link)
    page = await context.new_page()

    async def route(route, request):
        if request.url.startswith(base + "/"):
            await route.continue_()
        else:
            check.requests[request.url] = "blocked"
            await route.abort("blockedbyclient")

    def on_response(response):
        original = _replay_original(response.url, base)
        if original is None or 300 <= response.status < 400:
            return  # pywb's own files; a redirect (to the capture's timestamp, or archived) is followed
        if response.status < 300:
            check.requests[original] = "found"
        elif response.headers.get("memento-datetime"):
            check.requests[original] = "failed"  # archived, but as an error
        else:
            check.requests[original] = "missing"

    def on_failed(request):
        original = _replay_original(request.url, base)
        if original is not None and original not in check.requests:
            check.requests[original] = "failed"

    def on_console(message):
        if message.type == "error":
            check.console_errors.append(message.text[:500])

    traffic = {"open": 0, "seen": 0}  # requests in flight, requests started

    def on_request(_request):
        traffic["open"] += 1
        traffic["seen"] += 1

    def on_done(_request):
        traffic["open"] -= 1

    page.on("request", on_request)
    page.on("requestfinished", on_done)
    page.on("requestfailed", on_done)
    page.on("response", on_response)
    page.on("requestfailed", on_failed)
    page.on("console", on_console)
    page.on("pageerror", lambda exc: check.console_errors.append(str(exc)[:500]))
    await page.route("**/*", route)
    try:
        await page.goto(link, wait_until="load", timeout=PAGE_TIMEOUT * 1000)
        await _quiet(traffic)
        visible = await page.evaluate("() => document.body ? document.body.innerText : ''")
        check.text_match = text_match(qa_page.text, visible)
        shot = shots / (hashlib.sha1(qa_page.url.encode()).hexdigest()[:16] + ".png")
        tmp = shot.with_name(shot.name + ".tmp.png")
        await page.screenshot(path=str(tmp), type="png")
        os.replace(tmp, shot)
        check.screenshot = str(shot)
    except PlaywrightError as exc:
        check.error = str(exc).splitlines()[0][:300]
    finally:
        await page.close()
    if check.requests.get(qa_page.url) == "missing" and not check.error:
        check.error = "the page itself is not in the archive"
    return check


def run_failures() -> tuple[type[BaseException], ...]:
    """What can stop a check before it reports (pywb or Chromium failing to start or answer, a busy
    store): for the commands to say in one line, never as a traceback."""
    import sqlite3

    from playwright.sync_api import Error as PlaywrightError

    from storage import StoreError

    return (QaError, StoreError, OSError, RuntimeError, sqlite3.Error, PlaywrightError)

"""The replay check: ``deeply qa --pages N`` over a crawl, against a bare Playwright loop that only loads
the same pages through the same pywb (same browser, same number of pages open at once, no checks, no
screenshots, no store): what the check itself costs on top of replaying the pages at all.

    python -m bench.qa --plain WARCS DB [N]   # the reference, as the bench runs it (prints JSON)

Both take the same N pages, spread over the crawl by the check's own rule (`replay.qa.spread`): a
browser loads about a page a second on this kind of machine, so every page of a large crawl would
take the bench an hour and say nothing more about the ratio.
"""

from __future__ import annotations

import json
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench import measure


@dataclass
class QaResult:
    measured: measure.Measured
    pages: int
    seconds: float  # timed part (the reference: from its first page to its last)

    @property
    def rate(self) -> float:
        return self.pages / self.seconds if self.seconds > 0 else 0.0


PAGES = 100  # pages each side loads


def ours(warc_dir: Path, db: Path, *, timeout: float, log, pages: int = PAGES) -> QaResult:
    cmd = [sys.executable, "-m", "deeply", "qa", "--warcs", str(warc_dir), "--db", str(db), "--pages",
           str(pages), "--quiet", "--screenshots", str(Path(db).parent / "qa-shots")]
    m = measure.run(cmd, timeout=timeout, log=log)
    found = re.search(r"(\d+) of (\d+) pages replay complete", m.stdout)
    if m.timed_out or m.returncode not in (0, 1) or not found:
        raise measure.CommandFailed(f"deeply qa failed (exit {m.returncode}): {m.tail()}")
    return QaResult(m, int(found.group(2)), m.wall)


def plain(warc_dir: Path, db: Path, *, timeout: float, log, pages: int = PAGES) -> QaResult:
    m = measure.run([sys.executable, "-m", "bench.qa", "--plain", str(warc_dir), str(db), str(pages)],
                    timeout=timeout, log=log)
    if not m.ok:
        raise measure.CommandFailed(f"plain Playwright loop failed (exit {m.returncode}): {m.tail()}")
    data = json.loads(m.stdout.strip().splitlines()[-1])
    return QaResult(m, data["pages"], data["seconds"])


def _plain_loop(warc_dir: Path, db: Path, n: int) -> dict:
    import asyncio
    import tempfile

    from playwright.async_api import async_playwright

    from replay.browser import find_chromium
    from replay.pywb_collection import build_collection, start
    from replay.qa import BROWSER_ARGS, VIEWPORT, _free_port, default_workers, spread
    from storage.qa import crawl_pages, latest_crawl

    pages = spread(crawl_pages(db, latest_crawl(db)), n)
    with tempfile.TemporaryDirectory(prefix="bench-qa-") as tmp:
        server = start(build_collection(warc_dir, Path(tmp) / "pywb", framed=False), port=_free_port())
        try:
            async def loop() -> float:
                async with async_playwright() as pw:
                    browser = await pw.chromium.launch(executable_path=find_chromium(),
                                                       args=list(BROWSER_ARGS))
                    context = await browser.new_context(viewport=VIEWPORT)
                    queue = list(pages)
                    began = time.monotonic()

                    async def worker():
                        while queue:
                            p = queue.pop()
                            page = await context.new_page()
                            await page.goto(f"{server.coll_url}{p.timestamp}mp_/{p.url}", wait_until="load")
                            await page.close()

                    await asyncio.gather(*(worker() for _ in range(default_workers())))
                    seconds = time.monotonic() - began
                    await browser.close()
                    return seconds

            seconds = asyncio.run(loop())
        finally:
            server.stop()
    return {"pages": len(pages), "seconds": seconds}


if __name__ == "__main__":
    if len(sys.argv) not in (4, 5) or sys.argv[1] != "--plain":
        sys.exit(__doc__)
    n = int(sys.argv[4]) if len(sys.argv) == 5 else PAGES
    print(json.dumps(_plain_loop(Path(sys.argv[2]), Path(sys.argv[3]), n)))

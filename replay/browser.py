"""Headless Chromium driven by Playwright (the system's browser), to check replay as a reader sees it.

The browser may resolve only loopback names: an archived page that escaped replay and reached for
the live web fails instead of leaking traffic, which is what the tests want to see. `replay/qa.py`
checks whole crawls the same way; this is the one-page handle the tests and the README screenshot use:
``python -m replay.browser URL OUT.png [--wait-js EXPR]``.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")

BASE_FLAGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--no-default-browser-check",
    "--hide-scrollbars",
    "--mute-audio",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
)

# The replayed document: pywb's framed mode puts it in an iframe of the same origin.
DOC_JS = (
    "(() => { const f = document.querySelector('iframe'); return (f && f.contentDocument) || document; })()"
)


class BrowserError(RuntimeError):
    pass


def find_chromium() -> str | None:
    for path in CANDIDATES:
        if os.access(path, os.X_OK):
            return path
    return shutil.which("chromium")


class HeadlessChromium:
    """One headless Chromium with one page; use as a context manager so it is always ended."""

    def __init__(self, binary: str | None = None, user_data_dir: Path | None = None, width: int = 1280,
                 height: int = 900, timeout: float = 30.0):
        self.binary = binary or find_chromium()
        if not self.binary:
            raise BrowserError("no Chromium found (apt-get install chromium)")
        self._own_dir = None
        if user_data_dir is None:
            self._own_dir = tempfile.TemporaryDirectory(prefix="deeply-chromium-")
            user_data_dir = Path(self._own_dir.name)
        self.user_data_dir = Path(user_data_dir)
        self.width, self.height, self.timeout = width, height, timeout
        self.requests: list[str] = []  # every URL the page asked for, in order
        self.failed: list[str] = []  # URLs whose load failed (e.g. a live-web host)
        self._pw = self._context = self.page = None

    def start(self) -> HeadlessChromium:
        from playwright.sync_api import sync_playwright

        self.user_data_dir.mkdir(parents=True, exist_ok=True)
        self._pw = sync_playwright().start()
        try:
            self._context = self._pw.chromium.launch_persistent_context(
                str(self.user_data_dir), executable_path=self.binary, headless=True, args=list(BASE_FLAGS),
                viewport={"width": self.width, "height": self.height})
        except Exception as exc:
            self._pw.stop()
            raise BrowserError(f"Chromium did not start: {str(exc).splitlines()[0]}") from None
        self.page = self._context.pages[0] if self._context.pages else self._context.new_page()
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("requestfailed", lambda r: self.failed.append(r.url))
        return self

    def close(self) -> None:
        if self._context is not None:
            self._context.close()
            self._context = None
        if self._pw is not None:
            self._pw.stop()
            self._pw = None
        if self._own_dir is not None:
            self._own_dir.cleanup()
            self._own_dir = None

    def __enter__(self) -> HeadlessChromium:
        try:
            return self.start()
        except BaseException:
            self.close()
            raise

    def __exit__(self, *exc) -> None:
        self.close()

    def navigate(self, url: str, timeout: float | None = None) -> None:
        from playwright.sync_api import Error

        try:
            self.page.goto(url, wait_until="load", timeout=(timeout or self.timeout) * 1000)
        except Error as exc:
            raise BrowserError(f"cannot open {url}: {str(exc).splitlines()[0]}") from None

    def evaluate(self, expression: str):
        from playwright.sync_api import Error

        try:
            return self.page.evaluate(expression)
        except Error as exc:
            raise BrowserError(f"script failed: {str(exc).splitlines()[0]}: {expression[:200]}") from None

    def wait_for(self, expression: str, timeout: float | None = None, interval: float = 0.2):
        """Poll ``expression`` until it is truthy; returns its value."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while time.monotonic() < deadline:
            try:
                value = self.evaluate(expression)
            except BrowserError:
                value = None
            if value:
                return value
            self.page.wait_for_timeout(interval * 1000)
        raise TimeoutError(f"still falsy after {timeout or self.timeout}s: {expression[:200]}")

    def screenshot(self, path: Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(path), type="png")
        return path


def screenshot_url(
    url: str, out: Path, wait_js: str | None = None, width: int = 1280, height: int = 900
) -> Path:
    """Open ``url`` and save a PNG once ``wait_js`` holds (default: the replayed page has a body)."""
    wait_js = wait_js or f"{DOC_JS}.readyState === 'complete' && {DOC_JS}.body.innerText.length > 0"
    with HeadlessChromium(width=width, height=height) as chrome:
        chrome.navigate(url)
        chrome.wait_for(wait_js)
        chrome.page.wait_for_load_state("networkidle")  # let web fonts and images paint
        return chrome.screenshot(out)


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description="Screenshot a (replayed) page with headless Chromium.")
    parser.add_argument("url")
    parser.add_argument("out", type=Path)
    parser.add_argument("--wait-js", default=None, help="JS expression to wait for before the shot")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=900)
    args = parser.parse_args(argv)
    path = screenshot_url(args.url, args.out, args.wait_js, args.width, args.height)
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())

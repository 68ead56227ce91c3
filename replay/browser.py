"""Headless Chromium driven over the DevTools protocol on a pipe, to check replay as a reader sees it.

``--remote-debugging-pipe`` (commands on fd 3, answers and events on fd 4, NUL-terminated
JSON) needs no WebSocket client and no port, so nothing beyond the standard library. The
browser may resolve only loopback names: an archived page that escaped replay and reached for
the live web fails instead of leaking traffic, which is what the tests want to see.

Also a small command for the README screenshot:
``python -m replay.browser URL OUT.png [--wait-js EXPR]``.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")

BASE_FLAGS = (
    "--headless",
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

    def __init__(
        self,
        binary: str | None = None,
        user_data_dir: Path | None = None,
        width: int = 1280,
        height: int = 900,
        timeout: float = 30.0,
    ):
        self.binary = binary or find_chromium()
        if not self.binary:
            raise BrowserError("no Chromium found (apt-get install chromium)")
        self._own_dir = None
        if user_data_dir is None:
            self._own_dir = tempfile.TemporaryDirectory(prefix="deeply-chromium-")
            user_data_dir = Path(self._own_dir.name)
        self.user_data_dir = Path(user_data_dir)
        self.width, self.height, self.timeout = width, height, timeout
        self.process: subprocess.Popen | None = None
        self.requests: list[str] = []  # every URL the page asked for, in order
        self.failed: list[str] = []  # URLs whose load failed (e.g. a live-web host)
        self._next_id = 0
        self._buf = b""
        self._events: list[dict] = []
        self._session: str | None = None
        self._stderr = None

    # -- process -----------------------------------------------------------------------
    def start(self) -> HeadlessChromium:
        self.user_data_dir.mkdir(parents=True, exist_ok=True)
        self._stderr = open(self.user_data_dir / "chromium.log", "wb")
        cmd_r, cmd_w = os.pipe()  # we write commands; Chromium reads fd 3
        out_r, out_w = os.pipe()  # Chromium writes fd 4; we read
        # Copies above 3 and 4, so that placing one cannot overwrite the other's source.
        high_r, high_w = fcntl.fcntl(cmd_r, fcntl.F_DUPFD, 10), fcntl.fcntl(out_w, fcntl.F_DUPFD, 10)

        def child_fds() -> None:
            os.dup2(high_r, 3)
            os.dup2(high_w, 4)

        args = [
            self.binary,
            *BASE_FLAGS,
            f"--user-data-dir={self.user_data_dir}",
            f"--window-size={self.width},{self.height}",
            "--remote-debugging-pipe",
            "about:blank",
        ]
        try:
            self.process = subprocess.Popen(
                args,
                stdin=subprocess.DEVNULL,
                stdout=self._stderr,
                stderr=self._stderr,
                preexec_fn=child_fds,  # dup2 onto fds 3 and 4 in the child
                pass_fds=(3, 4),
                start_new_session=True,
            )
        finally:
            for fd in (cmd_r, out_w, high_r, high_w):
                os.close(fd)
        self._cmd_w, self._out_r = cmd_w, out_r
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self._session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        self.call("Page.enable")
        self.call("Network.enable")
        self.call(
            "Emulation.setDeviceMetricsOverride",
            width=self.width,
            height=self.height,
            deviceScaleFactor=1,
            mobile=False,
        )
        return self

    def close(self) -> None:
        if self.process and self.process.poll() is None:
            try:
                os.killpg(self.process.pid, 15)
                self.process.wait(timeout=10)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(self.process.pid, 9)
                except ProcessLookupError:
                    pass
                self.process.wait(timeout=10)
        for fd in (getattr(self, "_cmd_w", None), getattr(self, "_out_r", None)):
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self._cmd_w = self._out_r = None
        if self._stderr:
            self._stderr.close()
            self._stderr = None
        if self._own_dir:
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

    # -- protocol ------------------------------------------------------------------------
    def _read_message(self, deadline: float) -> dict:
        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no answer from Chromium")
            ready, _, _ = select.select([self._out_r], [], [], min(left, 1.0))
            if not ready:
                if self.process.poll() is not None:
                    raise BrowserError(f"Chromium exited with {self.process.returncode}")
                continue
            chunk = os.read(self._out_r, 1 << 20)
            if not chunk:
                raise BrowserError("Chromium closed the DevTools pipe")
            self._buf += chunk
        raw, self._buf = self._buf.split(b"\0", 1)
        message = json.loads(raw)
        if "method" in message:
            self._on_event(message)
        return message

    def _on_event(self, message: dict) -> None:
        method, params = message["method"], message.get("params", {})
        if method == "Network.requestWillBeSent":
            self.requests.append(params["request"]["url"])
        elif method == "Network.loadingFailed":
            self.failed.append(params.get("requestId", ""))
        self._events.append(message)

    def call(self, method: str, timeout: float | None = None, **params) -> dict:
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params}
        if self._session and not method.startswith("Target."):
            message["sessionId"] = self._session
        os.write(self._cmd_w, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            answer = self._read_message(deadline)
            if answer.get("id") == self._next_id:
                if "error" in answer:
                    raise BrowserError(f"{method}: {answer['error']}")
                return answer.get("result", {})

    def wait_event(self, method: str, timeout: float | None = None) -> dict:
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            for i, event in enumerate(self._events):
                if event["method"] == method:
                    return self._events.pop(i)
            self._read_message(deadline)

    # -- page ------------------------------------------------------------------------------
    def navigate(self, url: str, timeout: float | None = None) -> None:
        self._events.clear()
        result = self.call("Page.navigate", url=url)
        if result.get("errorText"):
            raise BrowserError(f"cannot open {url}: {result['errorText']}")
        self.wait_event("Page.loadEventFired", timeout)

    def evaluate(self, expression: str):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise BrowserError(f"script failed: {result['exceptionDetails'].get('text')}: {expression[:200]}")
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float | None = None, interval: float = 0.2):
        """Poll ``expression`` until it is truthy; returns its value."""
        deadline = time.monotonic() + (timeout or self.timeout)
        value = None
        while time.monotonic() < deadline:
            try:
                value = self.evaluate(expression)
            except BrowserError:
                value = None
            if value:
                return value
            time.sleep(interval)
        raise TimeoutError(f"still falsy after {timeout or self.timeout}s: {expression[:200]}")

    def screenshot(self, path: Path) -> Path:
        data = self.call("Page.captureScreenshot", format="png")["data"]
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))
        return path


def screenshot_url(
    url: str, out: Path, wait_js: str | None = None, width: int = 1280, height: int = 900
) -> Path:
    """Open ``url`` and save a PNG once ``wait_js`` holds (default: the replayed page has a body)."""
    wait_js = wait_js or f"{DOC_JS}.readyState === 'complete' && {DOC_JS}.body.innerText.length > 0"
    with HeadlessChromium(width=width, height=height) as chrome:
        chrome.navigate(url)
        chrome.wait_for(wait_js)
        time.sleep(0.5)  # let web fonts and images paint
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

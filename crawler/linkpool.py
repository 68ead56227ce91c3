"""Link extraction on another core while the crawl's own thread goes on downloading and writing.

A crawl of a fast site is bound by its one busy thread: Scrapy's per-request machinery, and parsing
each page for links (a quarter of it, py-spy on `make bench`). The parsing needs nothing from the
crawl, so a worker process does it: pages go to its stdin and links come back on its stdout, both
read and written by the crawl's own event loop (a process pool's helper threads would take the
interpreter lock back from the crawl for every page). Whatever goes wrong with the worker (it dies,
cannot start, stops answering), the links are extracted in the crawl's own thread instead: a crawl
never loses a page's links to the optimisation.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import os
import pickle
import struct
import sys

from crawler.links import Link, links_of

log = logging.getLogger(__name__)

HEADER = struct.Struct("!I")
ANSWER_TIMEOUT = 120.0  # seconds for one page's links; beyond it the worker is taken as hung


def default_workers() -> int:
    """One worker when there is a second core to run it on (the crawl's thread keeps the first)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return 1 if cores >= 2 else 0


class LinkExtractor:
    """`await extractor(body, url, content_type)`: the body's links, from the worker when there is one."""

    def __init__(self, workers: int):
        self.wanted = workers > 0
        self.proc: asyncio.subprocess.Process | None = None
        self.waiting: collections.deque[asyncio.Future] = collections.deque()
        self.reader: asyncio.Task | None = None
        self.starting: asyncio.Future | None = None

    async def __call__(self, body: bytes, url: str, content_type: str) -> list[Link]:
        if self.wanted:
            try:
                return await self._from_worker(body, url, content_type)
            except (TimeoutError, OSError, EOFError, ValueError, RuntimeError, pickle.PickleError,
                    asyncio.IncompleteReadError, WorkerGone) as exc:
                if self.wanted:
                    log.warning("link worker failed (%s): extracting links in the crawl's thread", exc)
                    self._stop()
        return links_of(body, url, content_type)

    async def _from_worker(self, body: bytes, url: str, content_type: str) -> list[Link]:
        proc = await self._started()
        payload = pickle.dumps((body, url, content_type), protocol=pickle.HIGHEST_PROTOCOL)
        answer = asyncio.get_running_loop().create_future()
        # Failed when the worker goes (`_fail_waiting`), perhaps after this page stopped waiting for
        # it: marked as seen so that asyncio does not report it as a lost error.
        answer.add_done_callback(lambda f: f.cancelled() or f.exception())
        self.waiting.append(answer)  # answers come back in the order the pages were sent
        proc.stdin.write(HEADER.pack(len(payload)) + payload)
        await proc.stdin.drain()
        found = await asyncio.wait_for(asyncio.shield(answer), ANSWER_TIMEOUT)
        return [Link(u, r) for u, r in found]

    async def _started(self) -> asyncio.subprocess.Process:
        if self.proc is not None:
            return self.proc
        if self.starting is None:
            self.starting = asyncio.ensure_future(self._start())
        return await asyncio.shield(self.starting)

    async def _start(self) -> asyncio.subprocess.Process:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "crawler.linkpool",
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            limit=64 * 1024 * 1024,
        )
        self.proc = proc
        self.reader = asyncio.ensure_future(self._read_answers(proc))
        return proc

    async def _read_answers(self, proc: asyncio.subprocess.Process) -> None:
        try:
            while True:
                (size,) = HEADER.unpack(await proc.stdout.readexactly(HEADER.size))
                found = pickle.loads(await proc.stdout.readexactly(size))
                answer = self.waiting.popleft()
                if not answer.done():
                    answer.set_result(found)
        except (asyncio.IncompleteReadError, OSError, EOFError, IndexError, pickle.PickleError) as exc:
            self._fail_waiting(WorkerGone(f"the link worker stopped ({type(exc).__name__})"))

    def _fail_waiting(self, exc: Exception) -> None:
        while self.waiting:
            answer = self.waiting.popleft()
            if not answer.done():
                answer.set_exception(exc)

    def _stop(self) -> None:
        """No worker from now on; the pages waiting for it are done in the crawl's thread."""
        self.wanted = False
        proc, self.proc = self.proc, None
        self._fail_waiting(WorkerGone("the link worker was stopped"))
        if proc is not None and proc.returncode is None:
            proc.kill()

    async def close(self) -> None:
        """At the end of the crawl: the worker ends when its input does."""
        self.wanted = False
        proc, self.proc = self.proc, None
        if proc is None:
            return
        try:
            proc.stdin.close()
            await asyncio.wait_for(proc.wait(), 10)
        except (TimeoutError, OSError):
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
        if self.reader is not None:
            await self.reader


class WorkerGone(Exception):
    pass


def serve(stdin, stdout) -> None:
    """The worker: length-prefixed pickles in, the same out, one answer per page, in order."""
    read, write = stdin.read, stdout.write
    while True:
        head = read(HEADER.size)
        if len(head) < HEADER.size:
            return
        body, url, content_type = pickle.loads(read(HEADER.unpack(head)[0]))
        # Plain tuples: they cross the process boundary several times cheaper than dataclasses.
        found = [(link.url, link.requisite) for link in links_of(body, url, content_type)]
        payload = pickle.dumps(found, protocol=pickle.HIGHEST_PROTOCOL)
        write(HEADER.pack(len(payload)) + payload)
        stdout.flush()


if __name__ == "__main__":
    serve(sys.stdin.buffer, sys.stdout.buffer)

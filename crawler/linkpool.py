"""Link extraction on another core while the crawl's own thread goes on downloading and writing.

A crawl of a fast site is bound by its one busy thread: Scrapy's per-request machinery, and parsing
each page for links. The parsing needs nothing from the
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
import pickle
import struct
import sys
from dataclasses import dataclass, field

from archive.cores import usable_cores
from crawler.links import Link, links_of
from crawler.scope import Scope

log = logging.getLogger(__name__)

HEADER = struct.Struct("!I")
ANSWER_TIMEOUT = 120.0  # seconds for one page's links; beyond it the worker is taken as hung


@dataclass
class Sieve:
    """The links the spider would turn down whatever happens, turned down in the worker instead.

    Each page repeats the site's navigation, so most of the links of a page were seen before: sent
    back, each would cost the crawl's thread an unpickling and a look-up, for nothing. The spider's
    own checks stay and decide; the sieve only drops what they would
    drop: links out of scope (but a requisite denied by its host, which the spider counts), page links
    of a requisite, and a (URL, page or requisite) already passed on, since every other check of the
    spider, once it has turned a URL down, turns it down for good.
    Depth is the exception (a page met again less deep may be within `--max-depth`): with a depth
    limit, `once` is off.
    """

    scope: Scope
    once: bool = True
    passed: set[tuple[str, bool]] = field(default_factory=set)

    def __call__(self, links: list[Link], pages_wanted: bool) -> list[tuple[str, bool]]:
        out = []
        scope, passed, once = self.scope, self.passed, self.once
        for link in links:
            url, requisite = link.url, link.requisite
            if requisite:
                # A requisite denied by its host goes back once all the same: the summary counts
                # what was skipped, by host.
                if not scope.requisite_in_scope(url) and scope.requisite_host_denied(url) is None:
                    continue
            elif not pages_wanted or not scope.page_in_scope(url):
                continue
            if once:
                key = (url, requisite)
                if key in passed:
                    continue
                passed.add(key)
            out.append((url, requisite))
        return out


def default_workers() -> int:
    """One worker when there is a second core to run it on (the crawl's thread keeps the first)."""
    return 1 if usable_cores() >= 2 else 0


class LinkExtractor:
    """`await extractor(body, url, content_type, pages_wanted)`: the body's links, from the worker
    (through `sieve`) when there is one, else all of them."""

    def __init__(self, workers: int, sieve: Sieve | None = None):
        self.wanted = workers > 0
        self.sieve = sieve
        self.proc: asyncio.subprocess.Process | None = None
        self.waiting: collections.deque[asyncio.Future] = collections.deque()
        self.reader: asyncio.Task | None = None
        self.starting: asyncio.Future | None = None

    async def __call__(self, body: bytes, url: str, content_type: str,
                       pages_wanted: bool = True) -> list[Link]:
        if self.wanted:
            try:
                return await self._from_worker(body, url, content_type, pages_wanted)
            except (TimeoutError, OSError, EOFError, ValueError, RuntimeError, pickle.PickleError,
                    asyncio.IncompleteReadError, WorkerGone) as exc:
                if self.wanted:
                    log.warning("link worker failed (%s): extracting links in the crawl's thread", exc)
                    self._stop()
        return links_of(body, url, content_type)

    async def _from_worker(self, body: bytes, url: str, content_type: str, pages_wanted: bool) -> list[Link]:
        proc = await self._started()
        payload = pickle.dumps((body, url, content_type, pages_wanted), protocol=pickle.HIGHEST_PROTOCOL)
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
        _widen(proc.stdin.transport.get_extra_info("pipe"))
        sieve = pickle.dumps(self.sieve, protocol=pickle.HIGHEST_PROTOCOL)
        proc.stdin.write(HEADER.pack(len(sieve)) + sieve)  # the worker's first message
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


F_SETPIPE_SZ = 1031  # Linux


def _widen(pipe) -> None:
    """A page in one write rather than a write per pipe buffer (pages are larger than the default
    buffer) and an event loop turn for the rest. Linux only, and only a speed-up: refused, the pipe
    stays as it is."""
    try:
        import fcntl

        fcntl.fcntl(pipe.fileno(), F_SETPIPE_SZ, 1 << 20)
    except (ImportError, OSError, AttributeError, ValueError):
        pass


def serve(stdin, stdout) -> None:
    """The worker: length-prefixed pickles in, the same out. The first message is the sieve (or None),
    then one answer per page, in order."""
    read, write = stdin.read, stdout.write

    def message():
        head = read(HEADER.size)
        if len(head) < HEADER.size:
            raise EOFError
        return pickle.loads(read(HEADER.unpack(head)[0]))

    try:
        sieve = message()
    except EOFError:
        return
    while True:
        try:
            body, url, content_type, pages_wanted = message()
        except EOFError:
            return
        links = links_of(body, url, content_type)
        if sieve is not None:
            found = sieve(links, pages_wanted)
        else:
            # Plain tuples: they cross the process boundary several times cheaper than dataclasses.
            found = [(link.url, link.requisite) for link in links if pages_wanted or link.requisite]
        payload = pickle.dumps(found, protocol=pickle.HIGHEST_PROTOCOL)
        write(HEADER.pack(len(payload)) + payload)
        stdout.flush()


if __name__ == "__main__":
    serve(sys.stdin.buffer, sys.stdout.buffer)

"""Run one command and measure it from the outside: wall time, CPU time, peak memory, and how busy the
rest of the machine was meanwhile.

Every stage is measured the same way, ours and the reference tool alike, so a ratio compares like with
like. Memory is the peak PSS of the whole process tree (sampled every 100 ms): a pool of forked workers
shares most of its pages with the parent, and summing their RSS would count those pages once per
worker. ``RUSAGE_CHILDREN.ru_maxrss`` is no use here: it is the maximum over every child so far.

The machine is shared (other people's tests run beside the bench), so each measurement also records
the CPU that processes outside the bench used during it ("other load", in cores): a slow number with
a high other load is a noisy number, not a slow program.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

SAMPLE_EVERY = 0.1
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


class CommandFailed(RuntimeError):
    pass


@dataclass
class Measured:
    cmd: list[str]
    wall: float = 0.0
    cpu: float = 0.0  # user + system seconds of the command and every descendant it waited for
    peak_pss: int = 0  # bytes, sum over the process tree, sampled
    peak_rss_one: int = 0  # bytes, the largest VmHWM of any single process of the tree
    other_load: float = 0.0  # cores used by processes outside the bench during the command
    returncode: int | None = None
    timed_out: bool = False
    stdout: str = ""
    stderr: str = ""
    started_at: float = 0.0  # time.time() when the command started
    # (time.time(), tree PSS, tree CPU seconds so far): to split one command into phases
    samples: list[tuple[float, int, float]] = field(default_factory=list)

    def peak_between(self, start: float, end: float) -> int:
        """Peak tree PSS over the samples taken between two ``time.time()`` instants."""
        return max((pss for t, pss, _ in self.samples if start <= t <= end), default=0)

    def cpu_until(self, when: float) -> float:
        """CPU seconds the process tree had used at the last sample before ``when``."""
        return max((cpu for t, _, cpu in self.samples if t <= when), default=0.0)

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out

    def tail(self, n: int = 800) -> str:
        return (self.stderr or self.stdout)[-n:]


def _ppid_map() -> dict[int, int]:
    out = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as fh:
                raw = fh.read()
        except OSError:
            continue
        # the command name may hold spaces and parentheses: fields start after the last ')'
        rest = raw[raw.rfind(b")") + 2:].split()
        out[int(name)] = int(rest[1])
    return out


def descendants(root: int, ppids: dict[int, int] | None = None) -> list[int]:
    ppids = _ppid_map() if ppids is None else ppids
    children: dict[int, list[int]] = {}
    for pid, ppid in ppids.items():
        children.setdefault(ppid, []).append(pid)
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        if pid in ppids:
            out.append(pid)
        todo.extend(children.get(pid, ()))
    return out


def _pss(pid: int) -> int:
    return _proc_size(f"/proc/{pid}/smaps_rollup", b"Pss:")


def _hwm(pid: int) -> int:
    return _proc_size(f"/proc/{pid}/status", b"VmHWM:")


def _proc_size(path: str, field: bytes) -> int:
    """Bytes from a `Field:  N kB` line of a /proc file; 0 once the process has gone."""
    try:
        with open(path, "rb") as fh:
            for line in fh:
                if line.startswith(field):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def process_cpu(pid: int, reaped_children: bool = False) -> float:
    """CPU seconds a live process has used: its own, plus with ``reaped_children`` those of the
    children it has waited for."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            raw = fh.read()
    except OSError:
        return 0.0
    rest = raw[raw.rfind(b")") + 2:].split()
    ticks = int(rest[11]) + int(rest[12])
    if reaped_children:
        ticks += int(rest[13]) + int(rest[14])
    return ticks / CLK_TCK


def machine_busy() -> float:
    """CPU seconds all cores have spent busy since boot."""
    with open("/proc/stat") as fh:
        parts = fh.readline().split()[1:]
    ticks = [int(p) for p in parts]
    idle = ticks[3] + (ticks[4] if len(ticks) > 4 else 0)
    return (sum(ticks[:8]) - idle) / CLK_TCK


def _own_cpu(helpers: list[int]) -> float:
    self_ = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    total = self_.ru_utime + self_.ru_stime + kids.ru_utime + kids.ru_stime
    for pid in helpers:
        for p in descendants(pid):
            total += process_cpu(p)
    return total


def run(cmd: list[str], *, timeout: float, cwd: str | Path | None = None, env: dict | None = None,
        helpers: list[int] = (), check: bool = False, log=None) -> Measured:
    """Run ``cmd`` to its end (killing its process group after ``timeout`` seconds) and measure it.

    ``helpers`` are long-running processes of the bench (the web server being crawled): their CPU is
    the bench's own, not "other load".
    """
    m = Measured([str(c) for c in cmd])
    if log:
        log("$ " + " ".join(m.cmd))
    out_path = Path(os.environ.get("TMPDIR", "/tmp")) / f"bench-{os.getpid()}-{time.monotonic_ns()}"
    helpers = list(helpers)
    with open(f"{out_path}.out", "w+b") as out, open(f"{out_path}.err", "w+b") as err:
        try:
            kids_before = resource.getrusage(resource.RUSAGE_CHILDREN)
            own_before, busy_before = _own_cpu(helpers), machine_busy()
            started, m.started_at = time.monotonic(), time.time()
            proc = subprocess.Popen(m.cmd, cwd=cwd, env=env, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                    start_new_session=True)
            deadline = started + timeout
            while proc.poll() is None:
                tree = descendants(proc.pid)
                pss = sum(_pss(p) for p in tree)
                m.samples.append((time.time(), pss, sum(process_cpu(p, True) for p in tree)))
                m.peak_pss = max(m.peak_pss, pss)
                m.peak_rss_one = max([m.peak_rss_one] + [_hwm(p) for p in tree])
                if time.monotonic() > deadline:
                    m.timed_out = True
                    stop_group(proc)
                    break
                time.sleep(SAMPLE_EVERY)
            m.wall = time.monotonic() - started
            m.returncode = proc.wait(timeout=30)
            kids_after = resource.getrusage(resource.RUSAGE_CHILDREN)
            m.cpu = (kids_after.ru_utime + kids_after.ru_stime) - (kids_before.ru_utime
                                                                   + kids_before.ru_stime)
            own = _own_cpu(helpers) - own_before
            m.other_load = max(0.0, (machine_busy() - busy_before - own) / m.wall) if m.wall else 0.0
        finally:
            out.seek(0)
            err.seek(0)
            m.stdout = out.read().decode("utf-8", "replace")
            m.stderr = err.read().decode("utf-8", "replace")
            for suffix in (".out", ".err"):
                Path(f"{out_path}{suffix}").unlink(missing_ok=True)
    if log:
        log(f"  {m.wall:.1f} s wall, {m.cpu:.1f} s CPU, peak {m.peak_pss / 2**20:.0f} MB, "
            f"other load {m.other_load:.1f}, exit {m.returncode}{' (TIMED OUT)' if m.timed_out else ''}")
    if check and not m.ok:
        raise CommandFailed(f"{' '.join(m.cmd)} failed (exit {m.returncode}): {m.tail()}")
    return m


def stop_group(proc: subprocess.Popen, first: int = signal.SIGTERM) -> None:
    """Stop a command and everything it started (it runs in its own session, so its group id is its
    pid): `first`, then SIGKILL, each with a grace period."""
    for sig, grace in ((first, 10), (signal.SIGKILL, 10)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=grace)
            return
        except subprocess.TimeoutExpired:
            continue

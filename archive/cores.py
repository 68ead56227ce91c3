"""How many cores this process may use: the size of every pool above (extraction, link parsing,
browser pages, benchmarks). The affinity mask, not the machine's count: a container or `taskset`
gives a process fewer cores than the machine has."""

import os


def usable_cores() -> int:
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)  # not on Linux

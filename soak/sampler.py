"""Resident memory and open file descriptors of each process (children included), every
SAMPLE_SECONDS while a load runs, as benchmark/servers.py reads them from /proc; and the CPU time
each used, so a saturated run shows which process (or the machine's other work) was short."""
from __future__ import annotations

import asyncio
import os
import resource
import time
from pathlib import Path

from benchmark.servers import open_fds, rss_mb

SAMPLE_SECONDS = 10.0
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its live children (Sanic workers)."""
    total = 0.0
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except FileNotFoundError:
        children = []
    for p in [pid, *map(int, children)]:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / TICKS   # utime, stime
        except (FileNotFoundError, IndexError, ValueError):
            pass
    return total


LOAD_GENERATOR = "load generator"   # this process alone: the servers are its children


def _this_process() -> dict:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    rss = next(int(line.split()[1]) for line in Path("/proc/self/status").read_text().splitlines()
               if line.startswith("VmRSS:"))
    return {"rss MB": rss * 1024 / 1e6, "fds": len(os.listdir("/proc/self/fd")), "cpu s": usage.ru_utime + usage.ru_stime}


class Sampler:
    def __init__(self, pids: dict[str, int], every: float = SAMPLE_SECONDS) -> None:
        self.pids, self.every = pids, every
        self.samples: list[dict] = []    # {"t": seconds since start, name: {"rss MB", "fds"}}
        self._task = None
        self._t0 = 0.0

    def take(self) -> dict:
        sample = {"t": time.perf_counter() - self._t0}
        for name, pid in self.pids.items():
            sample[name] = {"rss MB": rss_mb(pid), "fds": open_fds(pid), "cpu s": cpu_seconds(pid)}
        sample[LOAD_GENERATOR] = _this_process()
        self.samples.append(sample)
        return sample

    async def _loop(self) -> None:
        while True:
            self.take()
            await asyncio.sleep(self.every)

    def start(self, t0: float) -> None:
        self._t0 = t0
        self._task = asyncio.create_task(self._loop())

    async def stop(self) -> None:
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)
        self.take()

    def series(self, name: str, key: str = "rss MB") -> list[tuple[float, float]]:
        return [(s["t"], s[name][key]) for s in self.samples]

"""What the fuzz tests share; conftest.py starts the console. Hostile input goes against the real
console app: `python -m console` in a process of its own, on a port of the fuzz range
(6200–6299), run from a copy of the code and the owner's files in a temporary directory (the
owner's forms write files, so never the repository's), with its own
helpdesk database, and Rasa pointed at a port nothing listens on: the console's "bot
unavailable" path (a ticket, the owner's apology) is real behaviour, not a stand-in.

Invariants every fuzz module checks with `console.assert_healthy()`: no 5xx (counted by the
tests), no traceback or ERROR line in the server's log, the process alive, a normal message
still stored and acknowledged, memory bounded. The figures (inputs tried per surface, server
errors, crashes, hangs) go to FUZZ_SUMMARY (`make fuzz`: results/fuzz/summary.json).

Examples per property: FUZZ_EXAMPLES (default 25); the hypothesis profile `long` (`make fuzz`)
multiplies it by FUZZ_FACTOR (default 10)."""
from __future__ import annotations

import os
import re
import secrets
import subprocess
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
from hypothesis import HealthCheck, settings

from benchmark import ports

ROOT = Path(__file__).resolve().parents[2]
PORTS = range(6200, 6300)
# Besides every top-level Python package: what the owner's pages read and write.
COPIED = ("store_config", "data", "jieba_dict", "config.yml", "domain.yml", "endpoints.yml", "credentials.yml")
AGENT_PASSWORD = "fuzz-agent-" + secrets.token_hex(6)
OWNER_PASSWORD = "fuzz-owner-" + secrets.token_hex(6)
ACK_SECONDS = 10.0          # an acknowledgement later than this counts as a hang
MEMORY_GROWTH_MB = 300      # the console's resident memory may grow at most this much during a run
LOG_PROBLEM = re.compile(r"Traceback|\bERROR\b|\bCRITICAL\b|Exception in")

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES") or 25)
FACTOR = int(os.environ.get("FUZZ_FACTOR") or 10)
_common = dict(deadline=None, derandomize=False, print_blob=True,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                      HealthCheck.data_too_large, HealthCheck.filter_too_much])
settings.register_profile("fuzz", max_examples=EXAMPLES, **_common)
settings.register_profile("long", max_examples=EXAMPLES * FACTOR, **_common)
PROFILE = os.environ.get("FUZZ_PROFILE") or "fuzz"
LONG = PROFILE == "long"


def fuzz_settings(share: float = 1.0):
    """The active profile, with `share` of its examples (cheap properties take more)."""
    chosen = settings.get_profile(PROFILE)
    return settings(chosen, max_examples=max(3, int(chosen.max_examples * share)))


def free_port(exclude: tuple = ()) -> int:
    return ports.free_port(PORTS, exclude)


@dataclass
class Figures:
    """Per surface: inputs tried, server errors (5xx), hangs (no answer or acknowledgement in time)."""
    tried: Counter = field(default_factory=Counter)
    server_errors: Counter = field(default_factory=Counter)
    hangs: Counter = field(default_factory=Counter)
    crashes: int = 0
    memory_mb: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)

    def count(self, surface: str, status: int | None = None, hang: bool = False) -> None:
        self.tried[surface] += 1
        if status is not None and status >= 500:
            self.server_errors[surface] += 1
        if hang:
            self.hangs[surface] += 1

    def summary(self) -> dict:
        surfaces = sorted(self.tried)
        return {"profile": PROFILE, "examples_per_property": settings.get_profile(PROFILE).max_examples,
                "surfaces": {s: {"inputs": self.tried[s], "server_errors": self.server_errors[s],
                                 "hangs": self.hangs[s]} for s in surfaces},
                "inputs_total": sum(self.tried.values()), "server_errors": sum(self.server_errors.values()),
                "hangs": sum(self.hangs.values()), "crashes": self.crashes, "memory_mb": self.memory_mb,
                "notes": self.notes}


@dataclass
class FuzzConsole:
    url: str
    process: subprocess.Popen
    log: Path
    root: Path
    figures: Figures
    start_rss_mb: float = 0.0
    log_checked_to: int = 0
    agent: requests.Session | None = None
    owner: requests.Session | None = None

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def log_problems(self) -> list[str]:
        """Tracebacks and ERROR lines written since the last check."""
        text = self.log.read_text(errors="replace")
        new, self.log_checked_to = text[self.log_checked_to:], len(text)
        return [line for line in new.splitlines() if LOG_PROBLEM.search(line)]

    def shopper(self) -> requests.Session:
        client = requests.Session()
        assert client.get(self.url + "/", timeout=ACK_SECONDS).status_code == 200
        return client

    def cookie_header(self, client: requests.Session) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in client.cookies)

    def assert_healthy(self, what: str) -> None:
        """The invariants after a batch of hostile input: alive, a clean log, memory bounded,
        and a normal shopper's message still stored and acknowledged."""
        if self.process.poll() is not None:
            self.figures.crashes += 1
            pytest.fail(f"the console died during {what}:\n{self.tail()}")
        problems = self.log_problems()
        assert not problems, f"the server logged failures during {what}:\n" + "\n".join(problems[:20]) + "\n" + self.tail()
        rss = self.rss_mb()
        self.figures.memory_mb[what] = round(rss, 1)
        assert rss - self.start_rss_mb < MEMORY_GROWTH_MB, f"memory grew from {self.start_rss_mb:.0f} to {rss:.0f} MB"
        from fuzz_clients import normal_message_acknowledged
        assert normal_message_acknowledged(self), f"a normal message was not acknowledged after {what}"

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

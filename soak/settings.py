"""What `make soak` and `make stall` serve and offer: the model, the rate, the ports, the log."""
from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path

from benchmark import ports
from benchmark.servers import ROOT

PORTS = range(6500, 6600)        # this tool's own ports: action server, Rasa, console
BENCH = ROOT / "results" / "bench" / "bench.json"
README_HIGHEST_RATE = 60         # the README's figure, when no bench.json is at hand
SOAK_SHARE = 0.8
PERIOD_S = 10.0                  # each shopper sends one message every 10 s
SOAK_CONVERSATION = 10           # a soak shopper leaves after this many messages; a new one comes


def log(text: str) -> None:
    print(f"soak {dt.datetime.now():%H:%M:%S}: {text}", file=sys.stderr, flush=True)


def env_number(name: str, default: float) -> float:
    value = os.environ.get(name, "").strip()
    return float(value) if value else default


def soak_rate() -> tuple[float, str]:
    """80% of the highest open-loop rate the benchmark sustained (p95 ≤ 150 ms, p99 ≤ 300 ms)."""
    if os.environ.get("SOAK_RATE", "").strip():
        return float(os.environ["SOAK_RATE"]), "SOAK_RATE"
    try:
        highest = json.loads(BENCH.read_text())["columns"]["project"]["highest rate"]
        if highest:
            return SOAK_SHARE * highest, f"80% of {highest} messages/s, {BENCH.relative_to(ROOT)}"
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return SOAK_SHARE * README_HIGHEST_RATE, f"80% of the README's {README_HIGHEST_RATE} messages/s"


def served_model() -> tuple[Path, str]:
    live, tests = ROOT / "models" / "live.tar.gz", ROOT / "models" / "test" / "store.tar.gz"
    if live.exists():
        return live.resolve(), "the live model (models/live.tar.gz)"
    if tests.exists():
        return tests, "the tests' model (models/test/store.tar.gz)"
    from benchmark.quality import train_project
    log("no model: training one with the benchmark's helper (about 3 minutes)")
    _, _, trained = train_project(train=True)
    return trained, f"trained now ({trained.relative_to(ROOT)})"


def free_ports(count: int) -> list[int]:
    try:
        return ports.free_ports(count, PORTS)
    except RuntimeError:
        raise SystemExit(f"soak: fewer than {count} free ports in {PORTS.start}–{PORTS.stop - 1}")

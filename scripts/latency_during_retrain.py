"""The live bot's reply latency while a candidate trains: REST messages at a steady rate to a
running Rasa, first for a while with nothing else running, then from the start of a background
retrain (the owner's 重新训练 button: `tuning.start_retrain`) until it ends. Prints p50/p95/max
for both periods and the retrain's time.

    .venv/bin/python scripts/latency_during_retrain.py                  # RASA_URL, default :5005
    .venv/bin/python scripts/latency_during_retrain.py --idle 60 --rate 5
    .venv/bin/python scripts/latency_during_retrain.py --serve models/store.tar.gz   # a private server

The texts are held-out messages (tests/nlu/) of intents that do not hand off to a person, each
from a new sender `latency-probe-<n>`, so no ticket is opened; against the real product those
short conversations stay in Rasa's tracker store. `--serve MODEL` instead starts a Rasa and an
action server of its own on free ports (tracker and helpdesk in a temporary folder, as
scripts/bench.py does). The retrain is the real one: it leaves a candidate in models/candidates/
and its evaluation in results/evaluations/, like the button."""
from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from contextlib import nullcontext
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tuning import TrainingPaths, nlu_examples, retrain_running, retrain_status, start_retrain  # noqa: E402

HANDS_OFF = {"request_human", "complain", "ask_return", "cancel_order"}   # would open tickets
TIMEOUT = 30.0


def probe_texts() -> list[str]:
    texts = [e["text"] for path in ("tests/nlu/heldout.yml", "tests/nlu/real_register.yml")
             for e in nlu_examples(ROOT / path) if e["intent"] not in HANDS_OFF]
    random.Random(5).shuffle(texts)
    return texts


class Probe:
    """Sends one message every 1/rate seconds (open loop: a slow reply does not slow the sending),
    each timed and filed under the period it was sent in."""

    def __init__(self, url: str, rate: float, texts: list[str]) -> None:
        self.url, self.rate, self.texts = url.rstrip("/"), rate, texts
        self.period = "idle"
        self.times: dict[str, list[float]] = {"idle": [], "training": []}
        self.failures: dict[str, int] = {"idle": 0, "training": 0}
        self.sent = 0

    async def one(self, session: aiohttp.ClientSession, n: int) -> None:
        period, started = self.period, time.perf_counter()
        try:
            async with session.post(f"{self.url}/webhooks/rest/webhook",
                                    json={"sender": f"latency-probe-{os.getpid()}-{n}",
                                          "message": self.texts[n % len(self.texts)]}) as resp:
                replies = await resp.json()
            if resp.status != 200 or not replies:
                raise RuntimeError(f"HTTP {resp.status}, {len(replies or [])} replies")
            self.times[period].append((time.perf_counter() - started) * 1000)
        except Exception:   # a timeout or an empty answer: counted, not timed
            self.failures[period] += 1

    async def run_until(self, done) -> None:
        tasks = []
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=TIMEOUT)) as session:
            start = time.perf_counter()
            while not done():
                tasks.append(asyncio.create_task(self.one(session, self.sent)))
                self.sent += 1
                await asyncio.sleep(max(0.0, start + self.sent / self.rate - time.perf_counter()))
            await asyncio.gather(*tasks)


def summary(name: str, times: list[float], failures: int) -> str:
    if len(times) < 2:
        return f"{name:<10} {len(times)} replies, {failures} failed: too few to measure"
    p95 = statistics.quantiles(times, n=20)[18]
    return (f"{name:<10} {len(times):>5} replies  p50 {statistics.median(times):7.0f} ms  p95 {p95:7.0f} ms  "
            f"max {max(times):7.0f} ms  failed {failures}")


async def measure(url: str, rate: float, idle: float, paths: TrainingPaths) -> dict:
    probe = Probe(url, rate, probe_texts())
    idle_end = time.monotonic() + idle
    job: dict = {}

    def idle_over() -> bool:
        return time.monotonic() >= idle_end

    await probe.run_until(idle_over)
    probe.period = "training"
    job["status"] = await asyncio.to_thread(start_retrain, paths)
    began = time.monotonic()
    await probe.run_until(lambda: not retrain_running(paths))
    job["seconds"] = time.monotonic() - began
    job["final"] = retrain_status(paths)
    return {"probe": probe, **job}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=os.environ.get("RASA_URL", "http://127.0.0.1:5005"))
    parser.add_argument("--rate", type=float, default=5.0, help="messages per second (default 5)")
    parser.add_argument("--idle", type=float, default=60.0, help="seconds measured before the retrain (default 60)")
    parser.add_argument("--serve", type=Path, help="start a private Rasa + action server with this model")
    parser.add_argument("--warm-cache", action="store_true",
                        help="let the retrain reuse Rasa's training cache (.rasa/): with unchanged data it then "
                             "restores DIET instead of training it; by default it trains everything, as after new labels")
    args = parser.parse_args()
    if not args.warm_cache:   # inherited by the retrain job: a cold, complete training
        cache = tempfile.TemporaryDirectory(prefix="latency-rasa-cache-")
        os.environ["RASA_CACHE_DIRECTORY"] = cache.name
    paths = TrainingPaths(ROOT)
    if retrain_running(paths):
        print("a retrain is already running: wait for it to end", file=sys.stderr)
        return 1
    if args.serve:
        sys.path.insert(0, str(ROOT / "scripts"))
        from bench import serve   # the benchmark's private Rasa + action server
        workdir = tempfile.TemporaryDirectory(prefix="latency-")
        server = serve(args.serve.resolve(), Path(workdir.name))
    else:
        server = nullcontext((args.url, None, None))
    with server as (url, _pid, _startup):
        print(f"measuring {url} at {args.rate:g} messages/s: {args.idle:g} s idle, then during a retrain", flush=True)
        result = asyncio.run(measure(url, args.rate, args.idle, paths))
    probe, final = result["probe"], result["final"]
    print(summary("idle", probe.times["idle"], probe.failures["idle"]))
    print(summary("training", probe.times["training"], probe.failures["training"]))
    stages = ", ".join(f"{s['name']} {s.get('seconds')} s" for s in final.get("stages", []))
    print(f"retrain: {final['state']} in {result['seconds']:.0f} s ({stages}); {final.get('message', '')}")
    return 0 if final["state"] == "done" else 1


if __name__ == "__main__":
    sys.exit(main())

"""Rasa stalled under load, and how soon the web chat recovers (`make stall`, about 8 minutes).

The embedded setup of `make soak` (scratch directory, the same shoppers on the console's
socket.io) at the soak's rate for STALL_RUN_S. At STALL_AT_S Rasa is stopped with SIGSTOP for
STALL_S (longer than the console's 10 s RASA_TIMEOUT), then continued: a pause of the kind a
long garbage collection, a swapped-out page or a noisy neighbour gives, only longer. Twice, in the
same run: with the console's request slots (RASA_CONCURRENCY, 8) and, as the baseline, with so
many slots that every request goes to Rasa at once (what the console did before the slots).

Per setting: the questions answered by the bot within GOOD_MS, the console's apologies and
tickets, messages lost or answered twice (the soak's checker against the helpdesk record and
Rasa's tracker), and the **recovery**: seconds from Rasa's continuing until every later question
is answered by the bot within GOOD_MS. Writes results/soak/stall.json; exit status 1 when a
message was lost or answered twice, or the setting with slots did not recover."""
from __future__ import annotations

import asyncio
import collections
import json
import os
import signal
import sys
import tempfile
from pathlib import Path
from typing import Optional

from benchmark.messages import HELD_OUT, message_mix
from benchmark.servers import VENV, console, rasa_stack

from . import checker
from .phases import check, examples
from .report import OUT
from .settings import PERIOD_S, SOAK_CONVERSATION, free_ports, log, served_model, soak_rate
from .shoppers import open_loop

STALL_RUN_S = float(os.environ.get("STALL_RUN_S", 150))
STALL_AT_S = float(os.environ.get("STALL_AT_S", 40))
STALL_S = float(os.environ.get("STALL_S", 15))
GOOD_MS = 1000.0
SETTINGS = [("slots (RASA_CONCURRENCY=8)", {}),
            ("baseline: every request sent at once", {"RASA_CONCURRENCY": "100000"})]
LOSS = ("not acknowledged", "answered twice", "record differs", "not shown")


def recovery_s(outcomes: list[tuple[float, bool]], resumed_at: float) -> Optional[float]:
    """Seconds after `resumed_at` from which every question (scheduled at, good?) is good; None
    when the last one is not. Questions are in any order."""
    latest_bad = max((t for t, good in outcomes if not good), default=None)
    if latest_bad is None or latest_bad < resumed_at:
        return 0.0
    later = [t for t, good in outcomes if t > latest_bad]
    return max(0.0, min(later) - resumed_at) if later else None


def outcomes(verdicts: list[checker.Verdict], t0: float) -> list[tuple[float, bool]]:
    """(seconds into the run it was due, answered by the bot within GOOD_MS) for every question."""
    good = {id(a.question) for v in verdicts for a in v.answers
            if a.bot_texts and not a.system_texts and a.latency_ms <= GOOD_MS}
    return [(q.scheduled - t0, id(q) in good) for v in verdicts for q in v.questions]


async def _stalled_load(url: str, messages: list[str], rate: float, rasa_pid: int, tag: str):
    async def stall():
        await asyncio.sleep(STALL_AT_S)
        os.kill(rasa_pid, signal.SIGSTOP)
        log(f"{tag}: Rasa stopped for {STALL_S:g} s")
        try:
            await asyncio.sleep(STALL_S)
        finally:
            os.kill(rasa_pid, signal.SIGCONT)
        log(f"{tag}: Rasa continued")

    stalling = asyncio.create_task(stall())
    run = await open_loop(url, messages, rate, STALL_RUN_S, int(rate * PERIOD_S), SOAK_CONVERSATION, tag, log)
    await stalling
    return run


def one_setting(label: str, env: dict, model: Path, messages: list[str], rate: float) -> dict:
    tag = "stall"
    with tempfile.TemporaryDirectory(prefix="stall-") as tmp:
        work = Path(tmp)
        aport, rport, cport = free_ports(3)
        with rasa_stack("stall", model, work, [str(VENV / "python"), "-m", "rasa_server_plugins"],
                        ports=(aport, rport)) as stack:
            with console(stack, cport, extra_env=env) as (url, _):
                log(f"{label}: {rate:g} messages/s for {STALL_RUN_S:g} s, Rasa stopped at {STALL_AT_S:g} s")
                run = asyncio.run(_stalled_load(url, messages, rate, stack.rasa_pid, tag))
        verdicts, counts = check(run, work / "helpdesk.db", work / "tracker.db", tag)
    problems = collections.Counter(kind for v in verdicts for kind, _ in v.problems)
    timeline = outcomes(verdicts, run.t0)
    recovered = recovery_s(timeline, STALL_AT_S + STALL_S)
    return {"setting": label, "sent": counts.get("sent", 0), "acknowledged": counts.get("acknowledged", 0),
            "answered by the bot within 1 s": sum(good for _, good in timeline),
            "answered by Rasa (tracker)": counts.get("answered by Rasa (tracker)", 0),
            "problems": dict(problems), "problem examples": examples([p for v in verdicts for p in v.problems]),
            "lost or twice": sum(problems[k] for k in LOSS),
            "recovery s after Rasa continued": recovered}


def main() -> int:
    model, model_source = served_model()
    rate, rate_source = soak_rate()
    messages = message_mix(files=[HELD_OUT[0]])
    log(f"serving {model_source}; {rate:g} messages/s ({rate_source})")
    results = [one_setting(label, env, model, messages, rate) for label, env in SETTINGS]
    print(f"\nRasa stopped for {STALL_S:g} s at {STALL_AT_S:g} s of {STALL_RUN_S:g} s at {rate:g} messages/s:")
    for r in results:
        recovered = r["recovery s after Rasa continued"]
        print(f"  {r['setting']}: {r['answered by the bot within 1 s']:,} of {r['sent']:,} answered by the bot "
              f"within 1 s; recovered {'never' if recovered is None else f'{recovered:.0f} s'} after Rasa "
              f"continued; lost or answered twice: {r['lost or twice']}; {r['problems']}")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "stall.json").write_text(json.dumps({"rate": rate, "stall at s": STALL_AT_S, "stall s": STALL_S,
                                                "run s": STALL_RUN_S, "model": model_source, "results": results},
                                               indent=1, ensure_ascii=False))
    ok = all(r["lost or twice"] == 0 for r in results) and results[0]["recovery s after Rasa continued"] is not None
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""One phase of `make soak` (the load, or the soak): shoppers on the console's socket.io for a
while at a rate, the servers' memory sampled meanwhile, then every conversation checked against
the socket events, the helpdesk record and Rasa's tracker. Returns the phase's figures."""
from __future__ import annotations

import asyncio
import collections
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from . import checker
from .records import file_sizes_mb, read_conversations
from .sampler import LOAD_GENERATOR, Sampler
from .shoppers import open_loop


@dataclass
class Phase:
    name: str
    rate: float              # messages/s offered
    seconds: float
    shoppers: int
    per_conversation: Optional[int]   # a shopper leaves after this many messages (None: stays)
    window_s: float          # latency figures per window of this length
    growth_from_s: float     # memory growth counted from here to the end


def _latency_figures(latencies: list[float]) -> dict:
    return {"p50 ms": checker.percentile(latencies, 50), "p95 ms": checker.percentile(latencies, 95),
            "p99 ms": checker.percentile(latencies, 99), "max ms": max(latencies) if latencies else float("nan")}


def examples(problems: list, per_kind: int = 3) -> list[str]:
    shown = collections.Counter()
    found = []
    for kind, detail in problems:
        shown[kind] += 1
        if shown[kind] <= per_kind:
            found.append(f"{kind}: {detail}")
    return found


def _cpu_per_message(sampler: Sampler, start_s: float, end_s: float, messages: int) -> dict:
    """Each server's CPU time in a window over the messages sent in it: a cost that grows with
    the run (longer conversations, bigger tables) shows here before it shows as latency."""
    inside = [s for s in sampler.samples if start_s <= s["t"] <= end_s]
    if len(inside) < 2 or not messages:
        return {}
    share = (inside[-1]["t"] - inside[0]["t"]) / (end_s - start_s)   # the samples cover this much of it
    return {name: 1000 * (inside[-1][name]["cpu s"] - inside[0][name]["cpu s"]) / (messages * share)
            for name in sampler.pids}


def _memory(sampler: Sampler, phase: Phase) -> dict:
    figures = {}
    window = min(60.0, phase.seconds / 6)
    for name in [*sampler.pids, LOAD_GENERATOR]:
        rss = sampler.series(name)
        fds = [v for _, v in sampler.series(name, "fds")]
        growth = checker.growth(rss, phase.growth_from_s, window)
        figures[name] = {"start MB": rss[0][1], "end MB": rss[-1][1], "peak MB": max(v for _, v in rss),
                         "growth %": None if growth is None else growth * 100,
                         "fds start": fds[0], "fds end": fds[-1], "fds max": max(fds),
                         "cpu s": sampler.samples[-1][name]["cpu s"] - sampler.samples[0][name]["cpu s"]}
    return figures


def check(run, helpdesk_db: Path, tracker_db: Path, tag: str) -> tuple[list, dict]:
    """(verdicts, counts) for every shopper of the run, with the record cross-checks."""
    records = read_conversations(helpdesk_db, tracker_db, tag + "-")
    owner_of = {cid: conversation for conversation, record in records.items() for cid in record.client_msg_ids}
    verdicts, counts = [], collections.Counter()
    for shopper in run.shoppers:
        if not shopper.questions:
            continue
        conversation = next((owner_of[q.client_msg_id] for q in shopper.questions if q.client_msg_id in owner_of), None)
        record = records.get(conversation)
        verdict = checker.check_conversation(shopper.questions, shopper.events,
                                             record.tracker_replies if record else {})
        if record is None:
            verdict.problems.append(("record differs", f"{shopper.name}: no conversation in the record"))
        else:
            verdict.problems += checker.check_tracker(verdict.record_ids, record.tracker_order)
            verdict.problems += checker.check_record(verdict, record.client_msg_ids, record.bot_ids)
            counts["questions stored (helpdesk)"] += len(record.client_msg_ids)
            counts["bot messages stored (helpdesk)"] += len(record.bot_ids)
            counts["console's own messages (helpdesk)"] += len(record.system_ids)
            counts["answered by Rasa (tracker)"] += sum(1 for i in verdict.record_ids if record.tracker_replies.get(i))
        counts["sent"] += verdict.sent
        counts["acknowledged"] += len(verdict.record_ids)
        counts["answered (socket)"] += verdict.answered
        counts["bot messages (socket)"] += sum(len(a.bot_ids) for a in verdict.answers)
        verdicts.append(verdict)
    return verdicts, dict(counts)


async def _drive(url: str, messages: list[str], phase: Phase, pids: dict[str, int], tag: str, log) -> tuple:
    sampler = Sampler(pids)
    sampler.start(time.perf_counter())
    run = await open_loop(url, messages, phase.rate, phase.seconds, phase.shoppers, phase.per_conversation, tag, log)
    await sampler.stop()
    return run, sampler


def run_phase(phase: Phase, url: str, messages: list[str], pids: dict[str, int], workdir: Path, tag: str, log) -> dict:
    helpdesk_db, tracker_db = workdir / "helpdesk.db", workdir / "tracker.db"
    files_start, load_start = file_sizes_mb(tracker_db, helpdesk_db), os.getloadavg()[0]
    log(f"{phase.name}: {phase.shoppers} shoppers, {phase.rate:g} messages/s for {phase.seconds / 60:g} min")
    run, sampler = asyncio.run(_drive(url, messages, phase, pids, tag, log))
    files_end, load_end = file_sizes_mb(tracker_db, helpdesk_db), os.getloadavg()[0]
    log(f"{phase.name}: checking every conversation")
    verdicts, counts = check(run, helpdesk_db, tracker_db, tag)
    answers = [a for v in verdicts for a in v.answers]
    problems = [p for v in verdicts for p in v.problems]
    problems += [("could not connect", failure) for failure in run.open_failures]
    kinds = collections.Counter(kind for kind, _ in problems)
    windows = []
    for start in range(0, int(phase.seconds), int(phase.window_s)):
        inside = [a.latency_ms for a in answers if start <= a.question.scheduled - run.t0 < start + phase.window_s]
        windows.append({"from min": start / 60, **_latency_figures(inside), "answered": len(inside),
                        "cpu ms per message": _cpu_per_message(sampler, start, start + phase.window_s, len(inside))})
    latencies = [a.latency_ms for a in answers]
    return {
        "shoppers": phase.shoppers, "conversations": len(verdicts), "rate offered": phase.rate,
        "minutes": phase.seconds / 60, "sending took s": run.seconds, **counts,
        "messages/s answered": counts.get("answered (socket)", 0) / run.seconds if run.seconds else 0.0,
        "errors": len(problems), "problems": dict(kinds), "problem examples": examples(problems),
        **_latency_figures(latencies), "window min": phase.window_s / 60, "windows": windows, "memory": _memory(sampler, phase),
        "growth counted from min": phase.growth_from_s / 60,
        "machine load average": [load_start, load_end],   # other work on the same cores shows here
        "database files MB": {"start": files_start, "end": files_end},
        "samples": sampler.samples,
        "latency series": [(round(a.question.scheduled - run.t0, 2), round(a.latency_ms, 1)) for a in answers],
    }

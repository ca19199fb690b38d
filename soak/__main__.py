"""`make soak`: shoppers as socket.io clients through the console app (the public origin), on
the embedded setup (SQLite, in-memory lock store; Rasa through `python -m rasa_server_plugins
run`, the action server, the console), in a scratch directory of its own:

1. load: 200 shoppers, each sending one message every 10 s for 10 minutes (held-out messages,
   each with a client_msg_id): every message answered exactly once and in order, 0 errors,
   latency; answers counted from the socket events and cross-checked against the helpdesk's
   messages table and Rasa's tracker;
2. soak: 30 minutes at 80% of the highest open-loop rate `make bench` sustained
   (results/bench/bench.json, else 60 → 48 messages/s), fixed-interval arrivals spread over
   shoppers who each send one message every 10 s and leave after 10; each process's resident
   memory (children included) and open files every 10 s: growth from minute 5 to the end < 10%,
   0 errors; p95/p99 per 5 minutes; database file sizes at start and end.

    make soak                          # ~45 minutes
    make soak SOAK_ARGS=--quick        # 2 min load + 3 min soak, to try it
    LOAD_MINUTES=  LOAD_SHOPPERS=  SOAK_MINUTES=  SOAK_RATE=  SOAK_SHOPPERS=   (environment knobs)

Table on the terminal, results/soak/soak.json and soak.png; exit status 1 when a target is missed."""
from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import platform
import shutil
import sys
import tempfile
from pathlib import Path

from benchmark.messages import HELD_OUT, message_mix
from benchmark.servers import ROOT, VENV, console, rasa_stack

from . import report
from .phases import Phase, run_phase
from .settings import PERIOD_S, SOAK_CONVERSATION, env_number, free_ports, log, served_model, soak_rate

def phases_to_run(args) -> list[Phase]:
    load_minutes = env_number("LOAD_MINUTES", 2 if args.quick else 10)
    load_shoppers = int(env_number("LOAD_SHOPPERS", 200))
    soak_minutes = env_number("SOAK_MINUTES", 3 if args.quick else 30)
    rate, _ = soak_rate()
    soak_shoppers = int(env_number("SOAK_SHOPPERS", math.ceil(rate * PERIOD_S)))
    phases = []
    if load_minutes > 0:
        seconds = load_minutes * 60
        phases.append(Phase("load", load_shoppers / PERIOD_S, seconds, load_shoppers, None,
                            window_s=min(300.0, seconds / 2), growth_from_s=min(300.0, seconds / 3)))
    if soak_minutes > 0:
        seconds = soak_minutes * 60
        phases.append(Phase("soak", rate, seconds, soak_shoppers, SOAK_CONVERSATION,
                            window_s=min(300.0, seconds / 3), growth_from_s=min(300.0, seconds / 3)))
    return phases


def _keep_logs(work: Path) -> None:
    """The scratch directory goes away: keep the servers' logs of a failed run."""
    kept = report.OUT / "logs"
    kept.mkdir(parents=True, exist_ok=True)
    for log_file in work.glob("*.log"):
        shutil.copy(log_file, kept / log_file.name)
    log(f"the servers' logs are in {kept.relative_to(ROOT)}/")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="2 min load + 3 min soak (the knobs still apply)")
    args = parser.parse_args()
    phases = phases_to_run(args)
    model, model_source = served_model()
    rate, rate_source = soak_rate()
    messages = message_mix(files=[HELD_OUT[0]])   # tests/nlu/heldout.yml: never trained on
    meta = {"date": dt.datetime.now().isoformat(timespec="seconds"), "cpus": os.cpu_count(),
            "machine": platform.platform(), "model": model_source, "soak rate source": rate_source,
            "messages": f"{len(messages)} held-out messages, {HELD_OUT[0].relative_to(ROOT)}",
            "setup": "embedded: SQLite tracker and helpdesk, in-memory lock store, one console"}
    log(f"serving {model_source}; soak rate {rate:g} messages/s ({rate_source})")
    results = {}
    with tempfile.TemporaryDirectory(prefix="soak-") as tmp:
        work = Path(tmp)
        aport, rport, cport = free_ports(3)
        try:
            with rasa_stack("soak", model, work, [str(VENV / "python"), "-m", "rasa_server_plugins"],
                            ports=(aport, rport)) as stack:
                log(f"Rasa answered {stack.first_answer_s:.1f} s after the start; scratch directory {work}")
                meta["first answer s"] = stack.first_answer_s
                with console(stack, cport) as (url, console_pid):
                    pids = {"rasa": stack.rasa_pid, "actions": stack.actions_pid, "console": console_pid}
                    for phase in phases:
                        results[phase.name] = run_phase(phase, url, messages, pids, work, phase.name, log)
        except BaseException:
            _keep_logs(work)
            raise
    print(report.table(results))
    checks = report.targets(results)
    print()
    for target, ok, figure in checks:
        print(f"{'met    ' if ok else 'NOT MET'} {target}: {figure}")
    report.write(results, checks, meta)
    print(f"\nwritten: {report.OUT.relative_to(ROOT)}/soak.json, soak.png")
    return 0 if all(ok for _, ok, _ in checks) else 1


if __name__ == "__main__":
    sys.exit(main())

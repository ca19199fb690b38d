"""`make bench`: the project's assistant against stock Rasa 3.6.21, in one run on this machine.

    make bench                                 # everything (~25 min; the baseline trains once per data change)
                                               # the project's model is trained from scratch and measured
    .venv/bin/python -m benchmark --quick      # shorter loads, for a quick comparison
    .venv/bin/python -m benchmark --no-baseline --no-train --model models/kept/X   # one model only
    .venv/bin/python -m benchmark --plain-rasa      # also the same model under plain `rasa run`

Both assistants answer through their own Rasa server with the project's action server and a SQLite
tracker store (endpoints.yml); the message mix is the held-out test files. Printed as a table and
written to results/bench/bench.json and bench.png; the issue's targets are checked at the end."""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

from . import baseline as stock, load, quality, report
from .channels import RestChannel, SocketChannel
from .messages import message_mix
from .servers import ROOT, VENV, console, peak_rss_mb, rasa_stack

PROJECT_RASA = [str(VENV / "python"), "-m", "rasa_server_plugins"]
RATES = [20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 140, 160]
SHOPPERS = [25, 50, 100, 150, 200, 250, 300, 350, 400, 500, 600]


def log(text: str) -> None:
    print(f"bench {dt.datetime.now():%H:%M:%S}: {text}", file=sys.stderr, flush=True)


async def _rest_loads(url: str, messages: list[str], seconds: float, step_seconds: float, steps: bool = True) -> dict:
    figures = {}
    async with RestChannel(url) as channel:
        for text in messages[:20]:   # warm-up: first TensorFlow calls, caches, connections
            try:
                await channel.ask(await channel.open(), text)
            except Exception:
                pass
        log("closed loop, 50 conversations")
        figures["closed"] = await load.closed_loop(channel, messages, 50, seconds)
        log("open loop, 80 messages/s")
        figures["open80"] = await load.open_loop(channel, messages, 80, seconds)
        if not steps:
            return figures
        figures["highest rate"], figures["rate steps"] = None, {}
        for rate in RATES:
            log(f"open loop, {rate} messages/s")
            step = await load.open_loop(channel, messages, rate, step_seconds)
            figures["rate steps"][rate] = step
            if not load.within(step, p95=150, p99=300):
                break
            figures["highest rate"] = rate
        figures["most shoppers"], figures["shopper steps"] = None, {}
        for count in SHOPPERS:
            log(f"{count} shoppers, one message every 5 s")
            step = await load.shoppers(channel, messages, count, 5.0, step_seconds)
            figures["shopper steps"][count] = step
            if not load.within(step, worst=1500):
                break
            figures["most shoppers"] = count
    return figures


async def _socket_loads(url: str, messages: list[str], seconds: float) -> dict:
    async with SocketChannel(url) as channel:
        log("socket.io closed loop, 50 shoppers")
        closed = await load.closed_loop(channel, messages, 50, seconds)
        log("socket.io open loop, 50 messages/s")
        opened = await load.open_loop(channel, messages, 50, seconds)
    return {"socket closed": closed, "socket open50": opened}


def events_per_message(tracker_db: Path) -> float:
    """Tracker events stored per shopper message (each save is one commit): the capacity model's input."""
    with sqlite3.connect(tracker_db) as db:
        events, messages = db.execute("SELECT count(*), sum(type_name = 'user') FROM events").fetchone()
    return events / messages if messages else float("nan")


def measure(label: str, model: Path, rasa_command: list[str], rasa: Path, workdir: Path, args,
            messages: list[str], full: bool = True) -> dict:
    log(f"{label}: starting {model.name}")
    with rasa_stack(label, model, workdir / label, rasa_command) as stack:
        figures = {"model": str(model), "first answer s": stack.first_answer_s}
        log(f"{label}: first answer after {stack.first_answer_s:.1f} s")
        figures.update(asyncio.run(_rest_loads(stack.rasa_url, messages, args.seconds, args.step_seconds, full)))
        if full and not args.no_socket:
            with console(stack, shopper_limits=False) as (url, console_pid):
                figures.update(asyncio.run(_socket_loads(url, messages, args.seconds)))
                figures["rss console"] = peak_rss_mb(console_pid)
        figures["events per message"] = events_per_message(stack.workdir / "tracker.db")
        figures["rss rasa"] = peak_rss_mb(stack.rasa_pid)
        figures["rss actions"] = peak_rss_mb(stack.actions_pid)
    if full:
        log(f"{label}: held-out intent F1")
        figures["f1"] = quality.held_out_f1(rasa, model)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path,
                        help="the project's model to measure (default: the one this run trains from the repository)")
    parser.add_argument("--no-baseline", action="store_true", help="measure the project's model only")
    parser.add_argument("--no-train", action="store_true", help="reuse the last training time measured on the same data")
    parser.add_argument("--no-socket", action="store_true", help="skip the console's socket.io path")
    parser.add_argument("--plain-rasa", action="store_true",
                        help="also the project's model under plain `rasa run` (what the entry point's extensions buy)")
    parser.add_argument("--quick", action="store_true", help="10 s loads and steps")
    parser.add_argument("--seconds", type=float, default=30.0, help="closed- and open-loop duration")
    parser.add_argument("--step-seconds", type=float, default=20.0, help="duration of each capacity step")
    args = parser.parse_args()
    if args.quick:
        args.seconds = args.step_seconds = 10.0
    messages = message_mix()
    # data/nlu/augmented.yml is derived from the examples (scripts/train.sh does the same): both models see it
    subprocess.run([str(VENV / "python"), "scripts/augment_nlu.py"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    columns, meta = {}, {"date": dt.datetime.now().isoformat(timespec="seconds"), "cpus": os.cpu_count(),
                         "machine": platform.platform(), "messages in the mix": len(messages),
                         "seconds per load": args.seconds, "seconds per step": args.step_seconds}
    baseline_model = None
    if not args.no_baseline:
        venv = stock.stock_venv()
        baseline_model, baseline_train = stock.baseline_model(venv)
    log("training the project's model from scratch" if not args.no_train else "training time: last figure")
    train_seconds, train_source, trained = quality.train_project(train=not args.no_train)
    model = (args.model or trained or ROOT / "models" / "live.tar.gz").resolve()
    if not model.exists():
        raise SystemExit(f"bench: no model at {model}; run without --no-train, or pass --model")
    check_seconds = quality.data_check_seconds()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        columns["project"] = measure("project", model, PROJECT_RASA, VENV / "rasa", work, args, messages)
        columns["project"]["training s"] = train_seconds
        columns["project"]["data check s"] = check_seconds
        if args.plain_rasa:
            columns["project, plain rasa run"] = measure("plain", model, [str(VENV / "rasa")], VENV / "rasa", work, args,
                                                         messages, full=False)
        meta["project training"] = train_source
        if baseline_model:
            columns["stock Rasa"] = measure("stock Rasa", baseline_model, [str(venv / "bin" / "rasa")],
                                            venv / "bin" / "rasa", work, args, messages)
            columns["stock Rasa"]["training s"] = baseline_train
    print(report.table(columns))
    checks = report.targets(columns["project"], columns.get("stock Rasa"))
    print()
    for target, ok, figure in checks:
        print(f"{'met   ' if ok else 'NOT MET'} {target}: {figure}")
    report.write(columns, checks, meta)
    print(f"\nwritten: {report.OUT.relative_to(ROOT)}/bench.json, bench.png")


if __name__ == "__main__":
    main()

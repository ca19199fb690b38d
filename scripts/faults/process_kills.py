"""Process-kill faults on the supervised product, with figures (`make faults`, or
`.venv/bin/python -m scripts.faults.process_kills`).

The stack is `make run`'s own (scripts/run.sh → supervisord), on ports 6100–6102 (FAULTS_PORTS
to change them) with a scratch RUN_DIR/VAR_DIR, serving the tests' model (TEST_MODEL, default
models/test/store.tar.gz; `make test` trains it) or FAULTS_MODEL. A shopper talks to it over the
console's socket.io as the web chat does (reconnects, syncs, resends). For each process:

- action server: `kill -9` mid-conversation, then the shopper's next message;
- Rasa: `kill -9` while a request is in flight (the action server is held with SIGSTOP so Rasa is
  inside the turn), then a message during the gap;
- console: `kill -9` while it answers a message (held the same way); the page reconnects to the
  restarted console, syncs, and the message it had acknowledged is answered there;
- the whole stack: SIGTERM to supervisord with a message of each of several shoppers in flight,
  then a start again: how many were answered before the stop, how many kept and answered after.

Measured: seconds from the fault until the shopper sees an answer (the bot's, or the ticket /
apology of the console's "bot unavailable" path), seconds until the process is back (supervisorctl
RUNNING under a new pid and answering its health URL), messages lost and duplicated (from the
stored conversation: every acknowledged message stored once and answered, no reply twice).
Prints a table, writes results/faults/process_kills.json; exits 1 when a message was lost or
duplicated or a process did not come back."""
from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Optional

from scripts.faults.shopper import Shopper, audit
from scripts.faults.supervised import ROOT, SupervisedStack

RESULT = ROOT / "results" / "faults" / "process_kills.json"
ANSWER_TIMEOUT = 60.0
HOLD_SECONDS = 1.0       # how long a request sits in flight before the kill
SIGTERM_SHOPPERS = 4


def default_model() -> Path:
    return Path(os.environ.get("FAULTS_MODEL") or os.environ.get("TEST_MODEL")
                or ROOT / "models" / "test" / "store.tar.gz")


def ports() -> tuple[int, int, int]:
    a, r, c = (int(p) for p in os.environ.get("FAULTS_PORTS", "6100,6101,6102").split(","))
    return a, r, c


def _rounded(value: Optional[float]) -> Optional[float]:
    return None if value is None else round(value, 2)


def _kind(seen) -> str:
    return "bot" if seen and seen.message["sender"] == "bot" else ("handoff" if seen else "none")


async def ask(shopper: Shopper, text: str, since: Optional[float] = None) -> dict:
    """One message; how long until its answer (from `since`, default its sending) and which."""
    t0 = since or time.monotonic()
    client_id = await shopper.say(text)
    seen = await shopper.wait_answer(client_id, ANSWER_TIMEOUT)
    return {"client_id": client_id, "answer_s": _rounded(seen.at - t0) if seen else None, "answered_by": _kind(seen)}


async def _back(stack: SupervisedStack, program: str, old_pid: int, t_fault: float) -> Optional[float]:
    back = await asyncio.to_thread(stack.wait_back, program, old_pid)
    return None if back is None else round(time.monotonic() - t_fault, 2)


async def _held_in_flight(stack: SupervisedStack, shopper: Shopper, text: str) -> str:
    """A message the console is answering and Rasa is inside: the action server is stopped
    (SIGSTOP) before it is sent, so the turn waits for its action."""
    stack.signal("actions", signal.SIGSTOP)
    try:
        client_id = await shopper.say(text)
    except Exception:
        _release(stack)
        raise
    await asyncio.sleep(HOLD_SECONDS)
    return client_id


def _release(stack: SupervisedStack) -> None:
    stack.signal("actions", signal.SIGCONT)


async def kill_action_server(stack: SupervisedStack, shopper: Shopper) -> dict:
    warm = await ask(shopper, "寄到乌鲁木齐运费多少")
    old = stack.signal("actions", signal.SIGKILL)
    t_kill = time.monotonic()
    back = asyncio.create_task(_back(stack, "actions", old, t_kill))
    during = await ask(shopper, "那北京呢", since=t_kill)
    back_s = await back
    after = await ask(shopper, "寄到上海运费多少")
    return {"fault": "action server kill -9 mid-conversation", "answer_s": during["answer_s"],
            "answered_by": during["answered_by"], "back_s": back_s, "after_back": after["answered_by"],
            "sent": [warm["client_id"], during["client_id"], after["client_id"]]}


async def kill_rasa(stack: SupervisedStack, shopper: Shopper) -> dict:
    client_id = await _held_in_flight(stack, shopper, "寄到广州运费多少")
    old = stack.signal("rasa", signal.SIGKILL)
    t_kill = time.monotonic()
    _release(stack)
    back = asyncio.create_task(_back(stack, "rasa", old, t_kill))
    seen = await shopper.wait_answer(client_id, ANSWER_TIMEOUT)
    gap = await ask(shopper, "什么时候发货")        # while Rasa is loading its model again
    back_s = await back
    after = await ask(shopper, "寄到上海运费多少")
    return {"fault": "Rasa kill -9 with a request in flight", "answer_s": _rounded(seen.at - t_kill) if seen else None,
            "answered_by": _kind(seen), "gap_answer_s": gap["answer_s"], "gap_answered_by": gap["answered_by"],
            "back_s": back_s, "after_back": after["answered_by"],
            "sent": [client_id, gap["client_id"], after["client_id"]]}


async def kill_console(stack: SupervisedStack, shopper: Shopper) -> dict:
    client_id = await _held_in_flight(stack, shopper, "寄到成都运费多少")
    reconnects = shopper.reconnects
    old = stack.signal("console", signal.SIGKILL)
    t_kill = time.monotonic()
    _release(stack)
    back = asyncio.create_task(_back(stack, "console", old, t_kill))
    seen = await shopper.wait_answer(client_id, ANSWER_TIMEOUT)
    back_s = await back
    after = await ask(shopper, "寄到上海运费多少")
    return {"fault": "console kill -9 while answering", "answer_s": _rounded(seen.at - t_kill) if seen else None,
            "answered_by": _kind(seen), "back_s": back_s, "after_back": after["answered_by"],
            "reconnected": shopper.reconnects > reconnects, "sent": [client_id, after["client_id"]]}


async def stop_whole_stack(stack: SupervisedStack, shoppers: list[Shopper]) -> dict:
    """SIGTERM to supervisord with one message of each shopper in flight, then a start again."""
    sent = await asyncio.gather(*(s.say(f"寄到{place}运费多少") for s, place in
                                  zip(shoppers, ["西藏", "哈尔滨", "海口", "兰州", "昆明", "南宁"])))
    code, stop_s = await asyncio.to_thread(stack.stop)
    before = sum(1 for s, c in zip(shoppers, sent) if s.answer_to(c))
    restart_s = await asyncio.to_thread(stack.start)
    answers = await asyncio.gather(*(s.wait_answer(c, ANSWER_TIMEOUT) for s, c in zip(shoppers, sent)))
    return {"fault": f"SIGTERM of the supervised stack, {len(shoppers)} messages in flight",
            "exit_code": code, "stop_s": round(stop_s, 2), "answered_before_stop": before,
            "kept_and_answered_after_restart": sum(1 for a in answers if a) - before,
            "restart_s": round(restart_s, 2), "sent_by_shopper": [[c] for c in sent]}


async def _audit(shopper: Shopper, sent: list[str]) -> dict:
    return audit(await shopper.history(), sent)


async def run(workdir: Path, model: Path) -> dict:
    stack = SupervisedStack(workdir, model, ports())
    start_s = await asyncio.to_thread(stack.start)
    rows = []
    try:
        shopper = await Shopper(stack.url, "kills").open()
        for scenario in (kill_action_server, kill_rasa, kill_console):
            row = await scenario(stack, shopper)
            row.update(await _audit(shopper, row.pop("sent")))
            rows.append(row)
            print(f"  {row['fault']}: answered in {row['answer_s']} s by {row['answered_by']}, back in {row['back_s']} s",
                  flush=True)
        await shopper.close()
        shoppers = [await Shopper(stack.url, f"term{i}").open() for i in range(SIGTERM_SHOPPERS)]
        row = await stop_whole_stack(stack, shoppers)
        per_shopper = [await _audit(s, c) for s, c in zip(shoppers, row.pop("sent_by_shopper"))]
        row.update({key: sum(a[key] for a in per_shopper) for key in ("sent", "lost", "duplicates")})
        rows.append(row)
        for s in shoppers:
            await s.close()
    finally:
        code, stop_s = await asyncio.to_thread(stack.stop)
    log = [line.split(" ", 3)[-1] for line in stack.supervisor_log().splitlines()
           if " exited: " in line or " stopped: " in line or " spawned: " in line]
    return {"model": str(model), "start_s": round(start_s, 2), "final_stop": {"exit_code": code, "stop_s": round(stop_s, 2)},
            "faults": rows, "supervisord_log": log, "measured_at": time.strftime("%Y-%m-%d %H:%M:%S %z")}


def table(result: dict) -> str:
    lines = [f"{'fault':<52} {'answer s':>8} {'by':>8} {'back s':>7} {'lost':>5} {'dup':>4}"]
    for row in result["faults"]:
        if "back_s" in row:
            lines.append(f"{row['fault']:<52} {str(row['answer_s']):>8} {row['answered_by']:>8} "
                         f"{str(row['back_s']):>7} {row['lost']:>5} {row['duplicates']:>4}")
        else:
            lines.append(f"{row['fault']:<52} {'stop ' + str(row['stop_s']):>8} "
                         f"{str(row['answered_before_stop']) + '+' + str(row['kept_and_answered_after_restart']):>8} "
                         f"{str(row['restart_s']):>7} {row['lost']:>5} {row['duplicates']:>4}")
    lines.append("(SIGTERM row: seconds to stop, answered before the stop + kept and answered after the restart, "
                 "seconds to start again)")
    return "\n".join(lines)


def failures(result: dict) -> list[str]:
    found = []
    for row in result["faults"]:
        if row["lost"] or row["duplicates"]:
            found.append(f"{row['fault']}: {row['lost']} lost, {row['duplicates']} duplicated")
        if "back_s" in row and row["back_s"] is None:
            found.append(f"{row['fault']}: the process did not come back")
        if row.get("answer_s", 0) is None:
            found.append(f"{row['fault']}: the shopper got no answer within {ANSWER_TIMEOUT:g} s")
    return found


def main() -> int:
    model = default_model()
    if not model.is_file():
        print(f"process_kills: no model at {model}: run `make test` once (it trains the tests' model) "
              "or set FAULTS_MODEL", file=sys.stderr)
        return 2
    print(f"process_kills: the supervised stack on ports {ports()}, model {model}", flush=True)
    with tempfile.TemporaryDirectory(prefix="faults-kills-") as tmp:
        result = asyncio.run(run(Path(tmp), model))
    print(table(result))
    RESULT.parent.mkdir(parents=True, exist_ok=True)
    RESULT.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf8")
    print(f"process_kills: written to {RESULT.relative_to(ROOT)}")
    problems = failures(result)
    for problem in problems:
        print(f"process_kills: FAILED {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

"""SIGTERM to the console while it writes a ticket, and what the shopper sees after the restart.

The real console (`python -m console`) in front of a Rasa that accepts and never answers (what a
stopped Rasa looks like): after RASA_TIMEOUT the console hands the shopper's message to a person
(reason bot_unavailable). Just before, another connection takes the helpdesk database's write lock
(`BEGIN EXCLUSIVE`), so the ticket write waits inside its transaction; then the console gets
SIGTERM. Two endings:

- "lock kept": the lock is held until the console has exited (its write gave up after the busy
  timeout): no ticket may exist;
- "lock freed at once": the lock is released right after the signal: the write may finish while
  the console stops; the ticket is then whole.

- "action server killed" (with the tests' model): the shopper's 转人工 reaches the real Rasa and
  action server, whose `action_handoff` ticket write waits for the lock; the action server gets
  SIGTERM, Rasa answers the console 502, the console's own "bot unavailable" handoff waits for the
  lock and stores the one ticket once it is free; the action server is started again and a second
  转人工 joins that ticket.

Either way the console is started again, the shopper's page reconnects and syncs (as chat.js does)
and the message is ticketed and answered once: one ticket, one shopper message, one ticket notice
(`MessageStore.unanswered` finds it on the new console).

`python scripts/faults/ticket_write_sigterm.py` prints the table and writes
results/faults/ticket_write_sigterm.json.
"""
from __future__ import annotations

import asyncio
import sqlite3
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from scripts.faults import store_fault_rig as rig  # noqa: E402

RASA_TIMEOUT = 1           # seconds the console waits for the hung Rasa
BUSY_TIMEOUT_MS = 5000     # the ticket write's wait for the lock


def _console_env(busy_timeout_ms: int) -> dict:
    return {"RASA_TIMEOUT": str(RASA_TIMEOUT), "HELPDESK_BUSY_TIMEOUT_MS": str(busy_timeout_ms)}


async def one_kill(workdir: Path, free_lock_at_once: bool, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> dict:
    db = workdir / "helpdesk.db"
    with rig.hung_server() as hung_rasa:
        console = rig.start_console(workdir, db, hung_rasa, env=_console_env(busy_timeout_ms))
        shopper = await rig.Shopper(console.url).open()
        message = await shopper.send("你好，在吗")                  # stored and acknowledged
        await shopper.wait_for(lambda: shopper.typing_shown > 0)    # its answer has begun
        lock = sqlite3.connect(db, isolation_level=None, timeout=10, check_same_thread=False)
        lock.execute("BEGIN EXCLUSIVE")
        await asyncio.sleep(RASA_TIMEOUT + 0.5)                     # the ticket write now waits
        signalled = time.monotonic()
        stopping = threading.Thread(target=console.stop, kwargs={"timeout": 60})
        stopping.start()
        if free_lock_at_once:
            await asyncio.sleep(0.05)
            lock.execute("ROLLBACK")
        await asyncio.to_thread(stopping.join)
        exit_seconds = time.monotonic() - signalled
        if not free_lock_at_once:
            lock.execute("ROLLBACK")
        lock.close()
        await shopper.close()
    tickets_after_kill = rig.rows(db, "SELECT reasons, facts, day, seq FROM helpdesk_tickets")
    whole = all(r[0] and r[2] and r[3] for r in tickets_after_kill)
    integrity = rig.rows(db, "PRAGMA integrity_check")[0][0]

    restarted = rig.start_console(workdir, db, env=_console_env(busy_timeout_ms), name="console-restarted")  # Rasa down now
    try:
        await shopper.reconnect(restarted.url)                      # chat.js: reconnect, sync
        answers = await shopper.answer_to(message, timeout=30)
        await asyncio.sleep(1.0)                                    # a second answer would come now
        answers = [m for m in shopper.after(message["id"]) if m["sender"] != "shopper"]
    finally:
        await shopper.close()
        restarted.stop()
    return {
        "console_exit_seconds_after_sigterm": round(exit_seconds, 1),
        "console_exit_code": console.process.returncode,
        "tickets_after_kill": len(tickets_after_kill),
        "tickets_whole": whole,
        "database_integrity": integrity,
        "tickets_after_restart": rig.rows(db, "SELECT count(*) FROM helpdesk_tickets")[0][0],
        "shopper_messages": rig.rows(db, "SELECT count(*) FROM helpdesk_messages WHERE sender = 'shopper'")[0][0],
        "ticket_notices_shown": sum("工单" in m["text"] for m in answers),
        "answers_shown": len(answers),
    }


async def kill_action_server(workdir: Path) -> dict:
    """The action server killed while its `action_handoff` ticket write waits for the lock (the
    real Rasa and action server, sharing the helpdesk database with the console)."""
    import os
    import signal
    import subprocess

    with rig.rasa(workdir / "rasa", extra_env={"HELPDESK_BUSY_TIMEOUT_MS": "10000"}) as stack:
        db = workdir / "rasa" / "helpdesk.db"  # the action server's: the console shares it
        console = rig.start_console(workdir, db, stack.rasa_url, env={"HELPDESK_BUSY_TIMEOUT_MS": "10000"})
        shopper = await rig.Shopper(console.url).open()
        try:
            await shopper.answer_to(await shopper.send("你好"))
            typing_before = shopper.typing_shown
            message = await shopper.send("转人工")
            await shopper.wait_for(lambda: shopper.typing_shown > typing_before)  # the console asks Rasa now
            lock = sqlite3.connect(db, isolation_level=None, timeout=10, check_same_thread=False)
            lock.execute("BEGIN EXCLUSIVE")
            await asyncio.sleep(1.5)                         # Rasa has called action_handoff: it waits
            signalled = time.monotonic()
            os.kill(stack.actions_pid, signal.SIGTERM)
            for _ in range(300):                             # until the action server has exited
                if not Path(f"/proc/{stack.actions_pid}").exists() or \
                        Path(f"/proc/{stack.actions_pid}/stat").read_text().split()[2] == "Z":
                    break
                await asyncio.sleep(0.1)
            exit_seconds = time.monotonic() - signalled
            tickets_after_kill = rig.rows(db, "SELECT count(*) FROM helpdesk_tickets")[0][0]
            lock.execute("ROLLBACK")
            lock.close()
            answers = await shopper.answer_to(message, timeout=30)   # the console's "bot unavailable" handoff
            await asyncio.sleep(1.0)
            answers = [m for m in shopper.after(message["id"]) if m["sender"] != "shopper"]
            port = stack.env["ACTION_SERVER_URL"].rsplit(":", 1)[1].split("/")[0]
            restarted = subprocess.Popen([sys.executable, "-m", "rasa_sdk", "--actions", "actions", "-p", port],
                                         cwd=rig.ROOT, env=stack.env, stdout=subprocess.DEVNULL,
                                         stderr=subprocess.STDOUT)
            try:
                for _ in range(600):                         # back up before the shopper insists
                    if rig.http_ok(f"http://127.0.0.1:{port}/health"):
                        break
                    await asyncio.sleep(0.1)
                again = await shopper.send("转人工")             # the shopper insists once it is back
                await shopper.wait_for(lambda: any("工单" in m["text"] for m in shopper.after(again["id"])), 60)
            finally:
                restarted.terminate()
                restarted.wait(timeout=20)
            tickets = rig.rows(db, "SELECT reasons FROM helpdesk_tickets")
        finally:
            await shopper.close()
            console.stop()
    return {
        "action_server_exit_seconds_after_sigterm": round(exit_seconds, 1),
        "tickets_after_kill": tickets_after_kill,
        "database_integrity": rig.rows(db, "PRAGMA integrity_check")[0][0],
        "tickets_after_restart": len(tickets),
        "ticket_reasons": tickets[0][0] if tickets else None,
        "tickets_whole": True,
        "shopper_messages": rig.rows(db, "SELECT count(*) FROM helpdesk_messages WHERE sender = 'shopper'")[0][0],
        "ticket_notices_shown": sum("工单" in m["text"] for m in answers),
        "answers_shown": len(answers),
    }


async def scenario(workdir: Path) -> dict:
    results = {}
    for name, free in (("lock kept until the console exited", False), ("lock freed right after SIGTERM", True)):
        folder = workdir / ("freed" if free else "kept")
        folder.mkdir()
        results[name] = await one_kill(folder, free)
    if rig.MODEL.is_file():
        folder = workdir / "actions"
        folder.mkdir()
        results["action server killed during its ticket write"] = await kill_action_server(folder)
    return results


def main(argv=None) -> int:
    with tempfile.TemporaryDirectory(prefix="ticket-sigterm-") as tmp:
        results = asyncio.run(scenario(Path(tmp)))
    for name, counts in results.items():
        rig.print_table(f"SIGTERM during a ticket write, {name}", list(counts.items()))
    print("\nwritten:", rig.write_json("ticket_write_sigterm", results))
    ok = all(c["tickets_whole"] and c["database_integrity"] == "ok" and c["tickets_after_restart"] == 1
             and c["ticket_notices_shown"] == 1 for c in results.values())
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

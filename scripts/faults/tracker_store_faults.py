"""Rasa's tracker store (the conversations) out of reach while shoppers chat through the console:
its SQLite file gone (a directory in its place), its disk full (a tmpfs filled to the last block;
root only), and PostgreSQL stopped (`pg_ctl stop -m fast` of a server of the script's own, then
started again; root only). The real action server, Rasa (`python -m rasa_server_plugins run`, the
tests' model) and console; shoppers on socket.io.

What must hold: every message sent during the outage is acknowledged as stored, answered with the
owner's "please retry" notice, and its conversation handed to a person once per outage (reason
`conversation_store_unavailable`); after the store is back each conversation goes on with its
slots and history (a follow-up 那2公斤呢 is priced for the province said before the outage): 0
forgotten contexts.

`python scripts/faults/tracker_store_faults.py [--shoppers N] [--messages M]` prints the table and
writes results/faults/tracker_store_faults.json.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
import tempfile
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import yaml  # noqa: E402

from scripts.faults import store_fault_rig as rig  # noqa: E402

FIRST, DURING, AFTER = "寄到拉萨运费多少", ["那2公斤呢", "什么时候发货"], "那2公斤呢"
PROVINCE = "西藏"


def busy_text() -> str:
    return yaml.safe_load((rig.ROOT / "store_config" / "replies.yml").read_text())["system_busy_retry"]


EventReader = Callable[[str], list]   # conversation id → [(type_name, data JSON)] of Rasa's events table


def sqlite_events(tracker: Path) -> EventReader:
    return lambda conversation: rig.rows(
        tracker, "SELECT type_name, data FROM events WHERE sender_id = ? ORDER BY id", conversation)


def postgres_events(pg: rig.Postgres) -> EventReader:
    return lambda conversation: pg.query(
        "SELECT type_name, data FROM events WHERE sender_id = :c ORDER BY id", c=conversation)


def tracker_remembers(events: EventReader, conversation: str) -> bool:
    """The conversation's events in Rasa's store still hold what was said and the province slot
    from before the outage."""
    found = events(conversation)
    said = [json.loads(d).get("text") for t, d in found if t == "user"]
    slots = [json.loads(d) for t, d in found if t == "slot"]
    return FIRST in said and any(s.get("name") == "province" and s.get("value") == PROVINCE for s in slots)


def file_faults(tracker: Path, disk: rig.SmallDisk | None) -> dict:
    """The SQLite tracker's faults: its file gone, and its disk full when a tmpfs could be mounted."""
    @contextlib.contextmanager
    def full_disk():
        rig.truncate_wal(tracker)
        disk.fill()
        try:
            yield
        finally:
            disk.free()

    faults = {"tracker file gone": lambda: rig.file_gone(tracker)}
    if disk is not None:
        faults["tracker disk full"] = full_disk
    return faults


async def _outage(shoppers: list, fault, messages: int, busy: str) -> dict:
    counts = {"messages": 0, "acknowledged": 0, "retry_notices": 0, "ticket_notices": 0, "bot_replies": 0}
    with fault():
        for shopper in shoppers:
            first = None
            for text in (DURING * messages)[:messages]:
                sent = await shopper.send(text)
                first = first or sent
                counts["messages"] += 1
                counts["acknowledged"] += 1
                await shopper.answer_to(sent)

            def answers():
                return [m for m in shopper.after(first["id"]) if m["sender"] != "shopper"]

            with contextlib.suppress(TimeoutError):  # the ticket notice follows the retry notice
                await shopper.wait_for(lambda: sum(m["text"] == busy for m in answers()) >= messages
                                       and any("工单" in m["text"] for m in answers()), timeout=15)
            counts["retry_notices"] += sum(m["text"] == busy for m in answers())
            counts["ticket_notices"] += sum("工单" in m["text"] for m in answers())
            counts["bot_replies"] += sum(m["sender"] == "bot" for m in answers())
    return counts


async def _after(shoppers: list) -> int:
    """Conversations that answered the follow-up without the province said before: forgotten."""
    forgotten = 0
    for shopper in shoppers:
        replies = await shopper.answer_to(await shopper.send(AFTER))
        forgotten += not any(m["sender"] == "bot" and PROVINCE in m["text"] for m in replies)
    return forgotten


async def scenario(console_url: str, helpdesk: Path, faults: dict, events: EventReader,
                   shoppers: int, messages: int) -> dict:
    busy = busy_text()
    people = [await rig.Shopper(console_url).open() for _ in range(shoppers)]
    try:
        conversations = []
        for shopper in people:
            first = await shopper.send(FIRST)
            replies = await shopper.answer_to(first)
            assert any(PROVINCE in m["text"] for m in replies), f"the bot answers before the fault: {replies}"
            conversations += [c for (c,) in rig.rows(helpdesk, "SELECT conversation_id FROM helpdesk_messages "
                                                               "WHERE id = ?", first["id"])]
        results = {}
        for name, fault in faults.items():
            tickets_before = rig.rows(helpdesk, "SELECT count(*) FROM helpdesk_tickets")[0][0]
            counts = await _outage(people, fault, messages, busy)
            counts["forgotten_contexts"] = await _after(people)
            counts["forgotten_in_tracker"] = sum(not tracker_remembers(events, c) for c in conversations)
            counts["tickets_opened"] = rig.rows(helpdesk, "SELECT count(*) FROM helpdesk_tickets")[0][0] - tickets_before
            counts["open_tickets_with_the_reason"] = sum(
                "conversation_store_unavailable" in json.loads(r) for (r,) in rig.rows(
                    helpdesk, "SELECT reasons FROM helpdesk_tickets WHERE status != 'closed'"))
            counts["conversations"] = len(people)
            results[name] = counts
        return results
    finally:
        for shopper in people:
            await shopper.close()


@contextlib.contextmanager
def stack(workdir: Path):
    """Rasa (its tracker on a small tmpfs when this runs as root) and a console in front."""
    disk = rig.SmallDisk(workdir / "tracker-disk", "4m") if rig.SmallDisk.possible() else None
    with disk or contextlib.nullcontext():
        tracker = (disk.path if disk else workdir) / "tracker.db"
        with rig.rasa(workdir / "rasa", tracker) as rasa:
            helpdesk = workdir / "console-helpdesk.db"
            console = rig.start_console(workdir, helpdesk, rasa.rasa_url)
            try:
                yield console, tracker, helpdesk, disk
            finally:
                console.stop()


@contextlib.contextmanager
def postgres_stack(workdir: Path):
    """Rasa on a PostgreSQL server of its own, and a console in front."""
    pg = rig.Postgres().init()
    pg.start()
    try:
        with rig.rasa_on(workdir / "rasa-pg", pg.tracker_store_yaml()) as rasa_url:
            helpdesk = workdir / "pg-console-helpdesk.db"
            console = rig.start_console(workdir, helpdesk, rasa_url, name="console-pg")
            try:
                yield console, pg, helpdesk
            finally:
                console.stop()
    finally:
        pg.stop()
        pg.remove()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shoppers", type=int, default=5)
    parser.add_argument("--messages", type=int, default=3, help="messages per shopper during each outage")
    args = parser.parse_args(argv)
    results = {}
    with tempfile.TemporaryDirectory(prefix="tracker-faults-") as tmp:
        with stack(Path(tmp)) as (console, tracker, helpdesk, disk):
            results.update(asyncio.run(scenario(console.url, helpdesk, file_faults(tracker, disk),
                                                sqlite_events(tracker), args.shoppers, args.messages)))
        if rig.Postgres.possible():
            with postgres_stack(Path(tmp)) as (console, pg, helpdesk):
                results.update(asyncio.run(scenario(console.url, helpdesk, {"PostgreSQL stopped": pg.stopped},
                                                    postgres_events(pg), args.shoppers, args.messages)))
    for name, counts in results.items():
        rig.print_table(f"{name}: {counts['conversations']} shoppers, {args.messages} messages each", list(counts.items()))
    print("\nwritten:", rig.write_json("tracker_store_faults", results))
    ok = all(c["acknowledged"] == c["messages"] == c["retry_notices"] and c["forgotten_contexts"] == 0
             and c["forgotten_in_tracker"] == 0 and c["ticket_notices"] == c["conversations"]
             for c in results.values())
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

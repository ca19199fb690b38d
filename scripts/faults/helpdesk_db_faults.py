"""The helpdesk database (the record of what was said) failing under the console while shoppers
send: locked by another writer longer than the busy timeout, its disk full (a tmpfs filled to the
last block; root only), its file gone (a directory in its place), and its file deleted under the
open connections (SQLite would keep writing into the unlinked file: acknowledged, then lost).

The real console (`python -m console`) with Rasa stopped (nothing listens on its port: every
stored message is answered with a "bot unavailable" ticket), shoppers on socket.io resending
what was not acknowledged, as console/static/chat.js does.

What must hold: a message is acknowledged only once it is stored (every acknowledged message is in
the database afterwards), a refused one is resent and then stored once (one row per
client_msg_id), and each stored message is answered once.

`python scripts/faults/helpdesk_db_faults.py [--shoppers N]` prints the table and writes
results/faults/helpdesk_db_faults.json.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from scripts.faults import store_fault_rig as rig  # noqa: E402

BUSY_TIMEOUT_MS = 1000   # the console's wait for a lock: short, so a figure takes seconds
FAULT_SECONDS = 3.0      # how long each fault lasts while the shoppers keep sending


@contextlib.contextmanager
def locked(db: Path):
    with rig.held_write_lock(db):
        yield


def full_disk(disk: rig.SmallDisk, db: Path):
    @contextlib.contextmanager
    def fault():
        rig.truncate_wal(db)
        disk.fill()
        try:
            yield
        finally:
            disk.free()
    return fault


@contextlib.contextmanager
def deleted(db: Path):
    """`rm helpdesk.db*` under the console's open connections (hard links keep the files to put
    back, as a restore from a backup would)."""
    files = [db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")]
    kept = {f: f.with_name(f.name + ".kept") for f in files if f.exists()}
    for original, link in kept.items():
        os.link(original, link)
        original.unlink()
    try:
        yield
    finally:  # whatever the console made at those paths meanwhile goes; the real files come back
        for original in files:
            original.unlink(missing_ok=True)
        for original, link in kept.items():
            os.link(link, original)
            link.unlink()


async def _during(shoppers: list, fault, seconds: float) -> dict:
    """Each shopper sends one message as the fault starts and another halfway; both are resent
    until stored. Counts what the shoppers saw."""
    attempts_before = sum(s.attempts for s in shoppers)
    refusals_before = sum(len(s.refusals) for s in shoppers)
    started = time.monotonic()
    sent: list[dict] = []

    async def shopper_sends(shopper, n):
        sent.append(await shopper.send(f"第{n}条：寄到拉萨运费多少", give_up_after=60))

    with fault():
        tasks = [asyncio.create_task(shopper_sends(s, i)) for i, s in enumerate(shoppers)]
        await asyncio.sleep(seconds / 2)
        tasks += [asyncio.create_task(shopper_sends(s, i + len(shoppers))) for i, s in enumerate(shoppers)]
        await asyncio.sleep(seconds / 2)
    await asyncio.gather(*tasks)
    return {"messages": len(sent), "acknowledged": len(sent),
            "send_attempts": sum(s.attempts for s in shoppers) - attempts_before,
            "refused_not_saved": sum(len(s.refusals) for s in shoppers) - refusals_before,
            "seconds_to_all_stored": round(time.monotonic() - started, 1), "sent": sent}


def check_record(db: Path, sent: list[dict]) -> dict:
    """Against the database itself: acknowledged messages present, none twice, each answered."""
    stored = {cid: n for cid, n in rig.rows(
        db, "SELECT client_msg_id, count(*) FROM helpdesk_messages WHERE sender = 'shopper' "
            "AND client_msg_id IS NOT NULL GROUP BY client_msg_id")}
    missing = sum(m["client_msg_id"] not in stored for m in sent)
    duplicated = sum(n > 1 for n in stored.values())
    return {"acknowledged_not_stored": missing, "stored_twice": duplicated}


def answers_per_message(db: Path) -> dict:
    """With Rasa down every stored shopper message is answered by exactly one handoff notice:
    per conversation, as many notices as shopper messages, and the last message answered."""
    missing = extra = 0
    by_conversation: dict[str, list[str]] = {}
    for conversation, sender in rig.rows(db, "SELECT conversation_id, sender FROM helpdesk_messages ORDER BY id"):
        by_conversation.setdefault(conversation, []).append(sender)
    for senders in by_conversation.values():
        asked = senders.count("shopper")
        answered = len(senders) - asked
        missing += max(0, asked - answered) or (senders[-1] == "shopper")
        extra += max(0, answered - asked)
    return {"answers_missing": missing, "answers_extra": extra}


async def scenario(console_url: str, db: Path, disk: rig.SmallDisk | None, shoppers: int,
                   fault_seconds: float = FAULT_SECONDS) -> dict:
    people = [await rig.Shopper(console_url).open() for _ in range(shoppers)]
    try:
        for shopper in people:  # a conversation (and its ticket) before the faults
            await shopper.answer_to(await shopper.send("你好"))
        faults = {"locked by another writer": lambda: locked(db)}
        if disk is not None:
            faults["disk full"] = full_disk(disk, db)
        faults["file gone (directory in its place)"] = lambda: rig.file_gone(db)
        faults["file deleted under open connections"] = lambda: deleted(db)
        results = {}
        for name, fault in faults.items():
            began = time.monotonic()
            counts = await _during(people, fault, fault_seconds)
            sent = counts.pop("sent")
            for shopper, message in ((s, m) for s in people for m in sent if m["id"] in s.shown):
                await shopper.answer_to(message, timeout=60)
            counts["seconds_to_all_answered"] = round(time.monotonic() - began, 1)
            counts.update(check_record(db, sent))
            results[name] = counts
        await asyncio.sleep(0.5)
        for counts in results.values():
            counts.update(answers_per_message(db))
        return results
    finally:
        for shopper in people:
            await shopper.close()


@contextlib.contextmanager
def console(workdir: Path):
    """The console on a helpdesk database on a small tmpfs (root) or in `workdir`, Rasa down."""
    disk = rig.SmallDisk(workdir / "helpdesk-disk", "4m") if rig.SmallDisk.possible() else None
    with disk or contextlib.nullcontext():
        db = (disk.path if disk else workdir) / "helpdesk.db"
        started = rig.start_console(workdir, db, env={"HELPDESK_BUSY_TIMEOUT_MS": str(BUSY_TIMEOUT_MS)})
        try:
            yield started, db, disk
        finally:
            started.stop()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shoppers", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="helpdesk-faults-") as tmp, console(Path(tmp)) as (app, db, disk):
        results = asyncio.run(scenario(app.url, db, disk, args.shoppers))
    for name, counts in results.items():
        rig.print_table(f"helpdesk database {name}: {args.shoppers} shoppers, {FAULT_SECONDS:g} s", list(counts.items()))
    print("\nwritten:", rig.write_json("helpdesk_db_faults", results))
    ok = all(c["acknowledged_not_stored"] == c["stored_twice"] == c["answers_missing"] == c["answers_extra"] == 0 for c in results.values())
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""The figures of README "Backups and personal data": an installation in a scratch directory with
N conversations saved through Rasa's own SQLTrackerStore (the Rasa server's SQLite settings) and
the web chat's messages and tickets through the helpdesk's stores, the live and previous models
of models/ (read only); then a backup while a writer keeps saving conversations, a restore into a
fresh directory, a check that every conversation, ticket, message and model came back, the
retention purge and one `forget`. Prints one table.

    .venv/bin/python scripts/backup_figures.py [--conversations 2000]
"""
from __future__ import annotations

import argparse
import datetime as dt
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "ops")]

from ops_site import START, Said, save_conversations, tracker_store  # noqa: E402
from test_backup_restore import events_by_sender, helpdesk_rows, models_of  # noqa: E402

from helpdesk import MessageStore, TicketStore, open_database  # noqa: E402
from ops import PersonalData, Site, StoredDatabase, forget_conversation, make_backup, purge_expired, restore_backup  # noqa: E402
from store import CHINA  # noqa: E402
from tuning import ModelShelf, Pointers  # noqa: E402

TURNS = [Said("寄到乌鲁木齐运费多少", "ask_shipping_fee", 0.98, {"destination": "乌鲁木齐"}, ("action_quote_fee",),
              ("亲，寄到新疆1公斤以内运费18元，发韵达。",)),
         Said("那北京呢", "ask_shipping_fee", 0.91, {"destination": "北京"}, ("action_quote_fee",), ("亲，北京12元。",)),
         Said("转人工", "request_human", 0.99, {}, ("action_handoff",), ("已为您转人工客服",))]


def build(root: Path, conversations: int) -> Site:
    (root / "var").mkdir(parents=True)
    site = Site(root, StoredDatabase("tracker", f"sqlite:///{root / 'var/rasa-tracker.db'}"),
                StoredDatabase("helpdesk", f"sqlite:///{root / 'var/helpdesk.db'}"))
    store = tracker_store(site.tracker.path)
    old = START - dt.timedelta(days=200)
    save_conversations(store, {f"c-{n:05d}": TURNS for n in range(conversations)}, old)
    store.engine.dispose()
    db = open_database(site.helpdesk.url, zone=CHINA)
    messages, tickets = MessageStore(db), TicketStore(db)
    for n in range(conversations):
        when = old + dt.timedelta(minutes=n) if n % 2 else START   # half of them old
        for said in TURNS:
            messages.record(f"c-{n:05d}", "shopper", said.text, now=when)
            messages.record(f"c-{n:05d}", "bot", said.bot[0], now=when)
        ticket, _ = tickets.open_or_append(f"c-{n:05d}", "request_human", {}, when, when)
        if n % 4 != 1:
            tickets.close(ticket.id, now=when)
    db.dispose()
    kept = root / "models" / "kept"
    kept.mkdir(parents=True)
    pointers = ModelShelf(ROOT / "models").pointers()
    copies = [shutil.copy2(path, kept / path.name) if path else None for path in (pointers.live, pointers.previous)]
    ModelShelf(root / "models").restore(Pointers(*[Path(c) if c else None for c in copies]))
    shutil.copytree(ROOT / "store_config", root / "store_config")
    return site


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--conversations", type=int, default=2000)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="backup-figures-") as tmp:
        t0 = time.perf_counter()
        site = build(Path(tmp) / "shop", args.conversations)
        rows.append(("installation built", f"{args.conversations} conversations, {time.perf_counter() - t0:.1f} s"))
        events, helpdesk, models = events_by_sender(site.tracker.url), helpdesk_rows(site.helpdesk.url), models_of(site.models_dir)

        stop, saved = threading.Event(), [0]

        def writer():
            store = tracker_store(site.tracker.path)
            while not stop.is_set():
                save_conversations(store, {f"during-{saved[0]}": TURNS[:1]}, START)
                saved[0] += 1
            store.engine.dispose()

        thread = threading.Thread(target=writer, daemon=True)
        thread.start()
        t0 = time.perf_counter()
        result = make_backup(site, Path(tmp) / "backups", with_secrets=False)
        backup_s = time.perf_counter() - t0
        during = saved[0]
        stop.set()
        thread.join()
        size = result.archive.stat().st_size / 1e6
        rows.append(("make backup (both databases online, 2 models, owner files)", f"{backup_s:.1f} s, {size:.1f} MB"))
        rows.append(("conversations Rasa saved meanwhile (writer thread)", str(during)))

        t0 = time.perf_counter()
        fresh = Path(tmp) / "restored"
        done = restore_backup(result.archive, site, into=fresh)
        rows.append(("make restore into a fresh directory (checksums, counts)", f"{time.perf_counter() - t0:.1f} s"))
        back = events_by_sender(f"sqlite:///{fresh / 'var/rasa-tracker.db'}")
        lost = [k for k in events if back.get(k) != events[k]]
        torn = [k for k, v in back.items() if k.startswith("during-") and v != 6]
        same_helpdesk = helpdesk_rows(f"sqlite:///{fresh / 'var/helpdesk.db'}") == helpdesk
        rows.append(("conversations lost / event counts differing / torn", f"{len(lost)} / 0 / {len(torn)}"))
        rows.append(("tickets, messages restored equal", f"{same_helpdesk} ({done.counts['helpdesk']['tickets']} tickets, "
                                                        f"{done.counts['helpdesk']['messages']} messages)"))
        rows.append(("models' fingerprints equal", str(models_of(fresh / "models") == models)))

        data = PersonalData.open(site, with_labels=False)
        t0 = time.perf_counter()
        report = purge_expired(data, 180, START + dt.timedelta(days=1))
        rows.append(("retention purge (180 days)", f"{time.perf_counter() - t0:.1f} s: {len(report.erased)} conversations "
                                                   f"erased, {len(report.kept_for_work)} kept (open ticket)"))
        t0 = time.perf_counter()
        erased = forget_conversation(data, "c-00000", settle=0)
        rows.append(("forget one conversation", f"{(time.perf_counter() - t0) * 1000:.0f} ms: {erased.events} events, "
                                                f"{erased.messages} messages, {len(erased.tickets)} tickets"))
        data.close()
    width = max(len(r[0]) for r in rows)
    for what, figure in rows:
        print(f"{what:<{width}}  {figure}")
    return 0 if not lost and not torn and same_helpdesk else 1


if __name__ == "__main__":
    sys.exit(main())

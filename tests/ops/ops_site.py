"""A whole installation in a temporary directory for the ops tests: Rasa's tracker store filled by
Rasa's own SQLTrackerStore (tuned as the server runs it: WAL), the helpdesk database through its
stores, kept models with both pointers, the owner's files and a generated secret.
Imported by the tests in this directory (sys.path, as test directories have no __init__)."""
from __future__ import annotations

import asyncio
import datetime as dt
import io
import json
import shutil
import sys
import tarfile
from pathlib import Path

from helpdesk import MessageStore, TicketStore, open_database
from ops import Site, StoredDatabase
from store import CHINA
from tuning import ModelShelf, Pointers

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "tuning"))
from rasa_conversations import START, Said, shop_day, tracker_of  # noqa: E402

TEST_MODEL = ROOT / "models" / "test" / "store.tar.gz"


def fake_model(path: Path, model_id: str) -> Path:
    """A small archive in a Rasa model's form (metadata.json with its model_id)."""
    data = json.dumps({"model_id": model_id}).encode()
    with tarfile.open(path, "w:gz") as tar:
        info = tarfile.TarInfo("metadata.json")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    return path


def tracker_store(path: Path):
    """Rasa's SQLTrackerStore on SQLite, with the Rasa server's settings (WAL, pooled)."""
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa_server_plugins.sqlite_tracker_settings import tune_sqlite

    store = SQLTrackerStore(dialect="sqlite", db=str(path))
    tune_sqlite(store)
    return store


def save_conversations(store, conversations: dict, start: dt.datetime = START) -> None:
    for n, (sender_id, turns) in enumerate(conversations.items()):
        asyncio.run(store.save(tracker_of(sender_id, turns, start + dt.timedelta(minutes=n))))


def build_site(root: Path, real_model: bool = False) -> Site:
    (root / "var").mkdir(parents=True)
    site = Site(root, StoredDatabase("tracker", f"sqlite:///{root / 'var' / 'rasa-tracker.db'}"),
                StoredDatabase("helpdesk", f"sqlite:///{root / 'var' / 'helpdesk.db'}"))
    store = tracker_store(site.tracker.path)
    save_conversations(store, shop_day())
    store.engine.dispose()

    db = open_database(site.helpdesk.url, zone=CHINA)
    messages, tickets = MessageStore(db), TicketStore(db)
    for n in range(5):
        conversation = f"web-{n}"
        now = START + dt.timedelta(minutes=n)
        messages.record(conversation, "shopper", f"寄到拉萨运费多少 #{n}", client_msg_id=f"m{n}", now=now)
        messages.record(conversation, "bot", "亲，寄到西藏1公斤以内运费18元。", now=now)
        if n % 2:
            tickets.open_or_append(conversation, "request_human", {"province": "西藏"}, now, now + dt.timedelta(hours=4))
    db.dispose()

    kept = root / "models" / "kept"
    kept.mkdir(parents=True)
    live = kept / "20261130-071231-aaaaaaaa.tar.gz"
    if real_model and TEST_MODEL.is_file():
        shutil.copyfile(TEST_MODEL, live)
    else:
        fake_model(live, "live-model-id")
    previous = fake_model(kept / "20261129-071231-bbbbbbbb.tar.gz", "previous-model-id")
    ModelShelf(root / "models").restore(Pointers(live, previous))

    (root / "data" / "nlu").mkdir(parents=True)
    site.owner_labels.write_text('version: "3.1"\nnlu:\n- intent: ask_shipping_fee\n  examples: |\n'
                                 '    - 东西寄到乌鲁木齐两公斤要给多少邮费\n', encoding="utf8")
    shutil.copytree(ROOT / "store_config", root / "store_config")
    (root / ".run").mkdir()
    (root / ".run" / "secrets.env").write_text("RASA_TOKEN=t0ken\n")
    (root / ".run" / "secrets.env").chmod(0o600)
    return site


__all__ = ["START", "Said", "TEST_MODEL", "build_site", "fake_model", "save_conversations", "shop_day",
           "tracker_store"]

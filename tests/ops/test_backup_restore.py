"""make backup / make restore: a backup taken while conversations keep arriving restores into a
fresh directory with every conversation (Rasa's sender ids and event counts), ticket, message,
owner file and model (fingerprints); a damaged archive or a database still in use is refused."""
from __future__ import annotations

import datetime as dt
import gzip
import os
import sqlite3
import subprocess
import sys
import tarfile
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ops_site import START, Said, build_site, save_conversations, tracker_store  # noqa: E402

from ops import ChecksumMismatch, DatabaseBusy, Site, StoredDatabase, make_backup, restore_backup  # noqa: E402
from tuning import ModelShelf, model_id_of  # noqa: E402

WRITER_EVENTS = 3 + 3   # session start (3) + one user turn, its action, action_listen


def events_by_sender(url: str) -> dict[str, int]:
    engine = create_engine(url, future=True)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT sender_id, count(*) FROM events GROUP BY sender_id")).all()
    engine.dispose()
    return dict(rows)


def helpdesk_rows(url: str) -> tuple[set, set]:
    engine = create_engine(url, future=True)
    with engine.connect() as conn:
        messages = set(conn.execute(text("SELECT id, conversation_id, sender, text FROM helpdesk_messages")).all())
        tickets = set(conn.execute(text("SELECT day, seq, conversation_id, status FROM helpdesk_tickets")).all())
    engine.dispose()
    return messages, tickets


def models_of(models_dir: Path) -> dict:
    pointers = ModelShelf(models_dir).pointers()
    return {role: (path.name, model_id_of(path)) for role, path in
            (("live", pointers.live), ("previous", pointers.previous))}


class Writer(threading.Thread):
    """Rasa's tracker store saving a new conversation every few milliseconds while the backup runs."""

    def __init__(self, site: Site) -> None:
        super().__init__(daemon=True)
        self.store, self.stop, self.saved = tracker_store(site.tracker.path), threading.Event(), 0

    def run(self) -> None:
        while not self.stop.is_set():
            save_conversations(self.store, {f"during-{self.saved}": [
                Said("到上海几天", "ask_delivery_time", 0.97, {}, ("action_delivery_time",))]},
                START + dt.timedelta(days=1))
            self.saved += 1
        self.store.engine.dispose()


def test_a_backup_taken_during_writes_restores_every_conversation_ticket_and_model(tmp_path):
    site = build_site(tmp_path / "shop", real_model=True)
    before_events = events_by_sender(site.tracker.url)
    before_messages, before_tickets = helpdesk_rows(site.helpdesk.url)
    models_before = models_of(site.models_dir)

    writer = Writer(site)
    writer.start()
    while writer.saved < 3:
        time.sleep(0.01)
    result = make_backup(site, tmp_path / "backups")
    written_during_backup = writer.saved
    writer.stop.set()
    writer.join()
    assert written_during_backup > 3, "the writer was not writing while the backup ran"
    assert oct(result.archive.stat().st_mode)[-3:] == "600"
    assert result.archive.name.startswith("store-") and result.archive.name.endswith(".tar")

    fresh = tmp_path / "restored"
    done = restore_backup(result.archive, site, into=fresh)
    restored = Site(fresh, StoredDatabase("tracker", f"sqlite:///{fresh / 'var' / 'rasa-tracker.db'}"),
                    StoredDatabase("helpdesk", f"sqlite:///{fresh / 'var' / 'helpdesk.db'}"))

    events = events_by_sender(restored.tracker.url)
    assert {k: events[k] for k in before_events} == before_events           # every conversation, every event
    during = {k: v for k, v in events.items() if k.startswith("during-")}
    assert len(during) >= 3 and set(during.values()) == {WRITER_EVENTS}      # no conversation torn in half
    manifest = done.manifest["databases"]
    assert manifest["tracker"]["conversations"] == len(events) == done.counts["tracker"]["conversations"]
    assert manifest["tracker"]["events"] == sum(events.values())
    assert helpdesk_rows(restored.helpdesk.url) == (before_messages, before_tickets)
    assert manifest["helpdesk"]["tickets"] == len(before_tickets) and manifest["helpdesk"]["messages"] == len(before_messages)

    assert models_of(fresh / "models") == models_before
    assert (fresh / "data/nlu/owner_labelled.yml").read_text() == site.owner_labels.read_text()
    assert (fresh / "store_config/store.yml").read_text() == (site.root / "store_config/store.yml").read_text()
    secret = fresh / ".run" / "secrets.env"
    assert secret.read_text() == "RASA_TOKEN=t0ken\n" and oct(secret.stat().st_mode)[-3:] == "600"
    assert done.manifest["secrets"]["included"] is True


def test_the_command_line_backs_up_and_restores_with_counts(tmp_path):
    site = build_site(tmp_path / "shop")
    env = {**os.environ, "HELPDESK_DB_URL": site.helpdesk.url, "RASA_TRACKER_URL": site.tracker.url}
    made = subprocess.run([sys.executable, "-m", "ops", "--root", str(site.root), "backup", "--dir", str(tmp_path / "b"),
                           "--no-secrets"],
                          env=env, capture_output=True, text=True, timeout=120)
    assert made.returncode == 0, made.stderr
    assert "tracker: conversations 8" in made.stdout and "helpdesk: conversations 5" in made.stdout
    archive = next((tmp_path / "b").glob("store-*.tar"))
    back = subprocess.run([sys.executable, "-m", "ops", "--root", str(site.root), "restore", str(archive),
                           "--into", str(tmp_path / "r")],
                          env=env, capture_output=True, text=True, timeout=120)
    assert back.returncode == 0, back.stderr
    assert "checksums ok" in back.stdout and "tickets 2" in back.stdout
    assert not (tmp_path / "r" / ".run").exists()        # --no-secrets at backup time


def test_a_damaged_archive_is_refused_and_nothing_is_changed(tmp_path):
    site = build_site(tmp_path / "shop")
    archive = make_backup(site, tmp_path / "b", with_secrets=False).archive
    unpacked = tmp_path / "unpacked"
    with tarfile.open(archive) as tar:
        tar.extractall(unpacked)
    copy = unpacked / "databases" / "helpdesk.sqlite"
    copy.write_bytes(gzip.decompress(Path(f"{copy}.gz").read_bytes()))
    with sqlite3.connect(copy) as conn:
        conn.execute("DELETE FROM helpdesk_tickets")        # the archive now lies about its content
    Path(f"{copy}.gz").write_bytes(gzip.compress(copy.read_bytes()))
    copy.unlink()
    damaged = tmp_path / "damaged.tar"
    with tarfile.open(damaged, "w") as tar:
        tar.add(unpacked / "manifest.json", "manifest.json")
        for path in sorted(p for p in unpacked.rglob("*") if p.is_file() and p.name != "manifest.json"):
            tar.add(path, str(path.relative_to(unpacked)))
    with pytest.raises(ChecksumMismatch, match="databases/helpdesk.sqlite"):
        restore_backup(damaged, site, into=tmp_path / "r")
    assert not (tmp_path / "r" / "var").exists()


def test_a_restore_refuses_to_replace_a_database_a_process_has_open(tmp_path):
    site = build_site(tmp_path / "shop")
    archive = make_backup(site, tmp_path / "b", with_secrets=False).archive
    holder = subprocess.Popen([sys.executable, "-c", "import sqlite3, sys, time; c = sqlite3.connect(sys.argv[1]); "
                               "c.execute('select count(*) from helpdesk_messages'); print('open', flush=True); "
                               "time.sleep(60)", str(site.helpdesk.path)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        with pytest.raises(DatabaseBusy, match=str(holder.pid)):
            restore_backup(archive, site)                   # into the running installation itself
    finally:
        holder.kill()
        holder.wait()
    restore_backup(archive, site)                           # once it is stopped

"""The helpdesk database's Alembic migrations (helpdesk/migrations), on a SQLite file and on
PostgreSQL when TEST_POSTGRES_URL is set (its helpdesk tables are dropped before and after):
- a database made by the previous schema (the frozen DDL next to this file), full of tickets and
  messages, is upgraded by the next start and keeps every row of every table;
- a database at the head matches helpdesk/schema.py (Alembic's compare_metadata finds nothing):
  a change of schema.py without its revision fails here;
- starting again changes nothing; every revision can be undone and done again;
- processes starting together on one database: one migrates, the others wait and find it done.
"""
from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from helpdesk import MessageStore, TicketStore, open_database, schema_revision
from helpdesk.db import connect, migrate
from helpdesk.migrations import BEFORE_MIGRATIONS, NEW, alembic_config, head_revision
from helpdesk.schema import metadata
from store import CHINA

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL")
NOON_UTC = dt.datetime(2026, 11, 25, 4, 0, tzinfo=dt.timezone.utc)
CONVERSATIONS = [f"web-{i:02d}" for i in range(12)]
MESSAGES_PER_CONVERSATION = 8
TABLES = ("helpdesk_tickets", "helpdesk_messages", "console_accounts", "owner_config_versions",
          "owner_model_events", "owner_review_decisions", "console_rasa_sync_claims", "console_answer_leases")


def _drop_everything(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        for table in (*TABLES, *metadata.tables, "alembic_version"):   # the previous schema's and today's
            conn.execute(text(f"DROP TABLE IF EXISTS {table} CASCADE"))
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.skipif(
    not POSTGRES_URL, reason="set TEST_POSTGRES_URL to run the migrations on PostgreSQL"))])
def empty_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'helpdesk.db'}"
        return
    _drop_everything(POSTGRES_URL)
    yield POSTGRES_URL
    _drop_everything(POSTGRES_URL)


def _time(engine, moment: dt.datetime):
    """As the previous code stored it: naive UTC text on SQLite, timestamptz on PostgreSQL."""
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f") if engine.dialect.name == "sqlite" else moment


def _previous_database(url: str) -> None:
    """The previous schema's DDL (frozen), then rows the way the previous code wrote them."""
    engine = create_engine(url)
    ddl = (HERE / f"test_migrations_previous_schema.{engine.dialect.name}.sql").read_text(encoding="utf-8")
    with engine.begin() as conn:
        for statement in filter(str.strip, ddl.split(";")):
            conn.exec_driver_sql(statement)
        for n, conversation in enumerate(CONVERSATIONS):
            created = NOON_UTC + dt.timedelta(minutes=n)
            for k in range(MESSAGES_PER_CONVERSATION):
                sender = ("shopper", "bot", "agent", "system")[k % 4]
                conn.execute(text(
                    "INSERT INTO helpdesk_messages (conversation_id, sender, text, buttons, client_msg_id, author,"
                    " pending_sync, created_at) VALUES (:c, :s, :t, :b, :m, :a, :p, :at)"), dict(
                    c=conversation, s=sender, t=f"寄到新疆多少钱？第{k}句",
                    b=json.dumps([{"title": "是", "payload": "/affirm"}], ensure_ascii=False) if sender == "bot" else None,
                    m=f"m-{k}" if sender == "shopper" else None, a="xiaomei" if sender == "agent" else None,
                    p=sender == "agent" and k == 2, at=_time(engine, created + dt.timedelta(seconds=k))))
            conn.execute(text(
                "INSERT INTO helpdesk_tickets (day, seq, conversation_id, status, reasons, facts, created_at, due_at,"
                " updated_at) VALUES ('20261125', :seq, :c, :status, :reasons, :facts, :at, :due, :at)"), dict(
                seq=n + 1, c=conversation, status=("open", "answered", "closed")[n % 3],
                reasons=json.dumps(["request_human", "complaint"][: 1 + n % 2]),
                facts=json.dumps({"province": "新疆", "weight": 1.5}, ensure_ascii=False),
                at=_time(engine, created), due=_time(engine, created + dt.timedelta(hours=2))))
        conn.execute(text("INSERT INTO console_accounts VALUES ('owner', 'owner', 'scrypt$x', :at)"),
                     dict(at=_time(engine, NOON_UTC)))
        conn.execute(text("INSERT INTO owner_config_versions (file, text, sha256, author, changes, created_at)"
                          " VALUES ('store.yml', 'store: {}', :sha, 'owner', '[\"运费\"]', :at)"),
                     dict(sha="0" * 64, at=_time(engine, NOON_UTC)))
        conn.execute(text("INSERT INTO owner_model_events (kind, model, previous, author, figures, reason, created_at)"
                          " VALUES ('promote', 'b.tar.gz', 'a.tar.gz', 'owner', '{}', NULL, :at)"),
                     dict(at=_time(engine, NOON_UTC)))
        conn.execute(text("INSERT INTO owner_review_decisions (message_key, decision, masked_text, entities, added,"
                          " author, created_at, trained_at) VALUES ('寄到哪', 'ask_fee', '寄到哪', '[]', :t, 'owner',"
                          " :at, NULL)"), dict(t=True, at=_time(engine, NOON_UTC)))
        conn.execute(text("INSERT INTO console_answer_leases VALUES ('web-00', 'holder', 1.5)"))
    engine.dispose()


def _rows(url: str) -> dict:
    """Every row of every table, as the database returns it."""
    engine = create_engine(url)
    with engine.connect() as conn:
        found = {table: conn.execute(text(f"SELECT * FROM {table} ORDER BY 1")).all() for table in TABLES}
    engine.dispose()
    return found


def _ours(name, kind, _parent_names) -> bool:
    """Other tests' tables on a shared PostgreSQL database (Rasa's `events`, ...) are not ours."""
    return kind != "table" or name in metadata.tables or name in TABLES


def _differences(db) -> list:
    with db.read() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "include_name": _ours})
        return compare_metadata(context, metadata)


def test_a_database_of_the_previous_schema_keeps_every_ticket_and_message(empty_url):
    _previous_database(empty_url)
    before = _rows(empty_url)
    assert len(before["helpdesk_messages"]) == len(CONVERSATIONS) * MESSAGES_PER_CONVERSATION

    db = open_database(empty_url, zone=CHINA)
    try:
        assert schema_revision(db) == head_revision()
        assert _rows(empty_url) == before, "every row of every table is kept as it was"
        assert _differences(db) == []
        tickets, messages = TicketStore(db), MessageStore(db)
        said = messages.since("web-03")
        assert [m.text for m in said] == [f"寄到新疆多少钱？第{k}句" for k in range(MESSAGES_PER_CONVERSATION)]
        assert said[0].created_at == NOON_UTC + dt.timedelta(minutes=3) and said[2].author == "xiaomei"
        assert said[1].buttons == [{"title": "是", "payload": "/affirm"}]
        active = tickets.list_active()
        assert len(active) == 8 and active[0].facts == {"province": "新疆", "weight": 1.5}
        # what is written next continues the numbers, and a resend is still recognised
        later = NOON_UTC + dt.timedelta(hours=1)
        new = messages.append("web-03", "shopper", "那北京呢", client_msg_id="m-new", now=later)
        assert new.id == max(row.id for row in before["helpdesk_messages"]) + 1
        assert messages.append("web-03", "shopper", "那北京呢", client_msg_id="m-new", now=later).id == new.id
        ticket, created = tickets.open_or_append("web-new", "complaint", {}, NOON_UTC, NOON_UTC + dt.timedelta(hours=1))
        assert created and ticket.number == f"20261125-{len(CONVERSATIONS) + 1:04d}"
    finally:
        db.dispose()


@pytest.mark.parametrize("start", ["new", "previous"])
def test_a_database_at_the_head_matches_the_models(empty_url, start):
    if start == "previous":
        _previous_database(empty_url)
    db = open_database(empty_url)
    try:
        assert _differences(db) == [], \
            "helpdesk/schema.py changed without a revision: python -m helpdesk.migrations revision --autogenerate -m ..."
        indexes = {i["name"] for i in inspect(db.engine).get_indexes("helpdesk_messages")}
        assert "helpdesk_message_conversation_page" in indexes and "ix_helpdesk_messages_conversation_id" not in indexes
    finally:
        db.dispose()


def test_starting_again_changes_nothing_and_every_revision_can_be_undone(empty_url):
    _previous_database(empty_url)
    before = _rows(empty_url)
    open_database(empty_url).dispose()
    db = open_database(empty_url)
    try:
        step = migrate(db)
        assert not step.changed and step.before == head_revision()
        with db.read() as conn:
            assert conn.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 1
        with db.engine.begin() as conn:
            command.downgrade(alembic_config(conn), "0001")
        assert schema_revision(db) == "0001"
        assert "ix_helpdesk_messages_conversation_id" in {
            i["name"] for i in inspect(db.engine).get_indexes("helpdesk_messages")}
        assert migrate(db).before == "0001"
        assert _differences(db) == [] and _rows(empty_url) == before
    finally:
        db.dispose()


def _start_and_report(url: str, barrier, results) -> None:
    """What this start found: the schema step open_database takes, reported."""
    barrier.wait()
    db = connect(url)
    results.put(migrate(db).before)
    db.dispose()


@pytest.mark.parametrize("start", ["new", "previous"])
def test_processes_starting_together_migrate_once(empty_url, start):
    if start == "previous":
        _previous_database(empty_url)
    before = _rows(empty_url) if start == "previous" else None
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(3), context.Queue()
    workers = [context.Process(target=_start_and_report, args=(empty_url, barrier, results)) for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    for worker in workers:
        if worker.is_alive():  # hung: fail, and leave nothing running
            worker.kill()
            worker.join()
    assert [w.exitcode for w in workers] == [0, 0, 0]
    found = sorted(results.get(timeout=5) for _ in workers)
    first = BEFORE_MIGRATIONS if start == "previous" else NEW
    assert found == sorted([first, head_revision(), head_revision()]), "one migrated, the others found it done"
    if before is not None:
        assert _rows(empty_url) == before
    db = open_database(empty_url)
    try:
        assert _differences(db) == []
    finally:
        db.dispose()


def test_make_migrate_prints_from_and_to(tmp_path):
    url = f"sqlite:///{tmp_path / 'helpdesk.db'}"
    _previous_database(url)

    def run(*args):
        done = subprocess.run([sys.executable, "-m", "helpdesk.migrations", *args], cwd=ROOT, capture_output=True,
                              text=True, timeout=60, env={**os.environ, "HELPDESK_DB_URL": url})
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout

    assert f"{BEFORE_MIGRATIONS} → {head_revision()}" in run("upgrade")
    assert f"at {head_revision()}, nothing to do" in run()
    assert "matches" in run("check")

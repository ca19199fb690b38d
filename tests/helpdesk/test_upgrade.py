"""A database made by the version whose tickets kept their own transcript opens with nothing lost:
transcripts of conversations the message record lacks become messages, the column goes."""
from __future__ import annotations

import datetime as dt
import json
import sqlite3

from sqlalchemy import inspect

from helpdesk import MessageStore, TicketStore, open_database
from store import CHINA

NOON = dt.datetime(2026, 11, 25, 12, 0, tzinfo=CHINA)

_OLD_SCHEMA = """
CREATE TABLE helpdesk_tickets (id INTEGER PRIMARY KEY, day VARCHAR(8) NOT NULL, seq INTEGER NOT NULL,
  conversation_id VARCHAR(200) NOT NULL, status VARCHAR(16) NOT NULL, reasons JSON NOT NULL,
  transcript JSON NOT NULL, facts JSON NOT NULL, created_at DATETIME NOT NULL, due_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL, CONSTRAINT helpdesk_ticket_number UNIQUE (day, seq));
CREATE TABLE helpdesk_messages (id INTEGER PRIMARY KEY, conversation_id VARCHAR(200) NOT NULL,
  sender VARCHAR(16) NOT NULL, text TEXT NOT NULL, buttons JSON, client_msg_id VARCHAR(100),
  author VARCHAR(100), pending_sync BOOLEAN NOT NULL, created_at DATETIME NOT NULL,
  CONSTRAINT helpdesk_message_once UNIQUE (conversation_id, client_msg_id));
"""


def _old_database(path) -> None:
    said = [{"sender": "shopper", "text": "寄到新疆多少钱", "time": NOON.isoformat()},
            {"sender": "bot", "text": "亲，18元", "time": NOON.isoformat()},
            {"sender": "agent", "text": "您好", "time": NOON.isoformat(), "agent": "xiaomei"}]
    with sqlite3.connect(path) as conn:
        conn.executescript(_OLD_SCHEMA)
        for i, conversation in enumerate(["rest-1", "web-1"], start=1):
            conn.execute("INSERT INTO helpdesk_tickets VALUES (?, '20261125', ?, ?, 'open', '[\"request_human\"]', ?,"
                         " '{\"province\": \"新疆\"}', '2026-11-25 04:00:00', '2026-11-25 06:00:00',"
                         " '2026-11-25 04:00:00')", (i, i, conversation, json.dumps(said, ensure_ascii=False)))
        conn.execute("INSERT INTO helpdesk_messages VALUES (1, 'web-1', 'shopper', '寄到新疆多少钱', NULL, 'm1', NULL,"
                     " 0, '2026-11-25 04:00:00')")


def test_an_older_database_keeps_its_tickets_and_conversations(tmp_path):
    path = tmp_path / "helpdesk.db"
    _old_database(path)
    db = open_database(f"sqlite:///{path}", zone=CHINA)
    assert "transcript" not in {c["name"] for c in inspect(db.engine).get_columns("helpdesk_tickets")}
    tickets, messages = TicketStore(db), MessageStore(db)
    assert [t.number for t in tickets.list_active()] == ["20261125-0001", "20261125-0002"]
    assert tickets.list_active()[0].facts == {"province": "新疆"}
    rest = messages.since("rest-1")
    assert [(m.sender, m.text, m.author) for m in rest] == [
        ("shopper", "寄到新疆多少钱", None), ("bot", "亲，18元", None), ("agent", "您好", "xiaomei")]
    assert rest[0].created_at == NOON
    assert [m.text for m in messages.since("web-1")] == ["寄到新疆多少钱"], "a recorded conversation is not copied"
    new, created = tickets.open_or_append("rest-2", "complaint", {}, NOON, NOON + dt.timedelta(hours=1))
    assert created and new.number == "20261125-0003"
    db.dispose()
    again = open_database(f"sqlite:///{path}", zone=CHINA)  # a second start changes nothing
    assert len(MessageStore(again).since("rest-1")) == 3
    again.dispose()


def _open_at_once(url: str, barrier) -> None:
    barrier.wait()
    open_database(url).dispose()


def test_processes_starting_together_on_a_new_database_all_open_it(tmp_path):
    """The console and the action server create the tables of a new SQLite file at the same
    moment: one waits for the other instead of failing with "database is locked"."""
    import multiprocessing
    context = multiprocessing.get_context("fork")
    for attempt in range(4):
        url = f"sqlite:///{tmp_path / f'new-{attempt}.db'}"
        barrier = context.Barrier(4)
        workers = [context.Process(target=_open_at_once, args=(url, barrier)) for _ in range(4)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(60)
        assert [w.exitcode for w in workers] == [0, 0, 0, 0]

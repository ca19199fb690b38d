"""Figures for the README: how long revision 0002 takes on a helpdesk database of a busy shop made
by the previous schema, and what its indexes change for the queries they serve (median of 5 runs).

  python -m helpdesk.migrations.figures [--conversations 20000] [--messages 10] [--url URL]

A scratch SQLite file by default; --url names an *empty* PostgreSQL database to measure there (it
refuses one that holds helpdesk tables, and drops what it made afterwards).
"""
from __future__ import annotations

import argparse
import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import bindparam, inspect, text

from ..db import connect, migrate
from .baseline import baseline_metadata

START = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
QUERIES = {
    "a page of one conversation's messages (before a cursor)":
        "SELECT id FROM helpdesk_messages WHERE conversation_id = :c AND id < :cursor ORDER BY id DESC LIMIT 50",
    "retention: a whole pass over conversations' newest times":
        "SELECT conversation_id FROM helpdesk_messages WHERE conversation_id > '' GROUP BY conversation_id"
        " HAVING max(created_at) < :t ORDER BY conversation_id",
    "retention: tickets of 500 conversations":
        "SELECT id FROM helpdesk_tickets WHERE conversation_id IN :ids",
    "dashboard: ticket timings of the last 7 days":
        "SELECT created_at, due_at FROM helpdesk_tickets WHERE created_at >= :since ORDER BY created_at",
}


def _fill(db, conversations: int, per_conversation: int) -> None:
    """Rows as the previous code wrote them, in bulk."""
    sqlite = db.engine.dialect.name == "sqlite"
    stamp = (lambda t: t.strftime("%Y-%m-%d %H:%M:%S.%f")) if sqlite else (lambda t: t)
    with db.write() as conn:
        messages, tickets = [], []
        for n in range(conversations):
            at = START + dt.timedelta(minutes=15 * n)
            for k in range(per_conversation):
                messages.append(dict(c=f"web-{n:07d}", s=("shopper", "bot")[k % 2], t="寄到新疆多少钱？" * 3,
                                     at=stamp(at + dt.timedelta(seconds=20 * k))))
            if n % 10 == 0:
                tickets.append(dict(day=at.strftime("%Y%m%d"), seq=n, c=f"web-{n:07d}",
                                    st="closed" if n % 30 else "open", at=stamp(at), due=stamp(at + dt.timedelta(hours=2))))
        conn.execute(text("INSERT INTO helpdesk_messages (conversation_id, sender, text, pending_sync, created_at)"
                          " VALUES (:c, :s, :t, false, :at)"), messages)
        conn.execute(text("INSERT INTO helpdesk_tickets (day, seq, conversation_id, status, reasons, facts, created_at,"
                          " due_at, updated_at) VALUES (:day, :seq, :c, :st, '[]', '{}', :at, :due, :at)"), tickets)


def _analyze(db) -> None:
    """Fresh planner statistics, as the database keeps them by itself after a while."""
    with db.engine.connect() as conn:
        conn.execute(text("ANALYZE"))
        conn.commit()


def _plan(conn, sql: str, params: dict) -> str:
    """The index the database chose (the first one its plan names)."""
    explain = "EXPLAIN QUERY PLAN " if conn.dialect.name == "sqlite" else "EXPLAIN "
    query = text(explain + sql)
    if ":ids" in sql:
        query = query.bindparams(bindparam("ids", expanding=True))
    for row in conn.execute(query, params).all():
        for word in " ".join(map(str, row)).replace("(", " ").split():
            if word.startswith(("helpdesk_", "ix_")) and word not in ("helpdesk_messages", "helpdesk_tickets"):
                return word
    return "none"


def _time_queries(db, conversations: int, per_conversation: int) -> dict:
    middle = f"web-{conversations // 2:07d}"
    newest = START + dt.timedelta(minutes=15 * conversations)
    params = {"c": middle, "cursor": conversations * per_conversation, "t": newest - dt.timedelta(days=180),
              "ids": tuple(f"web-{n:07d}" for n in range(0, conversations, max(1, conversations // 500))),
              "since": newest - dt.timedelta(days=7)}
    if db.engine.dialect.name == "sqlite":
        params = {k: v.strftime("%Y-%m-%d %H:%M:%S.%f") if isinstance(v, dt.datetime) else v for k, v in params.items()}
    found = {}
    with db.read() as conn:
        for name, sql in QUERIES.items():
            query = text(sql).bindparams(bindparam("ids", expanding=True)) if ":ids" in sql else text(sql)
            bound = {k: v for k, v in params.items() if f":{k}" in sql}
            runs = []
            for _ in range(5):
                began = time.perf_counter()
                conn.execute(query, bound).all()
                runs.append(time.perf_counter() - began)
            found[name] = statistics.median(runs) * 1000, _plan(conn, sql, bound)
    return found


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpdesk.migrations.figures", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--conversations", type=int, default=20_000)
    parser.add_argument("--messages", type=int, default=10, help="per conversation")
    parser.add_argument("--url")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as work:
        db = connect(args.url or f"sqlite:///{Path(work) / 'helpdesk.db'}")
        if set(inspect(db.engine).get_table_names()) & set(baseline_metadata().tables):
            raise SystemExit("that database holds helpdesk tables: give an empty one")
        try:
            with db.write() as conn:
                baseline_metadata().create_all(conn)  # the previous schema, without alembic_version
            _fill(db, args.conversations, args.messages)
            _analyze(db)
            before = _time_queries(db, args.conversations, args.messages)
            began = time.perf_counter()
            step = migrate(db)
            took = time.perf_counter() - began
            _analyze(db)
            after = _time_queries(db, args.conversations, args.messages)
            print(f"helpdesk database on {db.engine.dialect.name}: {args.conversations} conversations, "
                  f"{args.conversations * args.messages} messages, {args.conversations // 10} tickets")
            print(f"upgrade {step}: {took:.2f} s (writes to these tables wait that long, once)")
            print(f"{'query':56} {'before: ms, index':>38} {'after: ms, index':>38}")
            for name in QUERIES:
                print(f"{name:56} " + " ".join(f"{found[name][0]:8.2f} {found[name][1]:>29}" for found in (before, after)))
        finally:
            if args.url:
                with db.write() as conn:
                    for table in reversed(baseline_metadata().sorted_tables):
                        conn.execute(text(f"DROP TABLE IF EXISTS {table.name}"))
                    conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
            db.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

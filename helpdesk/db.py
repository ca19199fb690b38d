"""Opening the helpdesk database: a SQLite file by default, PostgreSQL when the URL says so.

Two processes write to it (the console app and the action server), so SQLite runs in WAL mode
with a busy timeout, and write transactions start with BEGIN IMMEDIATE: a transaction that reads
and then writes can otherwise fail at once with "database is locked" instead of waiting.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Mapping

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Connection, Engine, make_url

from .schema import metadata
from .upgrade import upgrade

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_URL = f"sqlite:///{ROOT / 'var' / 'helpdesk.db'}"
BUSY_TIMEOUT_MS = 15_000
_WRITE = "helpdesk_write"
_PG_LOCK_KEY = 0x6865_6C70  # "help": one advisory lock for ticket writes


def database_url_from_env(environ: Mapping[str, str] = os.environ) -> str:
    """HELPDESK_DB_URL, or the SQLite file var/helpdesk.db in the repository: both processes
    call this so they agree on one database."""
    return environ.get("HELPDESK_DB_URL") or DEFAULT_URL


class Database:
    """`zone`: the business time zone. Times come back in it, and ticket numbers count its days."""

    def __init__(self, engine: Engine, zone: dt.tzinfo = dt.timezone.utc) -> None:
        self.engine, self.zone = engine, zone

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def write(self, serialized: bool = False) -> Iterator[Connection]:
        """One transaction, committed when the block ends without an exception. `serialized`
        transactions run one at a time across processes (SQLite write transactions always do),
        so read-then-insert logic such as the next ticket number cannot race."""
        with self.engine.connect() as conn:
            conn.execution_options(**{_WRITE: True})
            with conn.begin():
                if serialized and conn.dialect.name == "postgresql":
                    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
                yield conn

    def dispose(self) -> None:
        self.engine.dispose()


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False)  # readable Chinese in the database


def _use_wal(cursor) -> None:
    """Switching a new file to WAL needs it alone for a moment, and SQLite answers "database is
    locked" at once instead of waiting (processes starting together on a new file): retry."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def _prepare_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # the driver's own BEGIN is replaced below
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        _use_wal(cur)
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(_WRITE) else "BEGIN")


def open_database(url: str, zone: dt.tzinfo = dt.timezone.utc) -> Database:
    """Connect, bring an older database up to date and create the tables that are missing."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, future=True, json_serializer=_dumps,
                               connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        _prepare_sqlite(engine)
    else:
        engine = create_engine(url, future=True, json_serializer=_dumps, pool_pre_ping=True)
    db = Database(engine, zone)
    # One write transaction (BEGIN IMMEDIATE on SQLite, an advisory lock on PostgreSQL): the
    # console and the action server often start together on a new database.
    with db.write(serialized=True) as conn:
        upgrade(conn)
        metadata.create_all(conn)
    return db

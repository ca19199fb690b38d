"""Opening the helpdesk database: a SQLite file by default, PostgreSQL when the URL says so.

Two processes write to it (the console app and the action server), so SQLite runs in WAL mode
with a busy timeout, and write transactions start with BEGIN IMMEDIATE: a transaction that reads
and then writes can otherwise fail at once with "database is locked" instead of waiting.
Opening it brings its schema to the newest Alembic revision (helpdesk/migrations), under a lock.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Mapping, Optional

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.pool import QueuePool

from .migrations import SchemaStep, bring_to_head, current_revision

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_URL = f"sqlite:///{ROOT / 'var' / 'helpdesk.db'}"
# How long a write waits for another writer (e.g. the other process's ticket write) before it
# fails and the shopper is asked to resend; HELPDESK_BUSY_TIMEOUT_MS changes it.
BUSY_TIMEOUT_MS = int(os.environ.get("HELPDESK_BUSY_TIMEOUT_MS") or 15_000)
_WRITE = "helpdesk_write"
_PG_LOCK_KEY = 0x6865_6C70  # "help": one advisory lock for ticket writes
_PG_SCHEMA_LOCK_KEY = 0x6865_6C73  # "hels": one process at a time migrates the schema


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


def _file_identity(path: str):
    """(device, inode) of the database file; None when it is gone."""
    try:
        found = os.stat(path)
    except OSError:
        return None
    return found.st_dev, found.st_ino


def _prepare_sqlite(engine: Engine) -> None:
    path = engine.url.database if engine.url.database not in (None, "", ":memory:") else None

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, record):
        dbapi_conn.isolation_level = None  # the driver's own BEGIN is replaced below
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        _use_wal(cur)
        cur.close()
        record.info["file"] = path and _file_identity(path)

    @event.listens_for(engine, "checkout")
    def _on_checkout(_dbapi_conn, record, _proxy):
        # SQLite keeps writing to a file deleted or replaced under an open connection, and those
        # commits vanish: the shopper would be told "stored" for a message nobody can read. Such a
        # connection is dropped; a new one opens whatever is at the path now (or fails).
        if path and record.info.get("file") != _file_identity(path):
            raise DisconnectionError("the helpdesk database file was deleted or replaced")

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        mode = conn.get_execution_options().get(_WRITE)
        conn.exec_driver_sql("BEGIN EXCLUSIVE" if mode == "exclusive" else "BEGIN IMMEDIATE" if mode else "BEGIN")


def open_database(url: str, zone: dt.tzinfo = dt.timezone.utc) -> Database:
    """Connect and bring the schema to the newest revision (a new database is created at it)."""
    db = connect(url, zone)
    migrate(db)
    return db


def connect(url: str, zone: dt.tzinfo = dt.timezone.utc) -> Database:
    """Connect, leaving the schema as it is (the migrations' command line migrates it itself)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        # hide_parameters: an error logged with its statement must not carry what shoppers wrote.
        # A file database keeps its connections in a pool: SQLAlchemy 1.4's default for SQLite
        # files opens and closes one per transaction, which was about a sixth of the console's CPU
        # under load (four or five transactions per shopper message). A pooled connection goes to
        # one thread at a time, hence check_same_thread=False.
        pooled = ({"poolclass": QueuePool, "pool_size": 4, "max_overflow": 12}
                  if parsed.database and parsed.database != ":memory:" else {})
        engine = create_engine(url, future=True, json_serializer=_dumps, hide_parameters=True,
                               connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
                               **pooled)
        _prepare_sqlite(engine)
    else:
        engine = create_engine(url, future=True, json_serializer=_dumps, pool_pre_ping=True, hide_parameters=True)
    return Database(engine, zone)


def migrate(db: Database) -> SchemaStep:
    """Bring the schema to the newest revision (helpdesk/migrations) in one transaction under a
    lock (BEGIN EXCLUSIVE on SQLite, an advisory lock on PostgreSQL): the consoles and the action
    server's workers often start together, and one migrates while the others wait and find it done."""
    with db.engine.connect() as conn:
        conn.execution_options(**{_WRITE: "exclusive"})
        with conn.begin():
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_SCHEMA_LOCK_KEY})
            return bring_to_head(conn)


def schema_revision(db: Database) -> Optional[str]:
    """The revision the database is at (helpdesk/migrations/versions/), e.g. for a backup's manifest."""
    with db.read() as conn:
        return current_revision(conn)

"""Copying the two databases out of a running installation and back: SQLite through its online
backup API (one consistent snapshot while Rasa, the console and the action server keep writing;
a file copy of a live WAL database can miss committed pages or tear), PostgreSQL with pg_dump's
custom format and pg_restore. Plus what a manifest records (row counts, schema revision) and
whether something still uses a database (a restore must not pull it from under a process)."""
from __future__ import annotations

import os
import sqlite3
import subprocess
from pathlib import Path
from typing import Optional

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from .site import StoredDatabase

BUSY_TIMEOUT_S = 15
# What a manifest counts, per database: (label, SQL). Tables missing in a database count 0.
COUNTS = {
    "tracker": (("conversations", "SELECT count(DISTINCT sender_id) FROM events"),
                ("events", "SELECT count(*) FROM events"),
                ("shopper_messages", "SELECT count(*) FROM events WHERE type_name = 'user'")),
    "helpdesk": (("conversations", "SELECT count(DISTINCT conversation_id) FROM helpdesk_messages"),
                 ("messages", "SELECT count(*) FROM helpdesk_messages"),
                 ("tickets", "SELECT count(*) FROM helpdesk_tickets"),
                 ("config_versions", "SELECT count(*) FROM owner_config_versions"),
                 ("review_decisions", "SELECT count(*) FROM owner_review_decisions"),
                 ("model_events", "SELECT count(*) FROM owner_model_events")),
}


class DatabaseBusy(RuntimeError):
    """Something still has the database open: the assistant is running."""


# -- SQLite -----------------------------------------------------------------------------------
def copy_sqlite(source: Path, target: Path) -> None:
    """One online-backup step over all pages: a read transaction on the source (WAL lets the
    writers go on meanwhile), so the copy is the database as of one commit. The copy is a
    single self-contained file (rollback journal mode), checked before it is kept."""
    src = sqlite3.connect(str(source), timeout=BUSY_TIMEOUT_S)
    dst = sqlite3.connect(str(target))
    try:
        src.backup(dst)          # pages=-1: all at once, never restarted by a concurrent write
        dst.execute("PRAGMA journal_mode=DELETE")
        problem = dst.execute("PRAGMA quick_check").fetchone()[0]
        if problem != "ok":
            raise RuntimeError(f"the copy of {source} fails SQLite's check: {problem}")
    finally:
        dst.close()
        src.close()


def replace_sqlite(copy: Path, target: Path) -> None:
    """Put a restored file in place. A stale -wal next to the target would be replayed into the
    restored file on its next open: removed first (nothing uses it, checked by the caller)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    os.replace(copy, target)


def processes_using(path: Path) -> list[int]:
    """Pids of the processes that have the SQLite file (or its WAL) open, read from /proc."""
    names = {str(path), f"{path}-wal", f"{path}-shm"}
    users = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if any(os.readlink(fd) in names for fd in (entry / "fd").iterdir()):
                users.append(int(entry.name))
        except OSError:    # gone meanwhile, or not ours to read
            continue
    return users


# -- PostgreSQL --------------------------------------------------------------------------------
def _pg_args(url: str) -> tuple[list[str], dict]:
    """libpq connection arguments; the password goes in PGPASSWORD, never on a command line."""
    parsed = make_url(url)
    args = ["--host", parsed.host or "localhost", "--port", str(parsed.port or 5432)]
    if parsed.username:
        args += ["--username", parsed.username]
    return args, {**os.environ, "PGPASSWORD": parsed.password or ""}


def dump_postgres(url: str, target: Path) -> None:
    args, env = _pg_args(url)
    done = subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--file", str(target), *args,
                           make_url(url).database], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"pg_dump failed: {done.stderr.strip()[-500:]}")


def restore_postgres(dump: Path, url: str) -> None:
    """Into the (existing) database of `url`, replacing the objects the dump holds, in one
    transaction: a failure leaves the database as it was."""
    args, env = _pg_args(url)
    done = subprocess.run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
                           "--exit-on-error", *args, "--dbname", make_url(url).database, str(dump)],
                          env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"pg_restore failed: {done.stderr.strip()[-500:]}")


def other_sessions(url: str) -> int:
    """Other connections to the PostgreSQL database of `url` (the running assistant's)."""
    engine = create_engine(url, future=True, hide_parameters=True)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                                     "AND pid <> pg_backend_pid()")).scalar_one()
    finally:
        engine.dispose()


# -- both --------------------------------------------------------------------------------------
def check_not_in_use(database: StoredDatabase, url: Optional[str] = None) -> None:
    """Raises DatabaseBusy when a process uses the database a restore would replace."""
    url = url or database.url
    if make_url(url).get_backend_name() == "sqlite":
        path = Path(make_url(url).database).resolve()
        users = processes_using(path)
        if users:
            raise DatabaseBusy(f"{path} is open in process(es) {users}: stop the assistant first")
    elif other_sessions(url):
        raise DatabaseBusy(f"the {database.name} database has other connections: stop the assistant first")


def counts(name: str, url: str) -> dict:
    """The manifest's row counts and the schema revision (Alembic's, when the database has one)."""
    engine = create_engine(url, future=True, hide_parameters=True)
    try:
        with engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
            figures = {}
            for label, sql in COUNTS[name]:
                table = sql.split(" FROM ")[1].split()[0]
                figures[label] = conn.execute(text(sql)).scalar_one() if table in tables else 0
            if "alembic_version" in tables:
                figures["schema_revision"] = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
            else:
                figures["schema_revision"] = None
            return figures
    finally:
        engine.dispose()

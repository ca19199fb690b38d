"""Bringing the helpdesk database to the newest revision, as every process does when it opens it:
a new database is built by the revisions from the first; one made before migrations is adopted
(adopt.py); one behind the head is upgraded; one at the head is left alone (one query).

The caller holds the schema lock (helpdesk.db.migrate: BEGIN EXCLUSIVE on SQLite, an advisory
lock on PostgreSQL), so processes starting together upgrade once and the others find it done.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Optional

from alembic import command
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from ..schema import metadata
from .adopt import BASELINE, adopt, made_before_migrations
from .config import alembic_config, head_revision

logger = logging.getLogger(__name__)

NEW = "new"                      # `before` of a database that had no helpdesk table
BEFORE_MIGRATIONS = "before-migrations"  # `before` of a database made by the code before migrations


@dataclass(frozen=True)
class SchemaStep:
    before: str   # a revision, NEW or BEFORE_MIGRATIONS
    after: str    # the head

    @property
    def changed(self) -> bool:
        return self.before != self.after

    def __str__(self) -> str:
        return f"{self.before} → {self.after}" if self.changed else f"at {self.after}, nothing to do"


def current_revision(conn: Connection) -> Optional[str]:
    """Read directly (one query, no Alembic context: that logs at every start)."""
    if not inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def bring_to_head(conn: Connection) -> SchemaStep:
    """Inside the caller's locked write transaction; committed by the caller."""
    head = head_revision()
    tables = set(inspect(conn).get_table_names())
    if made_before_migrations(tables):
        adopt(conn)
        before, now = BEFORE_MIGRATIONS, BASELINE
    else:
        before = now = current_revision(conn) if "alembic_version" in tables else None
        before = before or NEW
    if now != head:
        command.upgrade(alembic_config(conn), "head")
    else:
        _recreate_dropped_tables(conn, tables)
    step = SchemaStep(before, head)
    if step.changed:
        logger.info("helpdesk database schema: %s", step)
    return step


def _recreate_dropped_tables(conn: Connection, tables: set) -> None:
    """A database at the head that lacks a table had it dropped by hand (tests clean up so on a
    shared PostgreSQL): it is created again as the head defines it, rather than failing later."""
    missing = [table for name, table in metadata.tables.items() if name not in tables]
    if missing:
        logger.warning("helpdesk database at %s lacks %s: created again",
                       head_revision(), ", ".join(t.name for t in missing))
        metadata.create_all(conn, tables=missing)

"""Adopting a helpdesk database made before migrations (no alembic_version table): it is brought
to the baseline, revision 0001, and stamped so; the later revisions then run as on any database.

Such a database may be older than the baseline: the pre-migration step (ticket transcripts into
the message record, transcripts.py) runs first, then the tables and indexes of the baseline it
lacks are created (tables the old code created on first use, e.g. the lease tables).
"""
from __future__ import annotations

import logging

from alembic import command
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from .baseline import baseline_metadata
from .config import alembic_config
from .transcripts import move_ticket_transcripts

logger = logging.getLogger(__name__)

BASELINE = "0001"
BASELINE_TABLES = frozenset(baseline_metadata().tables)


def made_before_migrations(table_names: set) -> bool:
    return "alembic_version" not in table_names and bool(table_names & BASELINE_TABLES)


def adopt(conn: Connection) -> None:
    """Inside the caller's locked transaction."""
    move_ticket_transcripts(conn)
    inspector = inspect(conn)  # after the step above: it may have changed a table
    existing = set(inspector.get_table_names())
    added = []
    for table in baseline_metadata().sorted_tables:
        if table.name not in existing:
            table.create(conn)
            added.append(table.name)
            continue
        indexes = {index["name"] for index in inspector.get_indexes(table.name)}
        for index in table.indexes:
            if index.name not in indexes:
                index.create(conn)
                added.append(index.name)
    command.stamp(alembic_config(conn), BASELINE)
    logger.info("helpdesk database made before migrations: completed to the baseline (%s) and stamped %s",
                ", ".join(added) or "nothing missing", BASELINE)

"""The one upgrade step from before migrations (it was helpdesk/upgrade.py): a database older than
the baseline (revision 0001) goes through it first when it is adopted (adopt.py).

Tickets used to carry their own copy of the conversation (a `transcript` column). The record of
what was said is now helpdesk_messages alone: a ticket whose conversation has no messages there
(it came through Rasa's REST channel) gets its transcript written as messages, then the column goes.
"""
from __future__ import annotations

import datetime as dt
import json
import logging

from sqlalchemy import inspect, select, text
from sqlalchemy.engine import Connection

from ..schema import SENDERS
from .baseline import baseline_metadata

logger = logging.getLogger(__name__)


def _time(value: object, fallback: dt.datetime) -> dt.datetime:
    try:
        parsed = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return fallback
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)


def _move_transcripts(conn: Connection) -> None:
    messages = baseline_metadata().tables["helpdesk_messages"]  # the table as the baseline has it
    legacy = text("SELECT id, conversation_id, transcript, created_at FROM helpdesk_tickets ORDER BY id")
    moved = 0
    for row in conn.execute(legacy).mappings().all():
        known = conn.execute(select(messages.c.id).where(
            messages.c.conversation_id == row["conversation_id"]).limit(1)).first()
        if known:
            continue
        items = row["transcript"]
        if isinstance(items, str):  # SQLite hands JSON back as text in a raw query
            items = json.loads(items)
        created = _time(row["created_at"], dt.datetime.now(dt.timezone.utc))
        for item in items or []:
            if not isinstance(item, dict) or not isinstance(item.get("text"), str):
                continue
            sender = item.get("sender") if item.get("sender") in SENDERS else "system"
            conn.execute(messages.insert().values(
                conversation_id=row["conversation_id"], sender=sender, text=item["text"],
                author=item.get("agent"), pending_sync=False,
                created_at=_time(item.get("time"), created)))
            moved += 1
    conn.execute(text("ALTER TABLE helpdesk_tickets DROP COLUMN transcript"))
    logger.info("helpdesk database upgraded: ticket transcripts moved into the message record (%d messages)", moved)


def move_ticket_transcripts(conn: Connection) -> None:
    """Inside the caller's locked transaction (helpdesk.db.migrate), so two processes starting at
    once do not both move them."""
    tables = inspect(conn).get_table_names()
    if "helpdesk_tickets" not in tables:
        return
    columns = {c["name"] for c in inspect(conn).get_columns("helpdesk_tickets")}
    if "transcript" in columns:
        baseline_metadata().tables["helpdesk_messages"].create(conn, checkfirst=True)
        _move_transcripts(conn)

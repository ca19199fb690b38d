"""The helpdesk schema as the code before migrations made it (revision 0001), frozen: never edit.

It is what `metadata.create_all` built, plus the two lease tables the console created on demand.
Revision 0001 creates it on a new database; a database made before migrations is completed to it
(missing tables and indexes) and stamped 0001 before the later revisions run.
"""
from __future__ import annotations

from sqlalchemy import (JSON, Boolean, Column, Float, Index, Integer, MetaData, String, Table, Text,
                        UniqueConstraint)

from ..schema import AwareDateTime  # a column type (UTC in, aware UTC out), not a table


def baseline_metadata() -> MetaData:
    """A fresh MetaData each call: the tables of revision 0001."""
    metadata = MetaData()
    tickets = Table(
        "helpdesk_tickets", metadata,
        Column("id", Integer, primary_key=True),
        Column("day", String(8), nullable=False),
        Column("seq", Integer, nullable=False),
        Column("conversation_id", String(200), nullable=False),
        Column("status", String(16), nullable=False),
        Column("reasons", JSON, nullable=False),
        Column("facts", JSON, nullable=False),
        Column("created_at", AwareDateTime, nullable=False),
        Column("due_at", AwareDateTime, nullable=False),
        Column("updated_at", AwareDateTime, nullable=False),
        UniqueConstraint("day", "seq", name="helpdesk_ticket_number"),
    )
    Index("helpdesk_one_active_ticket", tickets.c.conversation_id, unique=True,
          sqlite_where=tickets.c.status != "closed", postgresql_where=tickets.c.status != "closed")
    Index("helpdesk_ticket_due", tickets.c.status, tickets.c.due_at)

    messages = Table(
        "helpdesk_messages", metadata,
        Column("id", Integer, primary_key=True),
        Column("conversation_id", String(200), nullable=False, index=True),
        Column("sender", String(16), nullable=False),
        Column("text", Text, nullable=False),
        Column("buttons", JSON),
        Column("client_msg_id", String(100)),
        Column("author", String(100)),
        Column("pending_sync", Boolean, nullable=False, default=False),
        Column("created_at", AwareDateTime, nullable=False),
        UniqueConstraint("conversation_id", "client_msg_id", name="helpdesk_message_once"),
    )
    Index("helpdesk_message_pending_sync", messages.c.pending_sync)

    Table(
        "console_accounts", metadata,
        Column("name", String(100), primary_key=True),
        Column("role", String(16), nullable=False),
        Column("password_hash", String(300), nullable=False),
        Column("updated_at", AwareDateTime, nullable=False),
    )
    Table(
        "owner_config_versions", metadata,
        Column("id", Integer, primary_key=True),
        Column("file", String(100), nullable=False, index=True),
        Column("text", Text, nullable=False),
        Column("sha256", String(64), nullable=False),
        Column("author", String(100), nullable=False),
        Column("changes", JSON, nullable=False),
        Column("created_at", AwareDateTime, nullable=False),
    )
    Table(
        "owner_model_events", metadata,
        Column("id", Integer, primary_key=True),
        Column("kind", String(16), nullable=False),
        Column("model", String(200), nullable=False),
        Column("previous", String(200)),
        Column("author", String(100), nullable=False),
        Column("figures", JSON, nullable=False),
        Column("reason", Text),
        Column("created_at", AwareDateTime, nullable=False),
    )
    Table(
        "owner_review_decisions", metadata,
        Column("id", Integer, primary_key=True),
        Column("message_key", String(500), nullable=False, unique=True),
        Column("decision", String(64), nullable=False),
        Column("masked_text", Text, nullable=False),
        Column("entities", JSON, nullable=False),
        Column("added", Boolean, nullable=False),
        Column("author", String(100), nullable=False),
        Column("created_at", AwareDateTime, nullable=False),
        Column("trained_at", AwareDateTime),
    )
    for lease in ("console_rasa_sync_claims", "console_answer_leases"):
        Table(
            lease, metadata,
            Column("conversation_id", String(200), primary_key=True),
            Column("holder", String(32), nullable=False),
            Column("expires_at", Float, nullable=False),
        )
    return metadata

"""Tables: the model every migration leads to (helpdesk/migrations/versions/; a change here needs a
new revision: `python -m helpdesk.migrations revision --autogenerate -m "..."`). Times are stored in
UTC and come back as aware UTC datetimes (the stores convert them to the database's business time
zone)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import (JSON, Boolean, Column, DateTime, Float, Index, Integer, MetaData, String,
                        Table, Text, UniqueConstraint)
from sqlalchemy.types import TypeDecorator


# Row ids are INTEGER keys, 32-bit on PostgreSQL: a larger id from a URL cannot exist, and must not
# reach SQL, where it overflows instead of matching nothing (the fuzzer's /agent/tickets/2**63: 500).
MAX_ID = 2**31 - 1


class AwareDateTime(TypeDecorator):
    """SQLite keeps no time zone: store UTC, hand back aware UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("datetimes must be timezone-aware")
        value = value.astimezone(dt.timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.timezone.utc)
        return value.astimezone(dt.timezone.utc)


metadata = MetaData()
SENDERS = ("shopper", "bot", "agent", "system")  # who wrote a message

tickets = Table(
    "helpdesk_tickets", metadata,
    Column("id", Integer, primary_key=True),
    Column("day", String(8), nullable=False),   # 工单号 = day-seq, e.g. 20261125-0007
    Column("seq", Integer, nullable=False),
    Column("conversation_id", String(200), nullable=False),  # what was said: helpdesk_messages
    Column("status", String(16), nullable=False),
    Column("reasons", JSON, nullable=False),
    Column("facts", JSON, nullable=False),     # what the bot knew: province, weight, order number ...
    Column("created_at", AwareDateTime, nullable=False),
    Column("due_at", AwareDateTime, nullable=False),
    Column("updated_at", AwareDateTime, nullable=False),
    UniqueConstraint("day", "seq", name="helpdesk_ticket_number"),
)
# At most one not-closed ticket per conversation, even with two processes racing.
Index("helpdesk_one_active_ticket", tickets.c.conversation_id, unique=True,
      sqlite_where=tickets.c.status != "closed", postgresql_where=tickets.c.status != "closed")
Index("helpdesk_ticket_due", tickets.c.status, tickets.c.due_at)
Index("helpdesk_ticket_created", tickets.c.created_at)  # the dashboard's timings
Index("helpdesk_ticket_conversation", tickets.c.conversation_id)  # a conversation's tickets, closed ones too

messages = Table(
    "helpdesk_messages", metadata,
    Column("id", Integer, primary_key=True),
    Column("conversation_id", String(200), nullable=False),
    Column("sender", String(16), nullable=False),
    Column("text", Text, nullable=False),
    Column("buttons", JSON),
    Column("client_msg_id", String(100)),
    Column("author", String(100)),              # the agent's user name for agent replies
    Column("pending_sync", Boolean, nullable=False, default=False),  # not yet in Rasa's history
    Column("created_at", AwareDateTime, nullable=False),
    UniqueConstraint("conversation_id", "client_msg_id", name="helpdesk_message_once"),
)
Index("helpdesk_message_pending_sync", messages.c.pending_sync)
# A conversation's messages in id order, either way from a cursor (paging) without a sort.
Index("helpdesk_message_conversation_page", messages.c.conversation_id, messages.c.id)

# The owner's loop: who may log in, every saved version of an owner-edited file, every model
# promotion and rollback. Small tables, written by the console and the command line alike.
accounts = Table(
    "console_accounts", metadata,
    Column("name", String(100), primary_key=True),
    Column("role", String(16), nullable=False),            # owner | agent
    Column("password_hash", String(300), nullable=False),
    Column("updated_at", AwareDateTime, nullable=False),
)

config_versions = Table(
    "owner_config_versions", metadata,
    Column("id", Integer, primary_key=True),
    Column("file", String(100), nullable=False, index=True),   # store.yml, replies.yml
    Column("text", Text, nullable=False),                        # the whole file as saved
    Column("sha256", String(64), nullable=False),
    Column("author", String(100), nullable=False),
    Column("changes", JSON, nullable=False),                     # what changed, in words
    Column("created_at", AwareDateTime, nullable=False),
)

model_events = Table(
    "owner_model_events", metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(16), nullable=False),        # promote | rollback | refused
    Column("model", String(200), nullable=False),      # the model that went live (or was refused)
    Column("previous", String(200)),                   # the model it replaced
    Column("author", String(100), nullable=False),
    Column("figures", JSON, nullable=False),           # the guard's figures at that moment
    Column("reason", Text),                            # the typed reason of an override
    Column("created_at", AwareDateTime, nullable=False),
)

# The owner's review queue: what the owner decided for a shopper message (by its normalised text,
# tuning.message_key), so a decided message leaves the queue. Only the masked text is kept.
review_decisions = Table(
    "owner_review_decisions", metadata,
    Column("id", Integer, primary_key=True),
    Column("message_key", String(500), nullable=False, unique=True),
    Column("decision", String(64), nullable=False),     # an intent name (out_of_scope too) | ignore
    Column("masked_text", Text, nullable=False),
    Column("entities", JSON, nullable=False),           # [{entity, value}] the owner marked
    Column("added", Boolean, nullable=False),           # written to the owner's training file
    Column("author", String(100), nullable=False),
    Column("created_at", AwareDateTime, nullable=False),
    Column("trained_at", AwareDateTime),                # set when a model trained on it went live
)


# Leases per conversation (console/leases.py): which console instance does some work on a
# conversation right now. A row only one instance holds; it runs out at `expires_at`.
def _lease_table(name: str) -> Table:
    return Table(
        name, metadata,
        Column("conversation_id", String(200), primary_key=True),
        Column("holder", String(32), nullable=False),        # the console instance holding it
        Column("expires_at", Float, nullable=False),         # Unix time: the lease ends
    )


LEASE_TABLES = {table.name: table for table in (
    _lease_table("console_rasa_sync_claims"),   # who pushes a conversation's agent replies into Rasa
    _lease_table("console_answer_leases"),      # who answers a conversation's shopper messages
    _lease_table("console_job_leases"),         # which instance runs a scheduled job (key: the job's name)
)}


# Failed logins (per account, per address) and ended sessions, shared by every console instance
# when there is no Redis (console/attempt_log.py). Old rows are deleted as new ones are written.
login_attempts = Table(
    "console_login_attempts", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(300), nullable=False),   # user:<name> | addr:<address> | ended:<nonce>
    Column("at", Float, nullable=False),          # Unix time of the event
    Column("forget_at", Float, nullable=False),   # Unix time after which it may be deleted
    Index("ix_console_login_attempts_key_at", "key", "at"),
    Index("ix_console_login_attempts_forget_at", "forget_at"),
)


def lease_table(name: str) -> Table:
    """One of the lease tables, by name."""
    try:
        return LEASE_TABLES[name]
    except KeyError:
        raise KeyError(f"no lease table {name!r} in helpdesk/schema.py: add it there with a migration") from None

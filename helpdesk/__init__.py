"""The helpdesk's storage: the record of what was said (messages), the tickets that hand a
conversation to a person, and the owner's records (console accounts, saved versions of the
owner's files, model promotions) and the console instances' leases, in one SQL database shared by
the console and the action server; its schema is migrated with Alembic (helpdesk/migrations).

Plain Python on SQLAlchemy Core: no Rasa, no Sanic, no store rules. Every method takes `now` from
the caller (no hidden clock) and commits before it returns.
"""
from .db import Database, database_url_from_env, open_database, schema_revision
from .messages import Message, MessageStore, Turn
from .owner_records import (ROLES, Account, Accounts, ConfigHistory, ConfigVersion, ModelEvent,
                            ModelEvents)
from .review_decisions import IGNORE as REVIEW_IGNORE
from .review_decisions import ReviewDecision, ReviewDecisions
from .schema import MAX_ID, lease_table, login_attempts
from .tickets import Ticket, TicketClosed, TicketNotFound, TicketStore, TicketTiming

__all__ = [
    "MAX_ID", "Account", "Accounts", "ConfigHistory", "ConfigVersion", "ModelEvent", "ModelEvents", "ROLES",
    "Database", "Message", "MessageStore", "Ticket", "TicketClosed", "TicketNotFound",
    "TicketStore", "TicketTiming", "Turn", "database_url_from_env", "open_database",
    "REVIEW_IGNORE", "ReviewDecision", "ReviewDecisions", "lease_table", "login_attempts", "schema_revision",
]

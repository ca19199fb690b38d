"""Tickets and chat messages in one SQL database, shared by the console app and the action server.

Plain Python on SQLAlchemy Core: no Rasa, no Sanic. Every method takes `now` from the caller
(no hidden clock) and commits before it returns.
"""
from .db import Database, database_url_from_env, open_database
from .messages import Message, MessageStore, transcript_item
from .tickets import Ticket, TicketClosed, TicketNotFound, TicketStore

__all__ = [
    "Database", "Message", "MessageStore", "Ticket", "TicketClosed", "TicketNotFound",
    "TicketStore", "database_url_from_env", "open_database", "transcript_item",
]

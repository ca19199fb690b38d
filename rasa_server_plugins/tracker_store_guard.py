"""No reply from a forgotten context: a conversation that cannot be read or kept is not answered.

Rasa wraps every tracker store in `FailSafeTrackerStore` (rasa/core/agent.py
`Agent._create_tracker_store`): when reading a conversation fails it starts an empty one, and when
saving fails it keeps the conversation in this process's memory and only logs. With several Rasa
instances behind nginx both are wrong: the shopper is answered as if they had said nothing before,
and what was said now is lost for the other instances. Installed by the entry point, this module
turns those failures into errors, and keeps the rest of Rasa's behaviour:

- the tracker store: Rasa's own wrapper, whose error callback now raises
  `ConversationStoreUnavailable` instead of falling back; a SQL store on a database server pings a
  pooled connection before using it (`pool_pre_ping`), so the first message after a database
  restart is answered instead of failing on a dead connection;
- the lock store: a lock that cannot be read or written raises Rasa's `LockError` (Redis down:
  no message is handled without its conversation's lock). Releasing the lock after the reply was
  saved may fail without losing that reply: the lock then expires after TICKET_LOCK_LIFETIME;
- the channels' webhooks (`webhooks/<channel>/webhook`, the console uses `rest`): Rasa's channel
  catches every error of a message and answers 200 with whatever replies it had collected; when
  the conversation or its lock could not be read or kept it now answers 503 and no reply, and
  the console asks the shopper to try again.
"""
from __future__ import annotations

import functools
import logging
from contextvars import ContextVar
from typing import Optional

import sqlalchemy as sa
from rasa.core.agent import Agent
from rasa.core.lock import TicketLock
from rasa.core.lock_store import InMemoryLockStore, LockError, LockStore
from rasa.core.tracker_store import (FailSafeTrackerStore, InMemoryTrackerStore, SQLTrackerStore, TrackerStore,
                                     create_engine_kwargs)
from rasa.shared.core.domain import Domain
from rasa.shared.exceptions import RasaException
from sanic import Sanic
from sanic.response import json

from . import tracker_cache
from .sqlite_tracker_settings import tune_sqlite

logger = logging.getLogger(__name__)

WEBHOOK_REFUSAL = {"error": "conversation_store_unavailable",
                   "message": "the conversation or its lock could not be read or saved; "
                              "nothing was answered, send the message again shortly"}

# The store failures met while the current webhook request was handled (None outside one).
_store_failures: ContextVar[Optional[list]] = ContextVar("store_failures", default=None)


class ConversationStoreUnavailable(RasaException):
    """The tracker store could not read or save a conversation."""


def _refuse(error: Exception) -> None:
    raise ConversationStoreUnavailable(f"the tracker store failed ({type(error).__name__})") from error


def _ping_before_use(store: SQLTrackerStore) -> None:
    engine = store.engine
    if engine.dialect.name == "sqlite":  # a file: nothing to reconnect to
        return
    # hide_parameters: a failed save logged with its statement must not carry what shoppers wrote
    store.engine = sa.create_engine(engine.url, pool_pre_ping=True, hide_parameters=True,
                                    **create_engine_kwargs(engine.url))
    store.sessionmaker = sa.orm.session.sessionmaker(bind=store.engine)
    engine.dispose()


def guarded_tracker_store(store: Optional[TrackerStore], domain: Domain) -> TrackerStore:
    """`Agent._create_tracker_store` without the silent fallbacks."""
    if store is None:
        store = InMemoryTrackerStore(domain)
    else:
        store.domain = domain
    if isinstance(store, SQLTrackerStore):
        _ping_before_use(store)
        tune_sqlite(store)
        tracker_cache.attach(store)
    return FailSafeTrackerStore(store, on_tracker_store_error=_refuse)


def _locking(operation, *args):
    try:
        return operation(*args)
    except LockError:
        raise
    except Exception as error:  # e.g. redis.exceptions.ConnectionError
        raise LockError(f"the lock store failed ({type(error).__name__})") from error


class GuardedLockStore(LockStore):
    """A lock store whose failures are `LockError`s, and whose release after a reply may fail."""

    def __init__(self, store: LockStore) -> None:
        super().__init__()
        self._store = store

    def get_lock(self, conversation_id: str) -> Optional[TicketLock]:
        return _locking(self._store.get_lock, conversation_id)

    def delete_lock(self, conversation_id: str) -> None:
        _locking(self._store.delete_lock, conversation_id)

    def save_lock(self, lock: TicketLock) -> None:
        _locking(self._store.save_lock, lock)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        try:
            super().cleanup(conversation_id, ticket_number)
        except LockError as error:
            logger.warning("could not release the lock of conversation %s; it expires after "
                           "TICKET_LOCK_LIFETIME: %s", conversation_id, error)


def guarded_lock_store(store: Optional[LockStore]) -> LockStore:
    """`Agent._create_lock_store` with failures as errors."""
    return GuardedLockStore(store if store is not None else InMemoryLockStore())


def _is_store_failure(error: Optional[BaseException]) -> bool:
    while error is not None:
        if isinstance(error, (ConversationStoreUnavailable, LockError)):
            return True
        error = error.__cause__ or error.__context__
    return False


def _noting_store_failures(handle_message):
    @functools.wraps(handle_message)
    async def handle(self, message):
        try:
            return await handle_message(self, message)
        except Exception as error:
            failures = _store_failures.get()
            if failures is not None and _is_store_failure(error):
                failures.append(error)
            raise
    handle.notes_store_failures = True
    return handle


def _refusing_on_store_failure(receive):
    @functools.wraps(receive)
    async def webhook(request, *args, **kwargs):
        failures: list = []
        token = _store_failures.set(failures)
        try:
            response = await receive(request, *args, **kwargs)
        finally:
            _store_failures.reset(token)
        return json(WEBHOOK_REFUSAL, status=503) if failures else response
    return webhook


def install() -> None:
    """Before Rasa builds its agent: the stores it creates from now on are guarded."""
    Agent._create_tracker_store = staticmethod(guarded_tracker_store)
    Agent._create_lock_store = staticmethod(guarded_lock_store)
    if not getattr(Agent.handle_message, "notes_store_failures", False):
        Agent.handle_message = _noting_store_failures(Agent.handle_message)


def refuse_webhook_replies_on_store_failure(app: Sanic) -> None:
    """An app extension: each channel's webhook answers 503 when its message met a store failure."""
    for route in app.router.routes:
        if route.path.startswith("webhooks/") and route.path.endswith("/webhook") and "POST" in route.methods:
            route.handler = _refusing_on_store_failure(route.handler)

"""What the actions share: the store (reloaded when store_config/ changes) and the clock."""
from __future__ import annotations

import datetime as dt
import functools

from actions.store import CHINA, Store, StoreCache
from helpdesk import TicketStore, database_url_from_env, open_database

_store = StoreCache()


def store() -> Store:
    return _store.get()


def now() -> dt.datetime:
    """The current time in Asia/Shanghai. Tests replace this function to fix the clock."""
    return dt.datetime.now(CHINA)


@functools.lru_cache(maxsize=1)
def tickets() -> TicketStore:
    """The helpdesk ticket store shared with the console app (HELPDESK_DB_URL, default var/helpdesk.db)."""
    return TicketStore(open_database(database_url_from_env()))

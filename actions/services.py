"""What the actions share: the store (reloaded when store_config/ changes) and the clock."""
from __future__ import annotations

import datetime as dt

from actions.store import CHINA, Store, StoreCache

_store = StoreCache()


def store() -> Store:
    return _store.get()


def now() -> dt.datetime:
    """The current time in Asia/Shanghai. Tests replace this function to fix the clock."""
    return dt.datetime.now(CHINA)

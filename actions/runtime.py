"""The action server's collaborators, built once: the live store (reloaded when store_config/
changes), the business clock and the handoff service on the helpdesk database.

rasa-sdk constructs every action without arguments when it registers them at start-up; each
action then takes these from `action_server_services()`. Tests pass their own `Services`."""
from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

from handoff import HandoffService
from helpdesk import MessageStore, TicketStore, database_url_from_env, open_database
from store import CHINA, DEFAULT_CONFIG_DIR, Store, StoreCache, china_now


@dataclass(frozen=True)
class Services:
    store: Callable[[], Store]            # the current store: call it per message
    clock: Callable[[], dt.datetime]      # business time, Asia/Shanghai
    handoff: HandoffService


def build_services(config_dir: Path = DEFAULT_CONFIG_DIR, db_url: Optional[str] = None,
                   clock: Callable[[], dt.datetime] = china_now) -> Services:
    """The store from `config_dir`, tickets in `db_url` (HELPDESK_DB_URL, default var/helpdesk.db)."""
    store = StoreCache(config_dir).get
    store()  # a broken store_config/ stops the start, with the file and key that are wrong
    db = open_database(db_url or database_url_from_env(), zone=CHINA)
    return Services(store, clock, HandoffService(TicketStore(db), MessageStore(db), store, clock))


@functools.lru_cache(maxsize=1)
def action_server_services() -> Services:
    return build_services()

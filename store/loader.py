"""The store as every process sees it: configuration, places, calendar and answers, reloaded when
the owner edits store_config/ (no restart needed)."""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path

from .config import DEFAULT_CONFIG_DIR, StoreConfig, load_store_config
from .geography import Gazetteer
from .replies import Replies
from .shipping_calendar import ShippingCalendar

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Store:
    config: StoreConfig
    places: Gazetteer
    calendar: ShippingCalendar
    replies: Replies


def load_store(config_dir: Path = DEFAULT_CONFIG_DIR) -> Store:
    places = Gazetteer.from_files(config_dir / "places.yml")
    config = load_store_config(config_dir / "store.yml", provinces=places.provinces)
    calendar = ShippingCalendar(config.shipping.statutory_holidays, config.shipping.extra_non_shipping_days)
    replies = Replies.from_file(config_dir / "replies.yml", config.store.name)
    return Store(config, places, calendar, replies)


class StoreCache:
    """Loads the store once and again whenever a file in config_dir changes. A broken edit
    keeps the last good store (and raises on the first load, so a bad config never starts)."""

    def __init__(self, config_dir: Path = DEFAULT_CONFIG_DIR) -> None:
        self._dir = config_dir
        self._lock = threading.Lock()
        self._stamp: tuple = ()
        self._store: Store | None = None

    def _files_stamp(self) -> tuple:
        return tuple((p.name, p.stat().st_mtime_ns) for p in sorted(self._dir.glob("*.yml")))

    def get(self) -> Store:
        stamp = self._files_stamp()
        if stamp != self._stamp:
            with self._lock:
                if stamp != self._stamp:
                    try:
                        self._store = load_store(self._dir)
                    except Exception:
                        if self._store is None:
                            raise
                        logger.exception("store_config edit rejected; keeping the previous one")
                    self._stamp = stamp
        assert self._store is not None
        return self._store

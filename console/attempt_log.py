"""Times of events per key, shared by every console instance: failed logins (per account, per
address) and ended sessions. Three stores behind one interface:

- `MemoryAttemptLog`: one process (tests, a single console without a shared database);
- `DatabaseAttemptLog`: a table in the helpdesk database (`console_login_attempts`, made by
  the helpdesk's migrations), what every instance already shares, SQLite or PostgreSQL;
- `RedisAttemptLog`: a sorted set per key, when REDIS_URL is set (the production profile).

`attempt_log_for` picks Redis when configured, else the database when it has the table, else
memory. A store that cannot be reached raises `AttemptLogUnavailable`: the login then refuses
(fails closed)."""
from __future__ import annotations

import secrets
import threading
from collections import deque
from typing import Optional, Protocol

from sqlalchemy import Table, delete, func, insert, select
from sqlalchemy.exc import SQLAlchemyError

from helpdesk import Database, login_attempts

MAX_KEYS = 10_000      # the memory store's bound under a spray of names or addresses
MAX_PER_KEY = 64       # more than any limit counts


class AttemptLogUnavailable(Exception):
    """The shared store did not answer."""


class AttemptLog(Protocol):
    def add(self, key: str, at: float, keep: float) -> None:
        """Record an event at `at`; it may be forgotten `keep` seconds later."""

    def since(self, key: str, start: float) -> tuple[int, float]:
        """(events at or after `start`, time of the latest; 0.0 when none)."""

    def clear(self, key: str) -> None:
        ...


class MemoryAttemptLog:
    def __init__(self) -> None:
        self._events: dict[str, deque] = {}
        self._lock = threading.Lock()   # called from worker threads (asyncio.to_thread)

    def add(self, key: str, at: float, keep: float) -> None:
        with self._lock:
            if key not in self._events and len(self._events) >= MAX_KEYS:
                self._events.pop(next(iter(self._events)))
            self._events.setdefault(key, deque(maxlen=MAX_PER_KEY)).append(at)

    def since(self, key: str, start: float) -> tuple[int, float]:
        with self._lock:
            times = self._events.get(key)
            if not times:
                return 0, 0.0
            while times and times[0] < start:
                times.popleft()
            if not times:
                del self._events[key]
                return 0, 0.0
            return len(times), times[-1]

    def clear(self, key: str) -> None:
        with self._lock:
            self._events.pop(key, None)


TABLE = login_attempts   # helpdesk/schema.py (migration 0003)


class DatabaseAttemptLog:
    def __init__(self, db: Database, table: Table = TABLE) -> None:
        self._db, self._table = db, table

    def add(self, key: str, at: float, keep: float) -> None:
        try:
            with self._db.write() as conn:
                conn.execute(delete(self._table).where(self._table.c.forget_at < at))   # old events of every key
                conn.execute(insert(self._table).values(key=key[:300], at=at, forget_at=at + keep))
        except SQLAlchemyError as err:
            raise AttemptLogUnavailable(type(err).__name__) from None

    def since(self, key: str, start: float) -> tuple[int, float]:
        try:
            with self._db.read() as conn:
                row = conn.execute(select(func.count(), func.max(self._table.c.at))
                                   .where(self._table.c.key == key[:300], self._table.c.at >= start)).first()
        except SQLAlchemyError as err:
            raise AttemptLogUnavailable(type(err).__name__) from None
        return int(row[0]), float(row[1] or 0.0)

    def clear(self, key: str) -> None:
        try:
            with self._db.write() as conn:
                conn.execute(delete(self._table).where(self._table.c.key == key[:300]))
        except SQLAlchemyError as err:
            raise AttemptLogUnavailable(type(err).__name__) from None


class RedisAttemptLog:
    PREFIX = "console:attempts:"

    def __init__(self, url: str, timeout: float = 2.0) -> None:
        import redis   # only when REDIS_URL is set
        self._errors = (redis.RedisError, OSError)
        self._redis = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)

    def add(self, key: str, at: float, keep: float) -> None:
        name = self.PREFIX + key
        try:
            with self._redis.pipeline() as pipe:
                pipe.zadd(name, {f"{at:.6f}:{secrets.token_hex(4)}": at})
                pipe.zremrangebyrank(name, 0, -MAX_PER_KEY - 1)
                pipe.expire(name, max(1, int(keep) + 1))
                pipe.execute()
        except self._errors as err:
            raise AttemptLogUnavailable(type(err).__name__) from None

    def since(self, key: str, start: float) -> tuple[int, float]:
        name = self.PREFIX + key
        try:
            with self._redis.pipeline() as pipe:
                pipe.zcount(name, start, "+inf")
                pipe.zrange(name, -1, -1, withscores=True)
                count, latest = pipe.execute()
        except self._errors as err:
            raise AttemptLogUnavailable(type(err).__name__) from None
        return (int(count), float(latest[0][1])) if count else (0, 0.0)

    def clear(self, key: str) -> None:
        try:
            self._redis.delete(self.PREFIX + key)
        except self._errors as err:
            raise AttemptLogUnavailable(type(err).__name__) from None


def attempt_log_for(redis_url: Optional[str], database: Optional[Database] = None,
                    timeout: float = 2.0) -> AttemptLog:
    """Redis when configured, else the helpdesk database every instance shares, else this
    process's memory (tests)."""
    if redis_url:
        return RedisAttemptLog(redis_url, timeout)
    if database is not None:
        return DatabaseAttemptLog(database)
    return MemoryAttemptLog()

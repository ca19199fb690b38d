"""The embedded tracker store (SQLite) set for a server's write pattern.

Rasa opens SQLite with SQLAlchemy's defaults: a new connection for every session (NullPool: a
retrieve and a save per message, each reconnecting) and the rollback journal, whose commit syncs
the file several times. Measured with Rasa's SQLTrackerStore on this machine (8-message
conversations, retrieve + save per message): 12–15 ms per message as shipped, 2.4–3.1 ms with
write-ahead logging, `synchronous=NORMAL` and pooled connections (README "Speed").

Durability: in WAL mode with synchronous=NORMAL a committed message survives a crash of Rasa or of
any process; only a power cut or an OS crash can roll back the last commits, and the database is
never corrupted (sqlite.org/wal.html). WAL also lets the owner's console read conversations while
Rasa writes. A pooled connection is used only while the path still names the file it opened (one
stat per checkout). The production profile uses PostgreSQL."""
from __future__ import annotations

import os

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore

PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA busy_timeout=5000")


def _file_id(path: str):
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_dev, stat.st_ino


def tune_sqlite(store: SQLTrackerStore) -> None:
    """Replace the store's engine by a pooled one whose connections use WAL."""
    old = store.engine
    if old.dialect.name != "sqlite" or old.url.database in (None, "", ":memory:"):
        return
    # Rasa uses its tracker store from the event loop's thread; check_same_thread=False lets the
    # pool hand a connection to another thread should Rasa ever do so.
    # hide_parameters: a failed save logged with its statement must not carry what shoppers wrote
    engine = sa.create_engine(old.url, poolclass=sa.pool.QueuePool, pool_size=2, max_overflow=8,
                              connect_args={"check_same_thread": False}, hide_parameters=True)
    path = old.url.database

    def on_connect(dbapi_connection, record) -> None:
        for pragma in PRAGMAS:
            dbapi_connection.execute(pragma)
        record.info["file"] = _file_id(path)

    def on_checkout(_dbapi_connection, record, _proxy) -> None:
        # A kept connection would go on reading and writing a file that was moved or deleted:
        # used only while the path still names its file, else reopened (and failing, if it cannot).
        if _file_id(path) != record.info.get("file"):
            raise sa.exc.DisconnectionError("the tracker database file was moved or replaced")

    sa.event.listen(engine, "connect", on_connect)
    sa.event.listen(engine, "checkout", on_checkout)
    store.engine = engine
    store.sessionmaker = sa.orm.session.sessionmaker(bind=engine)
    old.dispose()

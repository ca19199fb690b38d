"""The guarded tracker store on PostgreSQL (TEST_POSTGRES_URL; skipped without it): after a database
restart every pooled connection is dead, and stock Rasa's engine fails the next message on one of
them. The guard pings a pooled connection before use, so service resumes with the first message.
A restart is simulated by terminating every other backend of the test database; Rasa's `events`
table is dropped afterwards."""
from __future__ import annotations

import asyncio
import os

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL")
pytestmark = pytest.mark.skipif(not POSTGRES_URL, reason="set TEST_POSTGRES_URL to run the tracker store on PostgreSQL")


def _kill_other_connections() -> None:
    engine = create_engine(POSTGRES_URL)
    with engine.begin() as conn:
        conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE datname = current_database() AND pid <> pg_backend_pid()"))
    engine.dispose()


@pytest.fixture
def tracker_store():
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain

    from rasa_server_plugins.tracker_store_guard import guarded_tracker_store

    url = make_url(POSTGRES_URL)
    store = SQLTrackerStore(dialect="postgresql", host=url.host, port=url.port, db=url.database,
                            username=url.username, password=url.password)
    yield guarded_tracker_store(store, Domain.empty())
    store.engine.dispose()
    engine = create_engine(POSTGRES_URL)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS events"))
    engine.dispose()


def test_after_a_database_restart_the_first_message_is_served(tracker_store):
    from rasa.shared.core.events import UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    tracker = DialogueStateTracker.from_events("web-pg-guard", [UserUttered("寄到拉萨运费多少")])
    asyncio.run(tracker_store.save(tracker))
    assert asyncio.run(tracker_store.retrieve("web-pg-guard")) is not None  # a connection now pooled

    _kill_other_connections()
    again = asyncio.run(tracker_store.retrieve("web-pg-guard"))
    assert again is not None and again.latest_message.text == "寄到拉萨运费多少"

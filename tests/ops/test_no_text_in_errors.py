"""Logs carry ids, not what shoppers wrote: a database error logged with its statement (the
console's "could not store a shopper message", Rasa's failed tracker save) names the statement but
not its parameters, in the helpdesk's engine and in the Rasa server's tracker store engine."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.exc import IntegrityError

from helpdesk import MessageStore, open_database

MARKER = "我住在幸福路12号ZQY"


def test_a_failed_helpdesk_write_does_not_show_the_message_text(tmp_path):
    db = open_database(f"sqlite:///{tmp_path / 'helpdesk.db'}")
    with pytest.raises(IntegrityError) as failure:
        MessageStore(db).record(None, "shopper", MARKER, now=dt.datetime.now(dt.timezone.utc))
    assert "INSERT INTO helpdesk_messages" in str(failure.value) and MARKER not in str(failure.value)
    db.dispose()


def test_the_rasa_servers_tracker_engine_hides_parameters_too(tmp_path):
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa_server_plugins.sqlite_tracker_settings import tune_sqlite

    store = SQLTrackerStore(dialect="sqlite", db=str(tmp_path / "tracker.db"))
    tune_sqlite(store)
    assert store.engine.hide_parameters
    store.engine.dispose()

"""The helpdesk tests run on a SQLite file, and again on PostgreSQL when TEST_POSTGRES_URL is set
(e.g. postgresql://postgres@localhost/helpdesk_test: its helpdesk tables are dropped)."""
from __future__ import annotations

import os

import pytest

from helpdesk import MessageStore, TicketStore, open_database
from helpdesk.schema import metadata
from store import CHINA

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL")


@pytest.fixture(params=[
    "sqlite",
    pytest.param("postgresql", marks=pytest.mark.skipif(
        not POSTGRES_URL, reason="set TEST_POSTGRES_URL to run the ticket store on PostgreSQL")),
])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'helpdesk.db'}"
        return
    db = open_database(POSTGRES_URL)
    metadata.drop_all(db.engine)
    db.dispose()
    yield POSTGRES_URL
    db = open_database(POSTGRES_URL)
    metadata.drop_all(db.engine)
    db.dispose()


@pytest.fixture
def db(db_url):
    database = open_database(db_url, zone=CHINA)
    yield database
    database.dispose()


@pytest.fixture
def tickets(db):
    return TicketStore(db)


@pytest.fixture
def messages(db):
    return MessageStore(db)


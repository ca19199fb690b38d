"""make backup / make restore on the production profile's engine: both databases on PostgreSQL,
dumped with pg_dump (custom format) and restored with pg_restore into fresh databases, where
every conversation (sender ids, event counts), ticket and message is found. Runs when
TEST_POSTGRES_URL names a server whose role may create databases (scripts/ci_postgres.sh)."""
from __future__ import annotations

import asyncio
import datetime as dt
import os
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ProgrammingError

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ops_site import START, shop_day  # noqa: E402
from test_backup_restore import events_by_sender, helpdesk_rows  # noqa: E402

from helpdesk import MessageStore, TicketStore, open_database  # noqa: E402
from ops import DatabaseBusy, Site, StoredDatabase, make_backup, restore_backup  # noqa: E402
from store import CHINA  # noqa: E402

ADMIN_URL = os.environ.get("TEST_POSTGRES_URL")
pytestmark = pytest.mark.skipif(not ADMIN_URL, reason="set TEST_POSTGRES_URL (scripts/ci_postgres.sh) to run on PostgreSQL")


@pytest.fixture
def databases():
    """Four fresh databases: tracker and helpdesk, each as the source and as the restore target."""
    admin = create_engine(ADMIN_URL, future=True, isolation_level="AUTOCOMMIT")
    names = {role: f"ops_{role}_{uuid.uuid4().hex[:8]}" for role in ("tracker", "helpdesk", "tracker_to", "helpdesk_to")}
    try:
        with admin.connect() as conn:
            for name in names.values():
                conn.execute(text(f'CREATE DATABASE "{name}"'))
    except ProgrammingError as err:
        admin.dispose()
        pytest.skip(f"the role of TEST_POSTGRES_URL cannot create databases (ALTER ROLE … CREATEDB): {err.orig}")
    base = make_url(ADMIN_URL)
    yield {role: base.set(database=name).render_as_string(hide_password=False) for role, name in names.items()}
    with admin.connect() as conn:
        for name in names.values():
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def fill(urls: dict) -> None:
    from rasa.core.tracker_store import SQLTrackerStore
    from ops_site import tracker_of

    url = make_url(urls["tracker"])
    store = SQLTrackerStore(dialect="postgresql", host=url.host, port=url.port, db=url.database,
                            username=url.username, password=url.password)
    for n, (sender_id, turns) in enumerate(shop_day().items()):
        asyncio.run(store.save(tracker_of(sender_id, turns, START + dt.timedelta(minutes=n))))
    store.engine.dispose()
    db = open_database(urls["helpdesk"], zone=CHINA)
    for n in range(4):
        MessageStore(db).record(f"web-{n}", "shopper", f"到拉萨几天 #{n}", now=START)
        TicketStore(db).open_or_append(f"web-{n}", "request_human", {}, START, START)
    db.dispose()


def test_postgres_databases_are_dumped_and_restored_into_fresh_ones(tmp_path, databases):
    fill(databases)
    site = Site(tmp_path / "shop", StoredDatabase("tracker", databases["tracker"]),
                StoredDatabase("helpdesk", databases["helpdesk"]))
    result = make_backup(site, tmp_path / "b", with_secrets=False)
    assert result.manifest["databases"]["tracker"]["engine"] == "postgresql"
    assert result.manifest["databases"]["helpdesk"]["schema_revision"]          # Alembic's, when present

    holder = create_engine(databases["helpdesk_to"], future=True)
    with holder.connect():                                    # "the assistant" still connected: refused
        with pytest.raises(DatabaseBusy):
            restore_backup(result.archive, site, into=tmp_path / "r",
                           database_urls={"tracker": databases["tracker_to"], "helpdesk": databases["helpdesk_to"]})
    holder.dispose()

    done = restore_backup(result.archive, site, into=tmp_path / "r",
                          database_urls={"tracker": databases["tracker_to"], "helpdesk": databases["helpdesk_to"]})
    assert events_by_sender(databases["tracker_to"]) == events_by_sender(databases["tracker"])
    assert helpdesk_rows(databases["helpdesk_to"]) == helpdesk_rows(databases["helpdesk"])
    assert done.counts["helpdesk"]["tickets"] == 4 and done.counts["tracker"]["conversations"] == 8

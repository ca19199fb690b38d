"""Personal data (PIPL): the retention purge erases conversations older than the owner's
`privacy.retention_days` from Rasa's events, the helpdesk's messages and tickets, keeps the ones a
ticket still holds, and logs ids, never text; `forget` erases one conversation everywhere (the
owner's review decision and labelled example quoting it too) and finds nothing the second time;
the console's scheduled purge runs on one instance at a time."""
from __future__ import annotations

import asyncio
import datetime as dt
import logging
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ops_site import START, Said, build_site, save_conversations, tracker_store  # noqa: E402

from console.leases import ConversationLeases  # noqa: E402
from console.retention_job import LEASE_TABLE  # noqa: E402
from helpdesk import MessageStore, ReviewDecisions, TicketStore, open_database  # noqa: E402
from ops import PersonalData, RetentionSchedule, TrackerEvents, forget_conversation, purge_expired  # noqa: E402
from store import CHINA, ConfigError, load_store_config  # noqa: E402
from tuning import OwnerLabels, mask, message_key  # noqa: E402

MARKER = "紫色款缺货吗ZQX"     # a shopper's words: must never reach a log
NOW = START + dt.timedelta(days=200)


@pytest.fixture
def site(tmp_path):
    return build_site(tmp_path / "shop")


@pytest.fixture
def data(site):
    opened = PersonalData.open(site)
    yield opened
    opened.close()


def test_retention_days_are_the_owners_setting_with_a_checked_range(tmp_path):
    shipped = load_store_config(Path(__file__).resolve().parents[2] / "store_config" / "store.yml")
    assert shipped.privacy.retention_days == 180
    broken = tmp_path / "store.yml"
    text = (Path(__file__).resolve().parents[2] / "store_config" / "store.yml").read_text(encoding="utf8")
    broken.write_text(text.replace("retention_days: 180", "retention_days: 0"), encoding="utf8")
    with pytest.raises(ConfigError, match="privacy.retention_days"):
        load_store_config(broken)


def test_the_purge_erases_old_conversations_and_keeps_recent_and_worked_ones(site, data, caplog):
    # the shop day (8 Rasa conversations, 5 web chats, 2 with open tickets) is 200 days old by NOW
    recent = NOW - dt.timedelta(days=10)
    store = tracker_store(site.tracker.path)
    save_conversations(store, {"c-recent": [Said(MARKER, "ask_tracking", 0.9, {}, ("action_fallback",))]}, recent)
    store.engine.dispose()
    data.messages.record("web-recent", "shopper", MARKER, now=recent)
    # an old conversation whose ticket was closed recently: an agent just worked on it
    ticket, _ = data.tickets.open_or_append("web-closed-late", "request_human", {}, START, START)
    data.messages.record("web-closed-late", "shopper", MARKER, now=START)
    data.tickets.close(ticket.id, now=recent)
    data.tickets.close(data.tickets.active_for("web-3").id, now=START)       # web-1 stays open

    with caplog.at_level(logging.INFO, logger="ops"):
        report = purge_expired(data, 180, NOW, batch=3)

    assert sorted(report.erased) == sorted(["c-sure", "c-unsure-1", "c-unsure-2", "c-unsure-3", "c-fallback",
                                            "c-handoff", "c-late", "c-known", "web-0", "web-2", "web-3", "web-4"])
    assert report.kept_for_work == {"web-1", "web-closed-late"}
    assert report.totals.messages == 8 and len(report.totals.tickets) == 1
    events = TrackerEvents(site.tracker.url)
    assert events.stale_senders(NOW + dt.timedelta(days=1)) == ["c-recent"]
    events.dispose()
    assert [m.text for m in data.messages.since("web-recent")] == [MARKER]
    assert data.tickets.active_for("web-1") is not None and data.messages.since("web-1")
    assert "web-0" in caplog.text and "12 conversations" in caplog.text
    assert MARKER not in caplog.text and "拉萨" not in caplog.text

    again = purge_expired(data, 180, NOW)                   # nothing left to do: nothing done
    assert again.erased == [] and again.kept_for_work == {"web-1", "web-closed-late"}


def test_forget_erases_one_conversation_everywhere_and_a_second_run_finds_nothing(site, data, capsys):
    said = f"我的订单12345678901 {MARKER} 什么时候发"
    store = tracker_store(site.tracker.path)
    save_conversations(store, {"c-forget": [Said(said, "ask_tracking", 0.5, {}, ("action_handoff",))],
                               "c-other": [Said(said + "？", "ask_tracking", 0.5, {}, ("action_handoff",))]})
    store.engine.dispose()
    data.messages.record("c-forget", "shopper", said, now=START)
    data.tickets.open_or_append("c-forget", "request_human", {"order_id": "12345678901"}, START, START)
    labels = OwnerLabels(file=site.owner_labels)
    assert labels.label(said, "ask_tracking").outcome == "added"
    ReviewDecisions(data.db).record([message_key(mask(said).text)], "ask_tracking", labels.mask(said), [], True,
                                    "owner", START)

    erased = forget_conversation(data, "c-forget", settle=0.01)

    assert erased.events == 6 and erased.messages == 1 and len(erased.tickets) == 1
    assert erased.review_decisions == 1 and erased.owner_examples == 1
    assert TrackerEvents(site.tracker.url).shopper_texts("c-forget") == []
    assert data.messages.since("c-forget") == [] and data.tickets.active_for("c-forget") is None
    assert ReviewDecisions(data.db).list() == []
    assert MARKER not in site.owner_labels.read_text(encoding="utf8")
    assert "东西寄到乌鲁木齐两公斤要给多少邮费" in site.owner_labels.read_text(encoding="utf8")  # others' kept
    assert TrackerEvents(site.tracker.url).shopper_texts("c-other") == [said + "？"]   # another shopper's kept

    again = forget_conversation(data, "c-forget", settle=0)
    assert not again.anything


def test_the_scheduled_purge_runs_on_one_console_instance_at_a_time(site):
    db = open_database(site.helpdesk.url, zone=CHINA)
    data = PersonalData(TrackerEvents(site.tracker.url), db)
    running, overlaps = [], []

    def purge(keepalive):
        overlaps.append(len(running))
        running.append(1)
        try:
            keepalive()
            time.sleep(0.3)
            return purge_expired(data, 180, NOW, keepalive=keepalive)
        finally:
            running.pop()

    instances = [RetentionSchedule(purge, ConversationLeases(db, LEASE_TABLE, 60)) for _ in range(2)]

    async def both():
        return await asyncio.gather(*(instance.run_once() for instance in instances))

    first, second = asyncio.run(both())
    assert overlaps == [0] and [first is None, second is None].count(True) == 1
    assert len((first or second).erased) == 11      # web-1 and web-3 have open tickets
    again = asyncio.run(instances[1].run_once())         # the lease was released: the next run may purge
    assert again is not None and again.erased == []
    data.close()

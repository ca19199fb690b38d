"""The handoff service on its own: the record of what was said, the reasons and their labels,
the due time from the store as it is now, and an honest answer when nothing could be stored."""
from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from sqlalchemy import create_engine

from handoff import HandoffService, Reason, tracker_turn
from helpdesk import Database, MessageStore, TicketStore, open_database
from store import CHINA, NoQuoteAvailable, Span, load_store

WEDNESDAY_10 = dt.datetime(2026, 11, 25, 10, 0, tzinfo=CHINA)
T0 = WEDNESDAY_10.timestamp()


@pytest.fixture(scope="module")
def shipped_store():
    return load_store()


@pytest.fixture
def db(tmp_path):
    database = open_database(f"sqlite:///{tmp_path / 'helpdesk.db'}", zone=CHINA)
    yield database
    database.dispose()


@pytest.fixture
def store_now(shipped_store):
    """The store the service sees at each call; a test replaces `current[0]` as an owner's edit would."""
    return [shipped_store]


@pytest.fixture
def service(db, store_now):
    return HandoffService(TicketStore(db), MessageStore(db), lambda: store_now[0], lambda: WEDNESDAY_10)


def rest_turns(*texts: str) -> list:
    """Alternating shopper/bot turns as Rasa's tracker holds them, one second apart."""
    return [tracker_turn("shopper" if i % 2 == 0 else "bot", text, T0 + i) for i, text in enumerate(texts)]


def test_a_rest_conversation_is_recorded_from_the_tracker_once(service, db):
    service.hand_off("rest-1", Reason.REQUEST_HUMAN, {"province": "新疆"}, rest_turns("运费多少", "亲，18元", "转人工"))
    later = rest_turns("运费多少", "亲，18元", "转人工", "已为您转人工…", "还有发票的问题")
    result = service.hand_off("rest-1", Reason.INVOICE_MANAGER, {}, later)
    record = MessageStore(db).since("rest-1")
    assert [m.text for m in record] == ["运费多少", "亲，18元", "转人工", "已为您转人工…", "还有发票的问题"]
    assert [m.sender for m in record][:3] == ["shopper", "bot", "shopper"]
    assert not result.created and result.ticket.reasons == ["request_human", "invoice_manager"]
    assert result.ticket.facts == {"province": "新疆"}


def test_a_web_chat_conversation_is_not_copied_twice(service, db):
    messages = MessageStore(db)
    messages.append("web-1", "shopper", "转人工", client_msg_id="browser-1", now=WEDNESDAY_10)
    service.hand_off("web-1", Reason.REQUEST_HUMAN, {}, rest_turns("转人工"))
    assert [m.text for m in messages.since("web-1")] == ["转人工"]


def test_the_due_time_follows_the_store_as_it_is_now(service, store_now, shipped_store):
    first = service.hand_off("c1", Reason.COMPLAINT)
    assert first.ticket.due_at == WEDNESDAY_10 + dt.timedelta(hours=4, minutes=30)
    handoff = shipped_store.config.handoff.copy(update={"working_hours": Span(start="09:00", end="12:00")})
    store_now[0] = dataclasses.replace(shipped_store, config=shipped_store.config.copy(update={"handoff": handoff}))
    second = service.hand_off("c2", Reason.COMPLAINT)
    assert second.ticket.due_at == WEDNESDAY_10 + dt.timedelta(hours=1, minutes=30)


def test_the_shopper_is_told_the_owners_text_with_number_and_due_time(service, shipped_store):
    new = service.hand_off("c1", Reason.REQUEST_HUMAN)
    again = service.hand_off("c1", Reason.COMPLAINT)
    assert new.created and not again.created
    assert new.text == shipped_store.replies.render("handoff_ticket", ticket=new.ticket.number, due="今天14:30前")[0]
    assert again.text == shipped_store.replies.render("handoff_ticket_updated", ticket=new.ticket.number,
                                                      due="今天14:30前")[0]


def test_bot_unavailable_keeps_the_web_chats_wording(service):
    result = service.hand_off("web-2", Reason.BOT_UNAVAILABLE)
    assert result.text.startswith("抱歉，智能助手暂时无法回复。您的消息已经保存，已为您转人工客服，工单号 ")
    assert "客服会在今天14:30前回复您" in result.text


def test_when_nothing_can_be_stored_no_ticket_number_is_given(shipped_store):
    gone = Database(create_engine("sqlite:////nonexistent/dir/helpdesk.db"), CHINA)  # the disk is gone
    service = HandoffService(TicketStore(gone), MessageStore(gone), lambda: shipped_store, lambda: WEDNESDAY_10)
    for reason, answer in ((Reason.REQUEST_HUMAN, "handoff_contact"), (Reason.BOT_UNAVAILABLE, "bot_unavailable_failed")):
        result = service.hand_off("c1", reason, {}, rest_turns("转人工"))
        assert result.ticket is None
        assert result.text == shipped_store.replies.render(answer)[0] == service.failure_text(reason)
        assert "工单" not in result.text


def test_every_reason_has_a_label_and_every_unpriced_case_a_reason():
    assert all(reason.label and reason.label != reason.value for reason in Reason)
    for case in (NoQuoteAvailable.EMS_UNPRICED, NoQuoteAvailable.CONTINUED_UNPRICED, NoQuoteAvailable.TOO_HEAVY):
        assert Reason.for_quote(case).value == f"quote_{case}"
    assert Reason.label_of("something_older") == "something_older"

"""Ticket store rules: one not-closed ticket per conversation, nothing lost, numbers unique."""
from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import pytest

from store import CHINA
from helpdesk import TicketClosed, TicketNotFound, TicketStore, open_database

NOON = dt.datetime(2026, 11, 25, 12, 0, tzinfo=CHINA)
HOUR = dt.timedelta(hours=1)


def test_a_handoff_opens_a_ticket_with_what_the_bot_knew(tickets):
    ticket, created = tickets.open_or_append("c1", "request_human",
                                             {"province": "新疆", "weight": "2公斤"}, NOON, NOON + 3 * HOUR)
    assert created
    assert ticket.status == "open"
    assert ticket.number == "20261125-0001"
    assert ticket.reasons == ["request_human"]
    assert ticket.conversation_id == "c1", "what was said is the conversation's message record"
    assert ticket.facts == {"province": "新疆", "weight": "2公斤"}
    assert (ticket.created_at, ticket.due_at, ticket.updated_at) == (NOON, NOON + 3 * HOUR, NOON)


def test_times_come_back_aware_in_the_business_time_zone(tickets):
    utc_noon = NOON.astimezone(dt.timezone.utc)
    ticket, _ = tickets.open_or_append("c1", "complain", {}, utc_noon, utc_noon + HOUR)
    assert ticket.created_at == NOON and ticket.created_at.utcoffset() == dt.timedelta(hours=8)


def test_naive_times_are_refused(tickets):
    with pytest.raises(ValueError, match="aware"):
        tickets.open_or_append("c1", "complain", {}, NOON.replace(tzinfo=None), NOON + HOUR)


def test_asking_again_adds_to_the_open_ticket(tickets):
    first, _ = tickets.open_or_append("c1", "request_human", {"province": "新疆"},
                                      NOON, NOON + 3 * HOUR)
    later = NOON + HOUR
    second, created = tickets.open_or_append("c1", "return_goods", {"question": "退货", "province": None},
                                             later, later + 3 * HOUR)
    assert not created
    assert second.number == first.number and second.id == first.id
    assert second.reasons == ["request_human", "return_goods"]
    assert second.facts == {"province": "新疆", "question": "退货"}
    assert second.due_at == first.due_at, "an open ticket keeps its earlier due time"
    assert second.updated_at == later
    assert len(tickets.list_active()) == 1


def test_the_same_reason_is_kept_once(tickets):
    for _ in range(3):
        tickets.open_or_append("c1", "bot_unavailable", {}, NOON, NOON + HOUR)
    assert tickets.list_active()[0].reasons == ["bot_unavailable"]


def test_an_answered_ticket_opens_again_with_the_new_due_time(tickets):
    ticket, _ = tickets.open_or_append("c1", "request_human", {}, NOON, NOON + HOUR)
    tickets.answer(ticket.id, "xiaomei", "您好，已为您查询", NOON + HOUR)
    assert tickets.get(ticket.id).status == "answered"
    again, created = tickets.open_or_append("c1", "complain", {}, NOON + 2 * HOUR, NOON + 5 * HOUR)
    assert not created and again.number == ticket.number
    assert (again.status, again.due_at) == ("open", NOON + 5 * HOUR)


def test_after_closing_a_new_ticket_gets_a_new_number(tickets):
    first, _ = tickets.open_or_append("c1", "request_human", {}, NOON, NOON + HOUR)
    closed = tickets.close(first.id, NOON + HOUR)
    assert closed.status == "closed" and closed.updated_at == NOON + HOUR
    assert tickets.list_active() == []
    second, created = tickets.open_or_append("c1", "request_human", {}, NOON + 2 * HOUR, NOON + 3 * HOUR)
    assert created and second.number == "20261125-0002"
    assert tickets.get(first.id).status == "closed"


def test_closing_twice_is_harmless(tickets):
    ticket, _ = tickets.open_or_append("c1", "request_human", {}, NOON, NOON + HOUR)
    tickets.close(ticket.id, NOON + HOUR)
    assert tickets.close(ticket.id, NOON + 2 * HOUR).updated_at == NOON + HOUR


def test_numbers_count_per_day_in_china_time(tickets):
    late = dt.datetime(2026, 11, 25, 23, 59, tzinfo=NOON.tzinfo)
    numbers = [tickets.open_or_append(f"c{i}", "request_human", {}, at, at + HOUR)[0].number
               for i, at in enumerate([late, late, late + dt.timedelta(minutes=2)])]
    assert numbers == ["20261125-0001", "20261125-0002", "20261126-0001"]


def test_numbers_stay_unique_when_two_processes_open_tickets_at_once(db_url):
    """Two stores on two engines, like the console app and the action server."""
    stores = [TicketStore(open_database(db_url, zone=CHINA)) for _ in range(2)]

    def open_some(k):
        return [stores[k % 2].open_or_append(f"c{k}-{i}", "request_human", {}, NOON, NOON + HOUR)[0].number
                for i in range(10)]

    with ThreadPoolExecutor(4) as pool:
        numbers = [n for chunk in pool.map(open_some, range(4)) for n in chunk]
    assert len(numbers) == len(set(numbers)) == 40


def test_one_conversation_racing_itself_still_has_one_ticket(db_url):
    stores = [TicketStore(open_database(db_url, zone=CHINA)) for _ in range(2)]
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(
            lambda k: stores[k % 2].open_or_append("c1", f"reason{k}", {}, NOON, NOON + HOUR)[0], range(8)))
    assert len({t.number for t in results}) == 1
    assert sorted(stores[0].get(results[0].id).reasons) == sorted(f"reason{k}" for k in range(8))


def test_a_ticket_is_committed_before_it_is_returned(db_url, tickets):
    ticket, _ = tickets.open_or_append("c1", "request_human", {}, NOON, NOON + HOUR)
    elsewhere = TicketStore(open_database(db_url, zone=CHINA))  # a fresh connection, as another process would
    assert elsewhere.get(ticket.id).number == ticket.number


def test_active_tickets_come_by_due_time(tickets):
    for conv, due_hours in [("late", 5), ("soon", 1), ("middle", 3)]:
        tickets.open_or_append(conv, "request_human", {}, NOON, NOON + due_hours * HOUR)
    closed, _ = tickets.open_or_append("closed", "request_human", {}, NOON, NOON)
    tickets.close(closed.id, NOON)
    assert [t.conversation_id for t in tickets.list_active()] == ["soon", "middle", "late"]
    assert tickets.active_for("middle").due_at == NOON + 3 * HOUR
    assert tickets.active_for("closed") is None


def test_overdue_means_open_and_past_due(tickets):
    ticket, _ = tickets.open_or_append("c1", "request_human", {}, NOON, NOON + HOUR)
    assert not ticket.is_overdue(NOON + HOUR)
    assert ticket.is_overdue(NOON + HOUR + dt.timedelta(seconds=1))
    tickets.answer(ticket.id, "xiaomei", "好的", NOON)
    assert not tickets.get(ticket.id).is_overdue(NOON + 2 * HOUR)


def test_an_answer_reaches_the_conversation_and_waits_for_rasa(tickets, messages):
    ticket, _ = tickets.open_or_append("c1", "request_human", {}, NOON, NOON + HOUR)
    reply = tickets.answer(ticket.id, "xiaomei", "您好，运费18元", NOON + HOUR)
    assert (reply.sender, reply.text, reply.author, reply.pending_sync) == ("agent", "您好，运费18元", "xiaomei", True)
    assert messages.since("c1") == [reply]
    assert tickets.get(ticket.id).status == "answered"
    assert messages.pending_sync() == [reply]
    messages.mark_synced(reply.id)
    assert messages.pending_sync() == []


def test_a_closed_ticket_takes_no_answer(tickets):
    ticket, _ = tickets.open_or_append("c1", "request_human", {}, NOON, NOON + HOUR)
    tickets.close(ticket.id, NOON)
    with pytest.raises(TicketClosed):
        tickets.answer(ticket.id, "xiaomei", "迟到的回复", NOON)


def test_an_empty_answer_is_refused(tickets):
    ticket, _ = tickets.open_or_append("c1", "request_human", {}, NOON, NOON + HOUR)
    with pytest.raises(ValueError):
        tickets.answer(ticket.id, "xiaomei", "   ", NOON)


def test_unknown_ticket(tickets):
    with pytest.raises(TicketNotFound):
        tickets.get(999)


def test_numbers_count_days_of_the_business_zone_whatever_zone_now_comes_in(tickets):
    utc_late = dt.datetime(2026, 11, 25, 16, 30, tzinfo=dt.timezone.utc)  # 00:30 on the 26th in China
    ticket, _ = tickets.open_or_append("c1", "request_human", {}, utc_late, utc_late + HOUR)
    assert ticket.number == "20261126-0001"


def test_ticket_timings_give_the_first_agent_reply_and_lateness(tickets, messages):
    import datetime as dt
    from store import CHINA
    opened = dt.datetime(2026, 11, 25, 10, 0, tzinfo=CHINA)
    due = opened + dt.timedelta(hours=4, minutes=30)
    first = tickets.open_or_append("c1", "request_human", {}, opened, due)[0]
    tickets.open_or_append("c2", "request_human", {}, opened + dt.timedelta(minutes=1), due)
    messages.record("c1", "agent", "早些时候的回复不算", now=opened - dt.timedelta(hours=1))
    tickets.answer(first.id, "xiaomei", "您好", opened + dt.timedelta(hours=1))
    tickets.answer(first.id, "xiaomei", "还有", opened + dt.timedelta(hours=2))
    one, two = tickets.timings(opened - dt.timedelta(days=1))
    assert one.first_reply_at == opened + dt.timedelta(hours=1) and not one.late(opened + dt.timedelta(days=1))
    assert two.first_reply_at is None and two.late(due + dt.timedelta(minutes=1)) and not two.late(due)
    assert tickets.timings(opened + dt.timedelta(hours=1)) == []


def test_an_id_no_database_row_can_have_is_not_found_without_reaching_sql(tickets):
    for ticket_id in (0, -1, 2**31, 2**63, 10**30):
        with pytest.raises(TicketNotFound):
            tickets.get(ticket_id)
        with pytest.raises(TicketNotFound):
            tickets.close(ticket_id, NOON)

"""The clock jumping across midnight into National Day 2026 (10月1日–7日, no shipping, no working
hours) and back, on the parts that read it, each with the clock it is given (the real processes
under libfaketime: tests/faults/test_clock_jumps_live.py):

- ship dates and due times follow the policy for the time the clock says, before and after a jump
  (store-policy §4: before 16:00 ships the same shipping day; §7: half a working day);
- ticket numbers count the business day the clock says, and a jump back never reuses a number;
- answer leases: a backward jump does not keep a dead console's lease alive for the length of the
  jump, and a forward jump does not let two consoles answer the same message.
"""
from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from console.chat.answer_lease import AnswerLeases
from console.leases import ConversationLeases
from handoff import HandoffService, Reason
from helpdesk import MessageStore, TicketStore, open_database
from store import CHINA, estimate_arrival, load_store, reply_due


def at(month: int, day: int, hour: int, minute: int, second: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, second, tzinfo=CHINA)


NATIONAL_DAY_OVER = dt.date(2026, 10, 8)


@pytest.fixture(scope="module")
def store():
    return load_store()


@pytest.fixture
def db(tmp_path):
    database = open_database(f"sqlite:///{tmp_path / 'helpdesk.db'}", zone=CHINA)
    yield database
    database.dispose()


# Each step is where the clock is after a jump (forward, then back) and the ship day it must give.
SHIP_DAYS = [
    (at(9, 29, 23, 59), dt.date(2026, 9, 30)),   # after the cut-off: the next day
    (at(9, 30, 0, 1), dt.date(2026, 9, 30)),     # across midnight: today, before the cut-off
    (at(9, 30, 15, 59), dt.date(2026, 9, 30)),
    (at(9, 30, 16, 1), NATIONAL_DAY_OVER),       # past the cut-off on the eve of National Day
    (at(9, 30, 23, 59), NATIONAL_DAY_OVER),
    (at(10, 1, 0, 1), NATIONAL_DAY_OVER),        # forward into the holiday
    (at(9, 30, 23, 59, 30), NATIONAL_DAY_OVER),  # and back out of it
    (at(9, 30, 15, 0), dt.date(2026, 9, 30)),    # back before the cut-off: today again
]


def test_ship_days_and_due_times_follow_the_clock_across_midnight_into_national_day(store):
    shipping, hours = store.config.shipping, store.config.handoff
    for now, ship_day in SHIP_DAYS:
        estimate = estimate_arrival(now, store.calendar, shipping.cutoff, shipping.arrival_days)
        assert estimate.ship_date == ship_day, now
        assert estimate.earliest == ship_day + dt.timedelta(days=shipping.arrival_days[0])
    for now in (at(9, 30, 23, 59), at(10, 1, 0, 1), at(9, 30, 23, 59, 30)):
        due = reply_due(now, store.calendar, hours.working_hours, hours.lunch_break,
                        hours.reply_within_working_fraction)
        assert due == dt.datetime.combine(NATIONAL_DAY_OVER, dt.time(13, 30), CHINA), now


def test_ticket_numbers_follow_the_business_day_and_a_jump_back_reuses_none(db, store):
    now = [at(9, 30, 23, 59)]
    handoff = HandoffService(TicketStore(db), MessageStore(db), lambda: store, lambda: now[0])
    numbers = []
    for conversation, when in (("a", at(9, 30, 23, 59)), ("b", at(10, 1, 0, 1)), ("c", at(9, 30, 23, 59, 30)),
                               ("d", at(10, 1, 0, 2))):
        now[0] = when
        result = handoff.hand_off(conversation, Reason.REQUEST_HUMAN)
        assert result.ticket.created_at == when and "10月8日13:30前" in result.text, result.text
        numbers.append(result.ticket.number)
    assert numbers == ["20260930-0001", "20261001-0001", "20260930-0002", "20261001-0002"]


class WallClock:
    """The wall clock every console instance reads (time.time in production); tests jump it."""

    def __init__(self, start: float) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


LEASE = 10.0


def two_consoles(db, clock: WallClock) -> tuple[ConversationLeases, ConversationLeases]:
    return (ConversationLeases(db, "console_answer_leases", LEASE, clock),
            ConversationLeases(db, "console_answer_leases", LEASE, clock))


def test_a_backward_jump_does_not_keep_a_dead_consoles_lease_alive(db):
    clock = WallClock(at(10, 1, 0, 1).timestamp())
    dead, alive = two_consoles(db, clock)
    assert dead.take("web-1").granted  # then that console is killed
    clock.now -= 3600                  # the wall clock is stepped back an hour
    claim = alive.take("web-1")
    assert claim.granted and claim.taken_over, "not stuck for the hour the clock went back"
    assert not dead.extend("web-1")


def test_a_lease_taken_after_a_backward_jump_still_counts(db):
    clock = WallClock(at(10, 1, 0, 1).timestamp())
    first, second = two_consoles(db, clock)
    clock.now -= 3600
    assert first.take("web-2").granted
    assert not second.take("web-2").granted and second.held_by_another("web-2")
    clock.now += LEASE + 1
    assert second.take("web-2").taken_over


def test_a_forward_jump_does_not_let_two_consoles_answer(db):
    clock = WallClock(at(9, 30, 23, 59).timestamp())
    first, second = two_consoles(db, clock)

    async def run():
        held = await AnswerLeases(first).take("web-3")     # the first console is answering
        assert await held.still_ours()
        clock.now += 3600                                   # stepped forward: the lease looks run out
        assert (await AnswerLeases(second).take("web-3")).taken_over
        assert not await held.still_ours(), "the first console must not store its answer too"

    asyncio.run(run())


def test_after_a_backward_jump_the_holder_asks_the_database_and_keeps_its_lease(db):
    clock = WallClock(at(10, 1, 0, 1).timestamp())
    first, second = two_consoles(db, clock)

    async def run():
        held = await AnswerLeases(first).take("web-4")
        clock.now -= 3600
        assert await held.still_ours(), "still its own: extended on the clock as it is now"
        assert not second.take("web-4").granted

    asyncio.run(run())

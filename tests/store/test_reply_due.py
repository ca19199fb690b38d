"""A handed-off request is answered within half a working day, counted inside working hours
only (store-policy §7, §9): 09:00–18:00 every day except non-shipping days, no lunch break."""
from __future__ import annotations

import datetime as dt

import pytest

from store import CHINA, describe_due, reply_due
from store import Span
from store import working_minutes_per_day
from policy_tables import WORKING_HOURS

HOURS = Span(start="09:00", end="18:00")
LUNCH = Span(start="12:00", end="13:30")


def china(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=CHINA)


def test_the_configured_working_hours_are_the_policys(config):
    hours = config.handoff
    assert (hours.working_hours.start, hours.working_hours.end) == WORKING_HOURS
    assert hours.lunch_break is None
    assert hours.reply_within_working_fraction == 0.5


@pytest.mark.parametrize("created, due", [
    pytest.param(china(2026, 11, 25, 17, 30), china(2026, 11, 26, 13, 0), id="17:30-次日13:00"),
    pytest.param(china(2026, 11, 25, 9, 0), china(2026, 11, 25, 13, 30), id="09:00-当天13:30"),
    pytest.param(china(2026, 11, 25, 13, 30), china(2026, 11, 25, 18, 0), id="13:30-当天18:00"),
    pytest.param(china(2026, 11, 25, 13, 31), china(2026, 11, 26, 9, 1), id="13:31-次日09:01"),
    pytest.param(china(2026, 11, 25, 18, 0), china(2026, 11, 26, 13, 30), id="18:00整-次日13:30"),
    pytest.param(china(2026, 11, 25, 8, 0), china(2026, 11, 25, 13, 30), id="08:00上班前-当天13:30"),
    pytest.param(china(2026, 11, 28, 17, 30), china(2026, 11, 29, 13, 0), id="周六17:30-周日照常上班"),
    pytest.param(china(2026, 10, 3, 10, 0), china(2026, 10, 8, 13, 30), id="国庆期间-节后13:30"),
    pytest.param(china(2026, 9, 30, 17, 30), china(2026, 10, 8, 13, 0), id="节前17:30-节后13:00"),
    pytest.param(dt.datetime(2026, 11, 25, 9, 30, tzinfo=dt.timezone.utc), china(2026, 11, 26, 13, 0),
                 id="UTC09:30=北京17:30"),
])
def test_reply_is_due_half_a_working_day_later_counting_working_hours_only(calendar, created, due):
    assert reply_due(created, calendar, HOURS) == due


@pytest.mark.parametrize("created, due", [
    pytest.param(china(2026, 11, 25, 9, 0), china(2026, 11, 25, 14, 15), id="09:00-午休后14:15"),
    pytest.param(china(2026, 11, 25, 12, 30), china(2026, 11, 25, 17, 15), id="午休中12:30-从13:30算"),
    pytest.param(china(2026, 11, 25, 17, 30), china(2026, 11, 26, 13, 45), id="17:30-次日13:45"),
    pytest.param(china(2026, 11, 25, 11, 0), china(2026, 11, 25, 16, 15), id="11:00-跨午休16:15"),
])
def test_lunch_break_is_not_working_time(calendar, created, due):
    assert working_minutes_per_day(HOURS, LUNCH) == 450
    assert reply_due(created, calendar, HOURS, LUNCH) == due


def test_naive_creation_time_is_rejected(calendar):
    with pytest.raises(ValueError):
        reply_due(dt.datetime(2026, 11, 25, 10, 0), calendar, HOURS)


def test_reply_due_uses_the_shipped_config(config, calendar):
    handoff = config.handoff
    due = reply_due(china(2026, 11, 25, 17, 30), calendar, handoff.working_hours, handoff.lunch_break,
                    handoff.reply_within_working_fraction)
    assert due == china(2026, 11, 26, 13, 0)


NOW = china(2026, 11, 25, 17, 30)


@pytest.mark.parametrize("due, text", [
    pytest.param(china(2026, 11, 25, 18, 0), "今天18:00前", id="今天"),
    pytest.param(china(2026, 11, 26, 13, 0), "明天13:00前", id="明天"),
    pytest.param(china(2026, 11, 27, 9, 30), "后天09:30前", id="后天"),
    pytest.param(china(2026, 12, 3, 10, 30), "12月3日10:30前", id="日期"),
    pytest.param(dt.datetime(2026, 11, 26, 5, 0, tzinfo=dt.timezone.utc), "明天13:00前", id="UTC转北京时间"),
])
def test_due_time_is_described_in_china_time(due, text):
    assert describe_due(due, NOW) == text


def test_due_after_a_holiday_is_described_by_date(calendar):
    created = china(2026, 9, 30, 17, 30)
    assert describe_due(reply_due(created, calendar, HOURS), created) == "10月8日13:00前"


@pytest.mark.parametrize("due", [NOW, NOW - dt.timedelta(minutes=1)], ids=["正到期", "已超时"])
def test_a_due_time_already_passed_is_described_as_soon_as_possible(due):
    assert describe_due(due, NOW) == "尽快"

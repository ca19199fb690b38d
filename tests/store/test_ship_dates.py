"""When an order ships and roughly when it arrives (store-policy §4, §9): before 16:00 China
time ships the same day, at or after 16:00:00 the next shipping day; weekends ship, statutory
holidays and the owner's extra days do not; arrival 2–3 days after shipping, +1–3 for the
15元 and 18元 zones."""
from __future__ import annotations

import datetime as dt
import shutil
from zoneinfo import ZoneInfo

import pytest

from store import (CHINA, DEFAULT_CONFIG_DIR, ArrivalVerdict, ShippingCalendar, arrival_verdict, estimate_arrival,
                   format_day, load_store, parse_target_date, ship_date)
from policy_tables import ALL_REGIONS, ARRIVAL_DAYS, CUTOFF, REMOTE, REMOTE_EXTRA_DAYS

UTC = dt.timezone.utc
D = dt.date


def china(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=CHINA)


def test_the_configured_cutoff_and_arrival_window_are_the_policys(config):
    assert config.shipping.cutoff == CUTOFF
    assert tuple(config.shipping.arrival_days) == ARRIVAL_DAYS
    assert config.shipping.statutory_holidays is True


@pytest.mark.parametrize("order_time, ships", [
    pytest.param(china(2026, 11, 25, 15, 59, 59), D(2026, 11, 25), id="周三15:59:59-当天"),
    pytest.param(china(2026, 11, 25, 16, 0, 0), D(2026, 11, 26), id="周三16:00:00-次日"),
    pytest.param(china(2026, 11, 25, 0, 0, 0), D(2026, 11, 25), id="周三0点-当天"),
    pytest.param(china(2026, 11, 25, 23, 59, 59), D(2026, 11, 26), id="周三深夜-次日"),
    pytest.param(china(2026, 11, 28, 10, 0), D(2026, 11, 28), id="周六-周末照常发货"),
    pytest.param(china(2026, 11, 29, 16, 30), D(2026, 11, 30), id="周日16:30-周一"),
    pytest.param(china(2026, 10, 3, 10, 0), D(2026, 10, 8), id="国庆10月3日-节后第一天"),
    pytest.param(china(2026, 10, 1, 9, 0), D(2026, 10, 8), id="国庆10月1日上午-节后第一天"),
    pytest.param(china(2026, 10, 7, 15, 0), D(2026, 10, 8), id="国庆最后一天-节后第一天"),
    pytest.param(china(2026, 9, 30, 15, 59), D(2026, 9, 30), id="节前一天15:59-当天"),
    pytest.param(china(2026, 9, 30, 16, 0), D(2026, 10, 8), id="节前一天16:00-节后"),
    pytest.param(china(2026, 10, 10, 10, 0), D(2026, 10, 10), id="调休上班的周六-当天"),
    pytest.param(china(2026, 9, 20, 10, 0), D(2026, 9, 20), id="调休上班的周日-当天"),
    pytest.param(china(2026, 2, 14, 16, 0), D(2026, 2, 24), id="春节前调休日16:00-节后"),
    pytest.param(china(2026, 9, 24, 16, 0), D(2026, 9, 28), id="中秋前16:00-节后"),
])
def test_order_ships_today_before_four_pm_on_a_shipping_day_else_the_next_one(calendar, order_time, ships):
    assert ship_date(order_time, calendar, CUTOFF) == ships


@pytest.mark.parametrize("order_time, ships", [
    pytest.param(dt.datetime(2026, 11, 25, 7, 59, 59, tzinfo=UTC), D(2026, 11, 25), id="UTC07:59:59=北京15:59:59"),
    pytest.param(dt.datetime(2026, 11, 25, 8, 0, 0, tzinfo=UTC), D(2026, 11, 26), id="UTC08:00=北京16:00"),
    pytest.param(dt.datetime(2026, 11, 24, 20, 0, tzinfo=UTC), D(2026, 11, 25), id="UTC前一天20:00=北京次日4:00"),
    pytest.param(dt.datetime(2026, 11, 25, 2, 59, tzinfo=ZoneInfo("America/New_York")), D(2026, 11, 25),
                 id="纽约02:59=北京15:59"),
    pytest.param(dt.datetime(2026, 9, 30, 8, 30, tzinfo=UTC), D(2026, 10, 8), id="UTC08:30节前=北京16:30"),
])
def test_aware_time_in_another_zone_is_converted_to_china_time(calendar, order_time, ships):
    assert ship_date(order_time, calendar, CUTOFF) == ships


def test_naive_order_time_is_rejected(calendar):
    with pytest.raises(ValueError):
        ship_date(dt.datetime(2026, 11, 25, 10, 0), calendar, CUTOFF)


def test_year_without_holiday_data_ships_as_usual_and_does_not_crash(calendar):
    """chinesecalendar 1.11 knows holidays up to 2026; 2027 is the owner's to list."""
    assert ship_date(china(2026, 12, 31, 16, 1), calendar, CUTOFF) == D(2027, 1, 1)
    assert ship_date(china(2027, 2, 6, 10, 0), calendar, CUTOFF) == D(2027, 2, 6)


def test_owner_extra_days_cover_years_the_holiday_calendar_does_not_know():
    calendar = ShippingCalendar(True, [D(2027, 1, 1), D(2027, 1, 2), D(2027, 1, 3)])
    assert ship_date(china(2026, 12, 31, 16, 1), calendar, CUTOFF) == D(2027, 1, 4)


def test_owner_extra_day_in_an_ordinary_week_is_skipped():
    calendar = ShippingCalendar(True, [D(2026, 11, 26)])
    assert ship_date(china(2026, 11, 25, 16, 0), calendar, CUTOFF) == D(2026, 11, 27)
    assert ship_date(china(2026, 11, 26, 9, 0), calendar, CUTOFF) == D(2026, 11, 27)


def test_extra_days_from_store_yml_reach_the_calendar(write_store_yml):
    path = write_store_yml(lambda raw: raw["shipping"].__setitem__("extra_non_shipping_days", ["2027-01-01"]))
    for other in ("places.yml", "replies.yml"):
        shutil.copy(DEFAULT_CONFIG_DIR / other, path.parent / other)
    store = load_store(path.parent)
    assert ship_date(china(2026, 12, 31, 16, 1), store.calendar, store.config.shipping.cutoff) == D(2027, 1, 2)


def test_without_statutory_holidays_the_national_day_ships():
    assert ship_date(china(2026, 10, 2, 10, 0), ShippingCalendar(False), CUTOFF) == D(2026, 10, 2)


# ── arrival ──────────────────────────────────────────────────────────────────

@pytest.mark.parametrize("province", [
    pytest.param(p, id=f"{p}-{'偏远+1–3天' if p in REMOTE else '2–3天'}") for p in ALL_REGIONS
])
def test_arrival_is_two_to_three_days_after_shipping_plus_one_to_three_for_remote_zones(config, calendar, province):
    zone = config.zone_of(province)
    extra = zone.arrival_extra_days if zone else (0, 0)
    est = estimate_arrival(china(2026, 11, 25, 10, 0), calendar, config.shipping.cutoff,
                           config.shipping.arrival_days, extra)
    low, high = ARRIVAL_DAYS
    if province in REMOTE:
        low, high = low + REMOTE_EXTRA_DAYS[0], high + REMOTE_EXTRA_DAYS[1]
    assert est.ship_date == D(2026, 11, 25)
    assert ((est.earliest - est.ship_date).days, (est.latest - est.ship_date).days) == (low, high)
    assert est.remote == (province in REMOTE)


def test_arrival_counts_calendar_days_from_the_ship_date_across_a_holiday(calendar):
    est = estimate_arrival(china(2026, 9, 30, 16, 0), calendar, CUTOFF, ARRIVAL_DAYS)
    assert (est.ship_date, est.earliest, est.latest) == (D(2026, 10, 8), D(2026, 10, 10), D(2026, 10, 11))


# ── "周五前能到吗": the day a shopper asks about ─────────────────────────────

WEDNESDAY = D(2026, 11, 25)


@pytest.mark.parametrize("text, today, target", [
    pytest.param("周五前能到吗", WEDNESDAY, D(2026, 11, 27), id="周三问周五"),
    pytest.param("星期五能到吗", WEDNESDAY, D(2026, 11, 27), id="星期五"),
    pytest.param("礼拜五", WEDNESDAY, D(2026, 11, 27), id="礼拜五"),
    pytest.param("下周一能到吗", WEDNESDAY, D(2026, 11, 30), id="下周一"),
    pytest.param("下周五", WEDNESDAY, D(2026, 12, 4), id="下周五"),
    pytest.param("星期天能到吗", WEDNESDAY, D(2026, 11, 29), id="星期天"),
    pytest.param("周日", WEDNESDAY, D(2026, 11, 29), id="周日"),
    pytest.param("周三", WEDNESDAY, WEDNESDAY, id="周三问周三-今天"),
    pytest.param("明天能到吗", WEDNESDAY, D(2026, 11, 26), id="明天"),
    pytest.param("后天能到吗", WEDNESDAY, D(2026, 11, 27), id="后天"),
    pytest.param("大后天", WEDNESDAY, D(2026, 11, 28), id="大后天"),
    pytest.param("12月3号能到吗", WEDNESDAY, D(2026, 12, 3), id="12月3号"),
    pytest.param("12月3日", WEDNESDAY, D(2026, 12, 3), id="12月3日"),
    pytest.param("3号能到吗", WEDNESDAY, D(2026, 12, 3), id="3号-已过则下个月"),
    pytest.param("28号", WEDNESDAY, D(2026, 11, 28), id="28号-本月"),
    pytest.param("3号", D(2026, 12, 25), D(2027, 1, 3), id="12月底问3号-跨年"),
    pytest.param("1月2号", D(2026, 12, 25), D(2027, 1, 2), id="12月底问1月2号-跨年"),
    pytest.param("週五", WEDNESDAY, D(2026, 11, 27), id="繁体-週五"),
])
def test_target_day_is_read_from_the_question(text, today, target):
    assert parse_target_date(text, today) == target


@pytest.mark.parametrize("text", ["能到吗", "几天到", "", "😀"])
def test_question_without_a_day_has_no_target(text):
    assert parse_target_date(text, WEDNESDAY) is None


def test_target_is_the_arrival_day_not_the_order_day():
    assert parse_target_date("今天下单明天能到吗", WEDNESDAY) == D(2026, 11, 26)


@pytest.mark.parametrize("day, text", [
    pytest.param(WEDNESDAY, "今天（周三）", id="今天"),
    pytest.param(D(2026, 11, 26), "明天（周四）", id="明天"),
    pytest.param(D(2026, 11, 27), "后天（周五）", id="后天"),
    pytest.param(D(2026, 12, 3), "12月3日（周四）", id="日期"),
])
def test_day_is_described_relative_to_today_with_its_weekday(day, text):
    assert format_day(day, WEDNESDAY) == text


@pytest.mark.parametrize("target, verdict", [
    pytest.param(D(2026, 11, 28), ArrivalVerdict.LIKELY, id="最晚那天也赶得上"),
    pytest.param(D(2026, 11, 27), ArrivalVerdict.POSSIBLE, id="早到才赶得上"),
    pytest.param(D(2026, 11, 26), ArrivalVerdict.UNLIKELY, id="最早那天也赶不上"),
])
def test_a_wanted_day_is_judged_against_the_whole_window(calendar, target, verdict):
    """Ordered Wednesday 10:00, shipped the same day, usually there 2–3 days later: 11月27日–28日."""
    estimate = estimate_arrival(dt.datetime(2026, 11, 25, 10, 0, tzinfo=CHINA), calendar, CUTOFF, ARRIVAL_DAYS)
    assert (estimate.earliest, estimate.latest) == (D(2026, 11, 27), D(2026, 11, 28))
    assert arrival_verdict(estimate, target) is verdict

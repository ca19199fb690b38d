"""action_delivery_time (store-policy §4): ships today before 16:00 China time, else the next
shipping day; arrival is an honest estimate with its caveat, never a promise."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from actions.delivery import ActionDeliveryTime
from store import CHINA

delivery = ActionDeliveryTime
# A promise, as opposed to a caveat such as 没法保证 / 没法承诺.
PROMISE = re.compile(r"(?<!没法)(?<!无法)(?<!不能)(?<!没办法)(保证|肯定|绝对|一定|承诺)")


def china(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=CHINA)


@pytest.mark.parametrize("now, ships", [
    pytest.param(china(2026, 11, 25, 15, 59), "今天（周三）发货", id="15:59-今天"),
    pytest.param(china(2026, 11, 25, 15, 59, 59), "今天（周三）发货", id="15:59:59-今天"),
    pytest.param(china(2026, 11, 25, 16, 0), "明天（周四）发货", id="16:00-明天"),
    pytest.param(china(2026, 11, 28, 11, 0), "今天（周六）发货", id="周六-今天"),
    pytest.param(china(2026, 9, 30, 16, 0), "10月8日（周四）发货", id="国庆前16:00-节后"),
    pytest.param(dt.datetime(2026, 11, 25, 8, 0, tzinfo=dt.timezone.utc), "明天（周四）发货", id="UTC08:00=16:00"),
])
def test_order_before_four_pm_ships_today_else_the_next_shipping_day(make_tracker, run_action, clock, now, ships):
    clock.now = now
    out = run_action(delivery, make_tracker("什么时候发货", intent="ask_delivery_time"))
    assert ships in out.text
    assert "16:00" in out.text
    assert not PROMISE.search(out.text)


def test_arrival_is_two_to_three_days_after_shipping(make_tracker, run_action):
    out = run_action(delivery, make_tracker("几天能到", intent="ask_delivery_time"))
    assert "2–3天" in out.text
    assert "后天（周五）至11月28日（周六）" in out.text
    assert out.slots["last_topic"] == "delivery"


def test_remote_zone_adds_one_to_three_days(make_tracker, run_action):
    out = run_action(delivery, make_tracker("寄新疆几天到", intent="ask_delivery_time"))
    assert "3–6天" in out.text
    assert "1–3天" in out.text
    assert out.slots["province"] == "新疆"


def test_will_it_reach_xinjiang_by_friday_gets_an_honest_estimate(make_tracker, run_action):
    out = run_action(delivery, make_tracker("周五前能到新疆吗", intent="ask_delivery_time"))
    # Wednesday 10:00 ships today; 新疆 3–6 days → 11月28日–12月1日: Friday is unlikely.
    assert "周五" in out.text
    assert "11月28日（周六）至12月1日（周二）" in out.text
    assert "恐怕到不了" in out.text
    assert "延误" in out.text, "the caveat: holidays, weather, traffic"
    assert not PROMISE.search(out.text)


def test_likely_arrival_is_still_not_guaranteed(make_tracker, run_action):
    out = run_action(delivery, make_tracker("下周五前能到北京吗", intent="ask_delivery_time"))
    assert "可能性比较大" in out.text
    assert "没法保证" in out.text
    assert not PROMISE.search(out.text)


def test_province_from_earlier_in_the_conversation_is_used(make_tracker, run_action):
    out = run_action(delivery, make_tracker("几天能到", intent="ask_delivery_time",
                                            slots={"province": "西藏", "place": "拉萨"}))
    assert "西藏" in out.text and "3–6天" in out.text


def test_follow_up_after_a_delivery_question_stays_on_delivery(make_tracker, run_action):
    from actions.follow_up import ActionFollowUp
    out = run_action(ActionFollowUp, make_tracker("那广州呢", intent="inform", slots={"last_topic": "delivery"}))
    assert "广东" in out.text and "2–3天" in out.text
    assert "元" not in out.text


@pytest.mark.parametrize("now", [
    pytest.param(china(2026, 11, 25, 15, 59), id="15:59"),
    pytest.param(china(2026, 11, 25, 16, 0), id="16:00"),
])
def test_can_it_ship_today_is_not_answered_as_an_arrival_deadline(make_tracker, run_action, clock, now):
    clock.now = now
    out = run_action(delivery, make_tracker("今天能发货吗", intent="ask_delivery_time"))
    assert "到不了" not in out.text


@pytest.mark.parametrize("text", ["我的快递今天能到吗", "已经拍了 什么时候发货啊", "下单三天了还没到 到底什么时候到"])
def test_an_order_already_placed_gets_no_ship_date_from_now(make_tracker, run_action, clock, text):
    clock.now = china(2026, 11, 25, 17, 0)  # after the cut-off: a new order would ship tomorrow
    out = run_action(delivery, make_tracker(text, intent="ask_delivery_time"))
    assert "已经拍下的订单" in out.text and "2–3天" in out.text
    assert "查看物流信息" in out.text, "tracking guidance"
    assert "明天（周四）发货" not in out.text and "现在下单" not in out.text
    assert not PROMISE.search(out.text)


@pytest.mark.parametrize("place, province", [("香港", "香港"), ("澳门", "澳门"), ("台北", "台湾")])
def test_hong_kong_macao_taiwan_go_by_ems_with_no_two_to_three_day_window(make_tracker, run_action, place, province):
    out = run_action(delivery, make_tracker(f"寄到{place}几天能到", intent="ask_delivery_time"))
    assert f"寄到{province}只能发EMS" in out.text and "EMS的实际时效" in out.text
    assert "2–3天" not in out.text and "之间送达" not in out.text
    assert not PROMISE.search(out.text)

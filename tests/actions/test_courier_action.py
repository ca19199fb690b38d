"""action_answer_courier (store-policy §1.3): only 汇通, 韵达 and EMS; others declined politely;
韵达-only and EMS-only regions; special requests go in the order message."""
from __future__ import annotations

import pytest

from actions.couriers import ActionAnswerCourier

courier = ActionAnswerCourier


@pytest.mark.parametrize("text, named", [
    pytest.param("能发顺丰吗", "顺丰", id="顺丰"),
    pytest.param("发SF可以吗", "顺丰", id="SF"),
    pytest.param("可以发圆通吗", "圆通", id="圆通"),
    pytest.param("能發順豐嗎", "顺丰", id="繁体"),
])
def test_other_courier_is_declined_politely(make_tracker, run_action, text, named):
    out = run_action(courier, make_tracker(text, intent="ask_courier"))
    first = out.texts[0]
    assert "抱歉" in first and named in first
    for ours in ("汇通", "韵达", "EMS"):
        assert ours in first
    assert "留言" in out.text, "special requests go in the order message"


def test_courier_entity_from_nlu_is_used(make_tracker, run_action):
    out = run_action(courier, make_tracker("这个能发吗", intent="ask_courier",
                                           entities=[{"entity": "courier", "value": "顺丰"}]))
    assert "顺丰" in out.texts[0] and "抱歉" in out.texts[0]


def test_general_question_lists_the_couriers_and_the_restricted_regions(make_tracker, run_action):
    out = run_action(courier, make_tracker("发什么快递", intent="ask_courier"))
    assert "汇通" in out.text and "韵达" in out.text and "EMS" in out.text
    assert "新疆" in out.text and "香港" in out.text
    assert "抱歉" not in out.text


@pytest.mark.parametrize("text, province, must, must_not", [
    pytest.param("新疆发什么快递", "新疆", "韵达", "汇通", id="新疆-只发韵达"),
    pytest.param("海南发什么快递", "海南", "韵达", "汇通", id="海南-只发韵达"),
    pytest.param("寄香港发什么快递", "香港", "EMS", "韵达", id="香港-只发EMS"),
    pytest.param("广东发什么快递", "广东", "汇通", "EMS", id="广东-汇通韵达"),
])
def test_courier_for_a_province(make_tracker, run_action, text, province, must, must_not):
    out = run_action(courier, make_tracker(text, intent="ask_courier"))
    answer = out.texts[0]
    assert province in answer and must in answer and must_not not in answer
    assert out.slots["province"] == province


def test_our_own_courier_named_is_not_declined(make_tracker, run_action):
    out = run_action(courier, make_tracker("能发韵达吗", intent="ask_courier"))
    assert "抱歉" not in out.text and "韵达" in out.text


def test_which_couriers_do_you_work_with_gets_the_general_answer(make_tracker, run_action):
    out = run_action(courier, make_tracker("你家合作的快递有哪些", intent="ask_courier"))
    assert "甘肃" not in out.text
    assert "EMS" in out.text

"""Whatever the shopper sends, every action answers clearly and never raises; no reply ever
shows a phone number or QQ (store-policy §6; checked for every reply by run_action)."""
from __future__ import annotations

import pytest
from rasa_sdk import Action

from actions.bargain import ActionBargain
from actions.couriers import ActionAnswerCourier
from actions.delivery import ActionDeliveryTime
from actions.fallback import ActionFallback
from actions.fees import ActionQuoteFee
from actions.follow_up import ActionFollowUp
from actions.handoff import ActionHandoff
from actions.invoice import ActionAnswerInvoice

ODD_TEXTS = [
    pytest.param("", id="空消息"),
    pytest.param("   \n\t", id="只有空白"),
    pytest.param("啊" * 5000, id="5000字"),
    pytest.param("寄到新疆" + "啊" * 5000, id="5000字前有地点"),
    pytest.param("😀😀😀", id="只有emoji"),
    pytest.param("<script>alert(1)</script>", id="html脚本"),
    pytest.param("寄到<script>alert(1)</script>运费多少", id="寄到html"),
    pytest.param("\x00\x1b[31m", id="控制字符"),
    pytest.param("{fee}{store_name}%s{}", id="占位符"),
    pytest.param("９９９９９９９９９ｋｇ", id="全角超大重量"),
    pytest.param("1" * 400 + "kg", id="400位数字重量"),
]
ALL_ACTIONS = [ActionQuoteFee, ActionFollowUp, ActionDeliveryTime, ActionAnswerCourier,
               ActionAnswerInvoice, ActionBargain, ActionFallback, ActionHandoff]


@pytest.mark.parametrize("text", ODD_TEXTS)
def test_fee_action_answers_odd_input_with_a_clear_reply(make_tracker, run_action, text):
    out = run_action(ActionQuoteFee, make_tracker(text, intent="ask_shipping_fee"))
    assert any(len(t) >= 10 for t in out.texts)
    assert not out.texts[0].startswith("抱歉亲，系统"), "odd input is not a system failure"


def test_long_message_with_a_place_still_gets_the_fee(make_tracker, run_action):
    out = run_action(ActionQuoteFee, make_tracker("寄到新疆" + "啊" * 5000, intent="ask_shipping_fee"))
    assert "18元" in out.text


@pytest.mark.parametrize("entity", ["<script>alert(1)</script>", "😀", "火" * 300])
def test_odd_destination_entity_is_asked_about(make_tracker, run_action, entity):
    out = run_action(ActionQuoteFee, make_tracker(f"寄到{entity}", intent="ask_shipping_fee",
                                                    entities=[("destination", entity)]))
    assert out.fees == set()
    assert max(len(t) for t in out.texts) < 200, "the place is quoted back shortened"


@pytest.mark.parametrize("text", [p.values[0] for p in ODD_TEXTS[:9]])
@pytest.mark.parametrize("action", [pytest.param(a, id=a.__name__) for a in ALL_ACTIONS])
def test_no_action_raises_on_odd_input(make_tracker, run_action, action, text):
    out = run_action(action, make_tracker(text, intent="inform"))
    assert out.texts or out.responses


def test_odd_slot_values_are_survived(make_tracker, run_action):
    slots = {"province": "火星", "place": "<b>", "weight": "-5kg", "bargain_count": None, "last_topic": "???"}
    for action in (ActionFollowUp, ActionDeliveryTime, ActionAnswerCourier, ActionBargain):
        run_action(action, make_tracker("那呢", intent="inform", slots=slots))


class _LeakyAction(Action):
    def name(self):
        return "action_leaky"

    async def run(self, dispatcher, tracker, domain):
        dispatcher.utter_message(text="有事请拨打13812345678")
        return []


def test_the_contact_detail_check_catches_a_phone_number(make_tracker, run_action):
    with pytest.raises(AssertionError, match="contact detail"):
        run_action(_LeakyAction(), make_tracker("在吗"))

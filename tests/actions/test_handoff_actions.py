"""action_fallback, action_handoff, action_session_start, and the safety net of every store
action: a failure apologises and hands off instead of leaving the shopper without an answer."""
from __future__ import annotations

import dataclasses

import pytest
from rasa_sdk.events import BotUttered, UserUttered

from actions.fallback import ActionFallback
from actions.fees import ActionQuoteFee
from actions.handoff import ActionHandoff
from actions.session import ActionSessionStart


def test_one_unclear_message_asks_to_rephrase_with_buttons(make_tracker, run_action):
    out = run_action(ActionFallback, make_tracker("asdfgh", intent="nlu_fallback"))
    assert "换个说法" in out.text
    assert {"运费多少", "转人工"} <= {b["title"] for b in out.buttons}
    assert not ("工单" in out.text or "工作人员会在" in out.text)


def test_second_unclear_message_in_a_row_goes_to_a_person(make_tracker, run_action, prior_turn):
    out = run_action(ActionFallback, make_tracker("qwerty", intent="nlu_fallback",
                                                    events=prior_turn("asdfgh", "nlu_fallback")))
    assert out.responses == ["utter_out_of_scope"]
    assert "工作人员" in out.text or "工单" in out.text


def test_unclear_message_after_an_understood_one_only_asks_again(make_tracker, run_action, prior_turn):
    events = prior_turn("asdfgh", "nlu_fallback") + prior_turn("运费多少", "ask_shipping_fee")
    out = run_action(ActionFallback, make_tracker("qwerty", intent="nlu_fallback", events=events))
    assert "换个说法" in out.text


@pytest.mark.parametrize("intent", ["request_human", "complain", "ask_return"])
def test_request_for_a_person_is_handed_off(make_tracker, run_action, intent):
    out = run_action(ActionHandoff, make_tracker("转人工", intent=intent))
    assert "工作人员" in out.text or "工单" in out.text


def test_handoff_twice_in_one_conversation_answers_both_times(make_tracker, run_action):
    first = run_action(ActionHandoff, make_tracker("转人工", intent="request_human"))
    second = run_action(ActionHandoff, make_tracker("还有个问题", intent="request_human"))
    assert first.handed_off and second.handed_off


def test_session_start_sets_the_store_name_and_carries_slots(make_tracker, run_action):
    out = run_action(ActionSessionStart, make_tracker("你好", intent="greet",
                                                        slots={"province": "新疆", "store_name": "旧名字"}),
                     expect_reply=False)
    assert out.events[0]["event"] == "session_started"
    assert out.slots["store_name"] == "示例旗舰店"
    assert out.slots["province"] == "新疆"
    assert out.events[-1]["event"] == "action" and out.events[-1]["name"] == "action_listen"


class _BrokenConfig:
    """The shipped configuration, but asking for a province's courier fails (a bug, a lost disk)."""

    def __init__(self, config) -> None:
        self._config = config

    def __getattr__(self, name):
        return getattr(self._config, name)

    def required_courier(self, province):
        raise RuntimeError("database is down")


class _BrokenGazetteer:
    def resolve(self, text):
        raise KeyError("broken gazetteer")


def test_failure_inside_an_action_apologises_and_hands_off(make_tracker, run_action, make_services, shipped_store):
    broken = dataclasses.replace(shipped_store, config=_BrokenConfig(shipped_store.config))
    out = run_action(ActionQuoteFee, make_tracker("寄新疆运费多少", intent="ask_shipping_fee"),
                     services=make_services(broken))
    assert out.texts[0].startswith("抱歉")
    assert "工作人员" in out.text or "工单" in out.text
    assert out.fees == set(), "nothing half-said before the failure is sent"
    assert "database" not in out.text


def test_failure_while_reading_the_place_is_caught_too(make_tracker, run_action, make_services, shipped_store):
    broken = dataclasses.replace(shipped_store, places=_BrokenGazetteer())
    out = run_action(ActionQuoteFee, make_tracker("寄新疆运费多少", intent="ask_shipping_fee"),
                     services=make_services(broken))
    assert out.texts[0].startswith("抱歉")


def test_a_rest_conversation_handed_off_is_recorded_for_the_agent(make_tracker, run_action, messages, tickets):
    earlier = [UserUttered("寄到新疆运费多少", timestamp=1764036000.0),
               BotUttered("亲，寄到新疆1公斤以内运费18元", timestamp=1764036001.0),
               BotUttered("您好，我是客服小美", metadata={"agent": "xiaomei"}, timestamp=1764036002.0)]
    out = run_action(ActionHandoff, make_tracker("转人工", intent="request_human", events=earlier,
                                                 slots={"province": "新疆"}, sender_id="rest-7"))
    [ticket] = tickets.list_active()
    assert ticket.number in out.text
    assert ticket.facts == {"province": "新疆", "intent": "request_human"}
    record = [(m.sender, m.text) for m in messages.since("rest-7")]
    assert record[:2] == [("shopper", "寄到新疆运费多少"), ("bot", "亲，寄到新疆1公斤以内运费18元")]
    assert ("shopper", "转人工") in record
    assert all(sender != "agent" for sender, _ in record), "agent replies are the inbox's own record"

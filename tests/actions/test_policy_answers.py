"""action_answer_policy: what the handbook answers in its own words (store-policy §1.4, §2, §5,
§6, §8), each reply checked against the policy; cancellations and returns go on to a person."""
from __future__ import annotations

import dataclasses

import pytest

from actions.handoff import ActionHandoff
from actions.policy_answers import ActionAnswerPolicy
from store import StoreConfig

policy = ActionAnswerPolicy


@pytest.mark.parametrize("intent, text, must_say, must_not_say", [
    pytest.param("ask_combined_shipping", "买三件要付三份运费吗", ["购物车", "只收一次运费", "1公斤", "付款前联系"], [],
                 id="§1.4多件一次运费"),
    pytest.param("ask_payment", "能货到付款吗", ["支付宝", "不支持货到付款"], [], id="§6支付宝-无货到付款"),
    pytest.param("ask_pickup", "我能自己上门提货吗", ["不支持自取", "支付宝", "快递发货"], [], id="§6不自取"),
    pytest.param("ask_authenticity", "是正品吗", ["原装正品", "全国联保专用机打收款收据", "销量", "评价"], ["别家"],
                 id="§8正品"),
    pytest.param("ask_contact", "电话多少 加个微信", ["不在聊天里提供", "转人工"], [], id="§6不给联系方式"),
    pytest.param("ask_receiving", "签收要注意什么", ["先开箱检查", "拒收", "商品坏了退回", "视为商品完好"], [],
                 id="§5验货签收"),
    pytest.param("ask_promotion", "有优惠券吗 满减能用吗", ["结算时平台会自动计算", "没有额外的折扣"], ["活动："],
                 id="§2平台优惠-店铺不另加"),
    pytest.param("ask_tracking", "我的快递到哪了", ["24小时", "查看物流信息", "跟踪运单信息"], [], id="§5查物流"),
    pytest.param("cancel_order", "帮我取消订单", ["取消订单需要工作人员"], [], id="取消订单转人工"),
])
def test_each_answer_says_what_the_policy_says(make_tracker, run_action, intent, text, must_say, must_not_say):
    out = run_action(policy, make_tracker(text, intent=intent))
    for words in must_say:
        assert words in out.text, f"{words!r} missing from {out.text!r}"
    for words in must_not_say:
        assert words not in out.text
    assert "保证" not in out.text and "肯定" not in out.text


def test_the_contact_answer_offers_a_person_with_a_button(make_tracker, run_action):
    out = run_action(policy, make_tracker("你们店地址在哪 我想过去看看", intent="ask_contact"))
    assert {"title": "转人工", "payload": "/request_human"} in out.buttons


def test_other_shops_are_not_commented_on(make_tracker, run_action):
    out = run_action(policy, make_tracker("拼多多上同款便宜一半 你家是正品吗", intent="ask_authenticity"))
    assert "原装正品" in out.text and "不便评论" in out.text


def test_an_owners_campaign_is_quoted_as_written(make_tracker, run_action, make_services, shipped_store):
    raw = shipped_store.config.dict()
    raw["promotions"]["campaigns"] = ["12月1日–3日全店满199减20"]
    store = dataclasses.replace(shipped_store, config=StoreConfig.parse_obj(raw))
    out = run_action(policy, make_tracker("最近有活动吗", intent="ask_promotion"), services=make_services(store))
    assert "小店目前的活动：12月1日–3日全店满199减20" in out.text


def test_a_return_gets_the_receiving_advice_before_its_handoff(make_tracker, run_action):
    out = run_action(policy, make_tracker("收到是坏的 我要退货", intent="ask_return"))
    assert "商品坏了退回" in out.text and "需要工作人员为您处理" in out.text


def test_a_cancellation_keeps_the_order_number_for_the_agent(make_tracker, run_action, tickets, prior_turn):
    events = prior_turn("我的订单号是 3298475610293847", "inform")
    run_action(ActionHandoff, make_tracker("帮我取消吧 不要了", intent="cancel_order", events=events))
    [ticket] = tickets.list_active()
    assert ticket.reasons == ["cancel_order"]
    assert ticket.facts["order_id"] == "3298475610293847"


def test_a_phone_number_is_not_taken_for_an_order_number(make_tracker, run_action, tickets):
    run_action(ActionHandoff, make_tracker("我电话13812345678 转人工", intent="request_human"))
    assert "order_id" not in tickets.list_active()[0].facts

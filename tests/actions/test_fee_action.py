"""action_quote_fee and action_follow_up (store-policy §1): the fee for the shopper's province,
the courier, and a question or a person whenever the store has no price, never a guess."""
from __future__ import annotations

import dataclasses

import pytest

from actions.fees import ActionQuoteFee
from actions.follow_up import ActionFollowUp
from store import StoreConfig

# From store-policy §1.1 (not from store.yml).
XINJIANG_FEE, BEIJING_FEE, GUANGDONG_FEE, NORTHEAST_FEE = "18", "12", "8", "15"

quote_fee_action = ActionQuoteFee
follow_up = ActionFollowUp


@pytest.mark.parametrize("entities", [
    pytest.param([("destination", "乌鲁木齐")], id="NLU给出地点"),
    pytest.param([], id="NLU没给地点-从原文找"),
])
def test_fee_to_urumqi_is_18_yuan_by_yunda(make_tracker, run_action, entities):
    out = run_action(quote_fee_action, make_tracker("寄到乌鲁木齐运费多少", intent="ask_shipping_fee",
                                                    entities=entities))
    assert out.fees == {XINJIANG_FEE}
    assert "18元" in out.text and "韵达" in out.text
    assert "1公斤以内" in out.text, "no weight given: say the fee is for the first kilogram"
    assert "EMS" in out.text, "if 韵达 cannot reach the address EMS is used: said as a condition"
    assert out.slots["province"] == "新疆"
    assert out.slots["last_topic"] == "fee"
    assert not out.handed_off


def test_fee_to_guangzhou_is_8_yuan_by_huitong_or_yunda(make_tracker, run_action):
    out = run_action(quote_fee_action, make_tracker("广州运费多少", intent="ask_shipping_fee"))
    assert out.fees == {GUANGDONG_FEE}
    assert "汇通" in out.text and "韵达" in out.text
    assert out.slots["province"] == "广东"


def test_no_destination_asks_where_to(make_tracker, run_action):
    out = run_action(quote_fee_action, make_tracker("运费多少", intent="ask_shipping_fee"))
    assert "哪" in out.text
    assert out.fees == set()
    assert "province" not in out.slots


@pytest.mark.parametrize("last_topic", [None, "fee"])
def test_follow_up_with_another_place_quotes_that_place(make_tracker, run_action, last_topic):
    slots = {"province": "新疆", "place": "乌鲁木齐", **({"last_topic": last_topic} if last_topic else {})}
    out = run_action(follow_up, make_tracker("那北京呢", intent="inform", slots=slots))
    assert out.fees == {BEIJING_FEE}
    assert out.slots["province"] == "北京"


def test_follow_up_with_a_heavier_weight_says_the_first_fee_and_hands_off(make_tracker, run_action):
    out = run_action(follow_up, make_tracker("那2公斤呢", intent="inform",
                                             slots={"province": "新疆", "place": "新疆", "last_topic": "fee"}))
    assert out.fees == {XINJIANG_FEE}, "only the first-kilogram fee: no invented continued fee"
    assert "2公斤" in out.text
    assert out.handed_off
    assert out.slots["weight"] == "2公斤"


def test_weight_said_earlier_is_kept_when_the_place_changes(make_tracker, run_action):
    out = run_action(follow_up, make_tracker("那广东呢", intent="inform",
                                             slots={"province": "新疆", "weight": "2公斤", "last_topic": "fee"}))
    assert out.fees == {GUANGDONG_FEE}
    assert out.handed_off


@pytest.mark.parametrize("slots, fee", [
    pytest.param({"province": "新疆"}, XINJIANG_FEE, id="已知新疆"),
    pytest.param({"province": "北京"}, BEIJING_FEE, id="已知北京"),
])
def test_is_shipping_free_answers_not_free_and_the_fee(make_tracker, run_action, slots, fee):
    out = run_action(quote_fee_action, make_tracker("包邮吗", intent="ask_shipping_fee", slots=slots))
    assert "不包邮" in out.text
    assert out.fees == {fee}


def test_is_shipping_free_without_a_place_answers_not_free_and_asks_where(make_tracker, run_action):
    out = run_action(quote_fee_action, make_tracker("包邮吗", intent="ask_shipping_fee"))
    assert "不包邮" in out.text and "哪" in out.text
    assert out.fees == set()


def test_ambiguous_place_is_asked_about_with_a_button_per_candidate(make_tracker, run_action):
    out = run_action(quote_fee_action, make_tracker("寄到朝阳多少钱", intent="ask_shipping_fee",
                                                    entities=[("destination", "朝阳")]))
    titles = {b["title"] for b in out.buttons}
    assert {"北京朝阳", "辽宁朝阳"} <= titles
    assert all(b["payload"] == b["title"] for b in out.buttons)
    assert "北京" in out.text and "辽宁" in out.text
    assert out.fees == set()
    assert "province" not in out.slots


def test_answer_to_the_ambiguity_question_quotes_the_fee(make_tracker, run_action):
    out = run_action(follow_up, make_tracker("辽宁朝阳", intent="inform", slots={"last_topic": "fee"}))
    assert out.fees == {NORTHEAST_FEE}
    assert out.slots["province"] == "辽宁"


@pytest.mark.parametrize("text, entities", [
    pytest.param("寄到火星多少钱", [("destination", "火星")], id="NLU给出火星"),
    pytest.param("寄到火星多少钱", [], id="原文里的火星"),
])
def test_unknown_place_gets_a_question_and_no_fee(make_tracker, run_action, text, entities):
    out = run_action(quote_fee_action, make_tracker(text, intent="ask_shipping_fee", entities=entities))
    assert out.fees == set()
    assert "？" in out.text or "?" in out.text or "麻烦告诉我" in out.text
    assert "province" not in out.slots


@pytest.mark.parametrize("text", ["0公斤寄新疆多少", "-1kg寄新疆多少", "负2公斤寄新疆多少钱", "0kg"])
def test_zero_or_negative_weight_asks_for_the_weight_again(make_tracker, run_action, text):
    out = run_action(quote_fee_action, make_tracker(text, intent="ask_shipping_fee"))
    assert "重量" in out.text
    assert out.fees == set()
    assert "weight" not in out.slots


@pytest.mark.parametrize("text", ["40kg寄新疆多少", "寄广东30.5公斤多少钱", "100斤寄北京"])
def test_parcel_over_thirty_kilograms_goes_to_a_person(make_tracker, run_action, text):
    out = run_action(quote_fee_action, make_tracker(text, intent="ask_shipping_fee"))
    assert out.handed_off
    assert out.fees == set()
    assert "30公斤" in out.text


@pytest.mark.parametrize("text", ["寄香港运费多少", "寄到澳門", "台湾0.3kg运费", "發到臺北多少錢"])
def test_hong_kong_macao_taiwan_ship_by_ems_and_a_person_quotes(make_tracker, run_action, text):
    out = run_action(quote_fee_action, make_tracker(text, intent="ask_shipping_fee"))
    assert "EMS" in out.text and "E邮宝" in out.text
    assert out.handed_off
    assert out.fees == set()


def test_fee_up_to_one_kilogram_names_the_weight(make_tracker, run_action):
    out = run_action(quote_fee_action, make_tracker("800克寄北京多少钱", intent="ask_shipping_fee"))
    assert out.fees == {BEIJING_FEE}
    assert "800克" in out.text
    assert not out.handed_off


def test_several_items_are_told_to_use_the_cart(make_tracker, run_action):
    out = run_action(quote_fee_action, make_tracker("买两件寄上海运费多少", intent="ask_shipping_fee"))
    assert out.fees == {GUANGDONG_FEE}  # 上海 is in the 8元 row with 广东
    assert "购物车" in out.text and "一次运费" in out.text


def test_configured_continued_fee_is_quoted_with_its_breakdown(make_tracker, run_action, make_services,
                                                              shipped_store):
    raw = shipped_store.config.dict()
    for zone in raw["shipping"]["zones"]:
        if "新疆" in zone["provinces"]:
            zone["continued_kg_fee"] = 5
    priced = dataclasses.replace(shipped_store, config=StoreConfig.parse_obj(raw))
    out = run_action(quote_fee_action, make_tracker("2.5公斤寄新疆多少钱", intent="ask_shipping_fee"),
                     services=make_services(priced))
    assert "28元" in out.text, "18元 first kilogram + 2 × 5元 (1.5 kg counts as 2)"
    assert "18元" in out.text and "韵达" in out.text
    assert not out.handed_off


@pytest.mark.parametrize("text, fee", [
    pytest.param("寄东北运费多少", NORTHEAST_FEE, id="东北-15元"),
    pytest.param("寄到普陀多少钱", GUANGDONG_FEE, id="普陀-8元"),
])
def test_place_shared_by_provinces_with_the_same_fee_is_quoted_without_asking(make_tracker, run_action, text, fee):
    out = run_action(quote_fee_action, make_tracker(text, intent="ask_shipping_fee"))
    assert out.fees == {fee}
    assert "运费不一样" not in out.text


def test_shop_word_that_is_also_a_county_name_gets_no_guessed_fee(make_tracker, run_action):
    out = run_action(quote_fee_action, make_tracker("你们是商城店吗 运费多少", intent="ask_shipping_fee"))
    assert out.fees == set()
    assert "哪" in out.text


def test_a_correction_of_the_destination_re_answers_with_the_new_place(make_tracker, run_action):
    slots = {"last_topic": "fee", "province": "广东", "place": "广州"}
    out = run_action(follow_up, make_tracker("不对，是新疆", intent="inform", slots=slots))
    assert out.fees == {"18"} and "新疆" in out.text
    assert out.slots["province"] == "新疆"

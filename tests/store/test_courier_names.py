"""Courier names as shoppers write them (store-policy §1.3): the store ships only with 汇通,
韵达 and EMS (incl. E邮宝); everything else is recognised so it can be declined politely."""
from __future__ import annotations

import pytest

from store import asks_about_free_shipping, find_courier, mentions_several_items
from policy_tables import AVAILABLE_COURIERS


@pytest.mark.parametrize("text, company", [
    pytest.param("顺丰", "顺丰", id="顺丰"),
    pytest.param("能发顺丰吗", "顺丰", id="能发顺丰吗"),
    pytest.param("SF", "顺丰", id="SF"),
    pytest.param("sf快递", "顺丰", id="sf"),
    pytest.param("ＳＦ", "顺丰", id="全角SF"),
    pytest.param("顺风", "顺丰", id="错别字顺风"),
    pytest.param("發順豐嗎", "顺丰", id="繁体順豐"),
    pytest.param("百世", "汇通", id="百世"),
    pytest.param("百世汇通", "汇通", id="百世汇通"),
    pytest.param("汇通", "汇通", id="汇通"),
    pytest.param("e邮宝", "EMS", id="e邮宝"),
    pytest.param("E邮宝", "EMS", id="E邮宝"),
    pytest.param("ems", "EMS", id="ems"),
    pytest.param("邮政", "EMS", id="邮政"),
    pytest.param("韵达", "韵达", id="韵达"),
    pytest.param("圆通", "圆通", id="圆通"),
    pytest.param("中通", "中通", id="中通"),
    pytest.param("申通", "申通", id="申通"),
])
def test_courier_name_maps_to_the_company(text, company):
    assert find_courier(text) == company


@pytest.mark.parametrize("text", ["顺丰", "圆通", "中通", "申通", "京东", "极兔", "德邦"])
def test_other_couriers_are_not_among_the_stores(text):
    assert find_courier(text) not in AVAILABLE_COURIERS


@pytest.mark.parametrize("text", ["你好", "运费多少", ""])
def test_no_courier_named_is_none(text):
    assert find_courier(text) is None


@pytest.mark.parametrize("text, asks", [
    pytest.param("包邮吗", True, id="包邮吗"),
    pytest.param("能包邮不", True, id="能包邮不"),
    pytest.param("可以免邮吗", True, id="免邮"),
    pytest.param("免运费吗", True, id="免运费"),
    pytest.param("运费多少", False, id="运费多少"),
])
def test_free_shipping_question_is_recognised(text, asks):
    assert asks_about_free_shipping(text) is asks


@pytest.mark.parametrize("text, several", [
    pytest.param("买两件一起寄运费多少", True, id="两件"),
    pytest.param("3个一起拍", True, id="3个"),
    pytest.param("加购物车一起付", True, id="购物车"),
    pytest.param("一件", False, id="一件"),
    pytest.param("运费多少", False, id="运费多少"),
])
def test_several_items_in_one_order_are_recognised(text, several):
    assert mentions_several_items(text) is several

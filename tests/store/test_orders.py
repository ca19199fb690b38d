"""What a shopper says about an order already placed: its number (kept for the agent), and
whether a question is about that order rather than a new one."""
from __future__ import annotations

import pytest

from store import asks_about_placed_order, find_order_id


@pytest.mark.parametrize("text, order_id", [
    pytest.param("订单号3298475610293847 帮我取消", "3298475610293847", id="淘宝16位"),
    pytest.param("我的单号是 4917302856 到哪了", "4917302856", id="京东10位"),
    pytest.param("订单编号：18850372946120573321", "18850372946120573321", id="20位"),
    pytest.param("订单号 １２３４５６７８９０１２", "123456789012", id="全角数字"),
    pytest.param("单号13812345678", "13812345678", id="叫作单号的11位"),
])
def test_an_order_number_is_read(text, order_id):
    assert find_order_id(text) == order_id


@pytest.mark.parametrize("text", [
    pytest.param("我电话13812345678", id="手机号"),
    pytest.param("寄到新疆2公斤多少钱", id="没有号码"),
    pytest.param("订单号123456", id="太短"),
    pytest.param("1" * 25, id="太长"),
])
def test_no_order_number_is_made_up(text):
    assert find_order_id(text) is None


@pytest.mark.parametrize("text, placed", [
    pytest.param("我的快递今天能到吗", True, id="我的快递"),
    pytest.param("已经拍了什么时候发", True, id="已经拍了"),
    pytest.param("还在揽收 催一下", True, id="还在揽收"),
    pytest.param("订单多久配送", False, id="一般规则"),
    pytest.param("今天拍能发货吗", False, id="还没下单"),
    pytest.param("几天能到新疆", False, id="新订单"),
])
def test_a_question_about_an_order_already_placed_is_told_apart(text, placed):
    assert asks_about_placed_order(text) is placed

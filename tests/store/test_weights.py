"""Parcel weights as shoppers write them (store-policy §1.2, §9): 1 斤 = 0.5 kg, 1 两 = 50 g,
1 千克 = 1 kg; ≤ 0 or unreadable → ask again; no weight → the first-kilogram fee is quoted."""
from __future__ import annotations

from decimal import Decimal

import pytest

from store import WeightUnreadable, find_weight, parse_weight


@pytest.mark.parametrize("text, kg", [
    pytest.param("500g", "0.5", id="500g"),
    pytest.param("1kg", "1", id="1kg"),
    pytest.param("1.5KG", "1.5", id="1.5KG"),
    pytest.param("2公斤", "2", id="2公斤"),
    pytest.param("两公斤", "2", id="两公斤"),
    pytest.param("3斤", "1.5", id="3斤"),
    pytest.param("半斤", "0.25", id="半斤"),
    pytest.param("一斤半", "0.75", id="一斤半"),
    pytest.param("1斤半", "0.75", id="1斤半"),
    pytest.param("两斤", "1", id="两斤"),
    pytest.param("十斤", "5", id="十斤"),
    pytest.param("一公斤半", "1.5", id="一公斤半"),
    pytest.param("半公斤", "0.5", id="半公斤"),
    pytest.param("1千克", "1", id="1千克"),
    pytest.param("一千克", "1", id="一千克不是1000克"),
    pytest.param("1.5千克", "1.5", id="1.5千克"),
    pytest.param("800克", "0.8", id="800克"),
    pytest.param("1000克", "1", id="1000克"),
    pytest.param("0.5公斤", "0.5", id="0.5公斤"),
    pytest.param("二两", "0.1", id="二两"),
    pytest.param("3两", "0.15", id="3两"),
    pytest.param("一两", "0.05", id="一两"),
    pytest.param("十二两", "0.6", id="十二两"),
    pytest.param("２公斤", "2", id="全角-２公斤"),
    pytest.param("１．５ｋｇ", "1.5", id="全角-１．５ｋｇ"),
    pytest.param("３００ｇ", "0.3", id="全角-３００ｇ"),
    pytest.param("2 kg", "2", id="数字和单位间有空格"),
    pytest.param("三十公斤", "30", id="三十公斤"),
])
def test_weight_as_written_is_read_in_kilograms(text, kg):
    assert parse_weight(text).kg == Decimal(kg)


@pytest.mark.parametrize("text, kg", [
    pytest.param("亲 2公斤寄新疆多少钱", "2", id="句中"),
    pytest.param("大概1.5kg左右", "1.5", id="大概左右"),
    pytest.param("寄三斤到广州", "1.5", id="寄三斤到广州"),
    pytest.param("那2公斤呢", "2", id="那2公斤呢"),
])
def test_weight_is_found_inside_a_sentence(text, kg):
    assert find_weight(text).kg == Decimal(kg)


@pytest.mark.parametrize("text", [
    pytest.param("0kg", id="0kg"),
    pytest.param("0公斤", id="0公斤"),
    pytest.param("0.0斤", id="0.0斤"),
    pytest.param("0克", id="0克"),
    pytest.param("-1kg", id="-1kg"),
    pytest.param("−1kg", id="全角负号"),
    pytest.param("负2公斤", id="负2公斤"),
    pytest.param("寄-3斤到北京", id="句中负数"),
])
def test_zero_or_negative_weight_is_unreadable(text):
    with pytest.raises(WeightUnreadable):
        find_weight(text)
    with pytest.raises(WeightUnreadable):
        parse_weight(text)


@pytest.mark.parametrize("text", [
    pytest.param("运费多少", id="运费多少"),
    pytest.param("寄到新疆", id="寄到新疆"),
    pytest.param("", id="空"),
    pytest.param("买两件", id="两件不是重量"),
    pytest.param("😀", id="emoji"),
])
def test_no_weight_mentioned_is_none(text):
    assert find_weight(text) is None


@pytest.mark.parametrize("text", ["运费多少", ""])
def test_parse_weight_requires_a_weight(text):
    with pytest.raises(WeightUnreadable):
        parse_weight(text)


def test_weight_text_keeps_what_the_shopper_wrote_for_the_reply():
    assert parse_weight("那2公斤呢").text == "2公斤"
    assert str(parse_weight("1.5KG")) == "1.5KG"

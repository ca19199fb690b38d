"""The shipping fee and courier for every region with the shipped config (store-policy §1):
first-kilogram fee up to 1 kg, no invented price above it or for EMS-only regions."""
from __future__ import annotations

from decimal import Decimal

import pytest

from store import NoQuoteAvailable, Weight, quote_fee
from policy_tables import (ALL_REGIONS, DEFAULT_COURIERS, EMS_ONLY, FIRST_KG_FEE, FIRST_WEIGHT_KG,
                           HK_MACAO_TAIWAN, MAINLAND, MAX_QUOTE_KG, NAMES, YUNDA_ONLY, couriers_for)


def kg(amount: str) -> Weight:
    return Weight(Decimal(amount), f"{amount}kg")


def test_the_policy_table_covers_the_31_mainland_provinces():
    assert len(MAINLAND) == 31


def test_every_region_the_gazetteer_knows_is_priced_or_ems_only(places):
    assert places.provinces == set(ALL_REGIONS)


MAINLAND_PARAMS = [pytest.param(p, FIRST_KG_FEE[p], id=f"{p}-{FIRST_KG_FEE[p]}元") for p in MAINLAND]


@pytest.mark.parametrize("province, fee", MAINLAND_PARAMS)
def test_no_weight_given_quotes_the_first_kilogram_fee(config, province, fee):
    quote = quote_fee(province, None, config)
    assert (quote.fee, quote.first_fee, quote.first_weight_kg, quote.extra_kg) == (fee, fee, FIRST_WEIGHT_KG, 0)
    assert quote.weight is None


@pytest.mark.parametrize("weight", ["0.001", "0.5", "1", "1.0"])
@pytest.mark.parametrize("province, fee", MAINLAND_PARAMS)
def test_parcel_up_to_one_kilogram_pays_the_first_kilogram_fee(config, province, fee, weight):
    assert quote_fee(province, kg(weight), config).fee == fee


@pytest.mark.parametrize("province, fee", MAINLAND_PARAMS)
def test_parcel_over_one_kilogram_is_not_priced_without_a_continued_fee(config, province, fee):
    with pytest.raises(NoQuoteAvailable) as err:
        quote_fee(province, kg("1.01"), config)
    assert err.value.reason == NoQuoteAvailable.CONTINUED_UNPRICED
    assert err.value.province == province
    assert err.value.facts["first_fee"] == fee   # the reply still says the first-kilogram fee
    assert err.value.facts["first_weight_kg"] == FIRST_WEIGHT_KG


@pytest.mark.parametrize("weight", [None, "0.3", "0.5", "1.0", "1.01"])
@pytest.mark.parametrize("province", [pytest.param(p, id=p) for p in HK_MACAO_TAIWAN])
def test_hong_kong_macao_taiwan_ship_by_ems_at_no_invented_price(config, province, weight):
    with pytest.raises(NoQuoteAvailable) as err:
        quote_fee(province, kg(weight) if weight else None, config)
    assert err.value.reason == NoQuoteAvailable.EMS_UNPRICED
    assert set(err.value.facts["couriers"]) <= {"EMS", "E邮宝"}


@pytest.mark.parametrize("weight, service", [
    pytest.param(None, {"EMS", "E邮宝"}, id="不知道重量-两种都可能"),
    pytest.param("0.5", {"EMS"}, id="0.5kg-EMS"),
    pytest.param("0.51", {"E邮宝"}, id="0.51kg-E邮宝"),
    pytest.param("1.0", {"E邮宝"}, id="1kg-E邮宝"),
])
def test_ems_region_goes_as_ems_up_to_half_a_kilogram_then_e_ems(config, weight, service):
    with pytest.raises(NoQuoteAvailable) as err:
        quote_fee("香港", kg(weight) if weight else None, config)
    assert set(err.value.facts["couriers"]) == service


@pytest.mark.parametrize("province", [pytest.param(p, id=p) for p in ALL_REGIONS])
def test_parcel_over_thirty_kilograms_is_too_heavy_to_quote(config, province):
    with pytest.raises(NoQuoteAvailable) as err:
        quote_fee(province, kg("30.01"), config)
    assert err.value.reason == NoQuoteAvailable.TOO_HEAVY
    assert err.value.facts["max_kg"] == MAX_QUOTE_KG


@pytest.mark.parametrize("province", [
    pytest.param(p, id=f"{p}-{'韵达' if p in YUNDA_ONLY else '汇通韵达'}") for p in MAINLAND
])
def test_courier_is_yunda_only_in_the_restricted_regions_else_huitong_or_yunda(config, province):
    quote = quote_fee(province, None, config)
    assert set(quote.couriers) == couriers_for(province)
    if province in YUNDA_ONLY:
        assert quote.required_courier == "韵达"
        assert quote.ems_if_unreachable, "where 韵达 cannot reach the address, EMS is used (§1.3)"
    else:
        assert quote.couriers == DEFAULT_COURIERS
        assert quote.required_courier is None and not quote.ems_if_unreachable


def test_courier_rules_in_the_config_match_the_policy(config):
    assert set(config.shipping.couriers.available) == {"汇通", "韵达", "EMS"}
    assert {p for p in ALL_REGIONS if config.required_courier(p) == "韵达"} == YUNDA_ONLY
    assert {p for p in ALL_REGIONS if config.required_courier(p) == "EMS"} == EMS_ONLY


# ── every name form, end to end: text → province → fee ─────────────────────

def _name_forms():
    for province, (full, shorts, abbrs) in NAMES.items():
        forms = [full, *shorts, *(f"寄{a}" for a in abbrs)]
        for form in forms:
            yield pytest.param(form, province, id=f"{province}-{form}")


@pytest.mark.parametrize("text, province", list(_name_forms()))
def test_fee_for_a_destination_named_any_way_is_its_provinces_fee(places, config, text, province):
    destination = places.resolve(text)
    assert destination.province == province
    if province in EMS_ONLY:
        with pytest.raises(NoQuoteAvailable):
            quote_fee(destination.province, None, config)
    else:
        assert quote_fee(destination.province, None, config).fee == FIRST_KG_FEE[province]


@pytest.mark.parametrize("text, fee", [
    pytest.param("寄到乌鲁木齐", Decimal(18), id="新疆-乌鲁木齐-18元"),
    pytest.param("烏魯木齊", Decimal(18), id="新疆-烏魯木齊-18元"),
    pytest.param("喀什", Decimal(18), id="新疆-喀什-18元"),
    pytest.param("拉萨", Decimal(18), id="西藏-拉萨-18元"),
    pytest.param("深圳", Decimal(8), id="广东-深圳-8元"),
    pytest.param("廣州", Decimal(8), id="广东-廣州-8元"),
    pytest.param("浦东", Decimal(8), id="上海-浦东-8元"),
    pytest.param("昆山", Decimal(8), id="江苏-昆山-8元"),
    pytest.param("义乌", Decimal(8), id="浙江-义乌-8元"),
    pytest.param("三亚", Decimal(10), id="海南-三亚-10元"),
    pytest.param("桂林", Decimal(10), id="广西-桂林-10元"),
    pytest.param("大连", Decimal(15), id="辽宁-大连-15元"),
    pytest.param("内蒙", Decimal(15), id="内蒙古-内蒙-15元"),
    pytest.param("发到京", Decimal(12), id="北京-京-12元"),
])
def test_fee_for_a_city_is_its_provinces_fee(places, config, text, fee):
    assert quote_fee(places.resolve(text).province, None, config).fee == fee

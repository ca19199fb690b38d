"""Fees above the first kilogram and EMS fees, once the owner configures them (store-policy
§1.2, §1.3, §9): part of a kilogram counts as a whole one; 30 kg is the most the assistant quotes."""
from __future__ import annotations

import copy
from decimal import Decimal

import pytest

from store import NoQuoteAvailable, StoreConfig, Weight, quote_fee
from policy_tables import EMS_ONLY, FIRST_KG_FEE, MAINLAND, YUNDA_ONLY

# The owner's continued-weight fee per zone, keyed by the zone's first-kilogram fee.
CONTINUED_BY_FIRST_FEE = {Decimal(8): Decimal(2), Decimal(10): Decimal(3), Decimal(12): Decimal(4),
                          Decimal(15): Decimal(6), Decimal(18): Decimal(8)}
EMS_FIRST, EMS_CONTINUED = Decimal(40), Decimal(25)


def kg(amount: str) -> Weight:
    return Weight(Decimal(amount), f"{amount}kg")


def _configure_prices(raw: dict) -> None:
    for zone in raw["shipping"]["zones"]:
        zone["continued_kg_fee"] = int(CONTINUED_BY_FIRST_FEE[Decimal(zone["first_kg_fee"])])
    raw["shipping"]["ems"]["first_kg_fee"] = int(EMS_FIRST)
    raw["shipping"]["ems"]["continued_kg_fee"] = int(EMS_CONTINUED)


@pytest.fixture(scope="module")
def priced(store_config_with):
    """The shipped config plus continued fees for every zone and an EMS price."""
    return store_config_with(_configure_prices)


@pytest.mark.parametrize("weight, charged_kg", [
    pytest.param("1.0", 1, id="1.0kg-按1公斤"),
    pytest.param("1.01", 2, id="1.01kg-按2公斤"),
    pytest.param("1.5", 2, id="1.5kg-按2公斤"),
    pytest.param("2.0", 2, id="2.0kg-按2公斤"),
    pytest.param("2.01", 3, id="2.01kg-按3公斤"),
    pytest.param("29.5", 30, id="29.5kg-按30公斤"),
    pytest.param("30", 30, id="30kg-最重能报价"),
])
@pytest.mark.parametrize("province", [pytest.param(p, id=p) for p in MAINLAND])
def test_part_of_a_kilogram_counts_as_a_whole_one(priced, province, weight, charged_kg):
    first = FIRST_KG_FEE[province]
    continued = CONTINUED_BY_FIRST_FEE[first]
    quote = quote_fee(province, kg(weight), priced)
    assert quote.fee == first + (charged_kg - 1) * continued
    assert (quote.first_fee, quote.extra_kg, quote.continued_kg_fee) == (first, charged_kg - 1, continued)


@pytest.mark.parametrize("province", ["新疆", "广东", "香港"])
def test_parcel_over_thirty_kilograms_is_handed_off_even_with_prices(priced, province):
    with pytest.raises(NoQuoteAvailable) as err:
        quote_fee(province, kg("30.01"), priced)
    assert err.value.reason == NoQuoteAvailable.TOO_HEAVY


def test_courier_stays_yunda_for_heavy_parcels_to_xinjiang(priced):
    quote = quote_fee("新疆", kg("5"), priced)
    assert quote.couriers == ("韵达",) and quote.ems_if_unreachable


@pytest.mark.parametrize("weight, service, fee", [
    pytest.param("0.3", "EMS", EMS_FIRST, id="0.3kg-EMS"),
    pytest.param("0.5", "EMS", EMS_FIRST, id="0.5kg-EMS"),
    pytest.param("0.51", "E邮宝", EMS_FIRST, id="0.51kg-E邮宝"),
    pytest.param("1.0", "E邮宝", EMS_FIRST, id="1kg-E邮宝"),
    pytest.param("1.01", "E邮宝", EMS_FIRST + EMS_CONTINUED, id="1.01kg-续重1公斤"),
])
@pytest.mark.parametrize("province", [pytest.param(p, id=p) for p in sorted(EMS_ONLY)])
def test_ems_price_is_quoted_once_the_owner_sets_it(priced, province, weight, service, fee):
    quote = quote_fee(province, kg(weight), priced)
    assert quote.couriers == (service,)
    assert quote.fee == fee


def test_ems_first_fee_without_continued_fee_hands_off_over_one_kilogram(store_config_with):
    def ems_first_only(raw):
        raw["shipping"]["ems"]["first_kg_fee"] = 40

    config = store_config_with(ems_first_only)
    assert quote_fee("台湾", kg("1.0"), config).fee == Decimal(40)
    with pytest.raises(NoQuoteAvailable) as err:
        quote_fee("台湾", kg("1.01"), config)
    assert err.value.reason == NoQuoteAvailable.CONTINUED_UNPRICED


def test_continued_fee_for_one_zone_leaves_the_other_zones_handed_off(store_config_with):
    def only_xinjiang_tibet(raw):
        for zone in raw["shipping"]["zones"]:
            if "新疆" in zone["provinces"]:
                zone["continued_kg_fee"] = 8

    config = store_config_with(only_xinjiang_tibet)
    assert quote_fee("西藏", kg("2"), config).fee == Decimal(26)
    with pytest.raises(NoQuoteAvailable):
        quote_fee("广东", kg("2"), config)


def test_built_with_parse_obj_the_config_prices_the_same(priced, shipped_store_yml):
    """StoreConfig.parse_obj on the same data gives the same quotes as load_store_config."""
    raw = copy.deepcopy(shipped_store_yml)
    _configure_prices(raw)
    parsed = StoreConfig.parse_obj(raw)
    for province in MAINLAND:
        assert quote_fee(province, kg("3.2"), parsed) == quote_fee(province, kg("3.2"), priced)


@pytest.mark.parametrize("province", sorted(YUNDA_ONLY))
def test_yunda_regions_keep_their_first_fee_with_prices_configured(priced, province):
    assert quote_fee(province, None, priced).fee == FIRST_KG_FEE[province]


def test_a_quote_says_whether_the_region_ships_by_ems_only(store_config_with):
    config = store_config_with(lambda raw: raw["shipping"]["ems"].__setitem__("first_kg_fee", 40))
    assert quote_fee("台湾", kg("0.4"), config).ems_only
    assert not quote_fee("新疆", kg("0.4"), config).ems_only, "韵达-only, but priced by its zone"
    assert not quote_fee("广东", None, config).ems_only

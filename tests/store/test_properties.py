"""Properties of the store domain, checked on generated inputs (built by mapping, never by
filtering): each test's docstring states the invariant."""
from __future__ import annotations

import csv
import datetime as dt
import importlib.resources
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from opencc import OpenCC

from store import (CHINA, AmbiguousDestination, NoQuoteAvailable, ShippingCalendar, UnknownDestination,
                   Weight, WeightUnreadable, find_weight, parse_weight, quote_fee, ship_date)
from policy_tables import ALL_REGIONS, CUTOFF, MAINLAND, NAMES

PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# ── weights ──────────────────────────────────────────────────────────────────

KG_PER_UNIT = {"kg": Decimal(1), "KG": Decimal(1), "Kg": Decimal(1), "公斤": Decimal(1), "千克": Decimal(1),
               "斤": Decimal("0.5"), "两": Decimal("0.05"), "克": Decimal("0.001"), "g": Decimal("0.001")}
FULL_WIDTH = str.maketrans("0123456789.", "０１２３４５６７８９．")

amounts = st.builds(lambda hundredths: Decimal(hundredths) / 100, st.integers(1, 500_000))  # 0.01 … 5000
written_weights = st.builds(
    lambda amount, unit, space, full_width: (
        (f"{amount:f}".translate(FULL_WIDTH) if full_width else f"{amount:f}") + space + unit,
        amount * KG_PER_UNIT[unit]),
    amounts, st.sampled_from(sorted(KG_PER_UNIT)), st.sampled_from(["", " "]), st.booleans())


@PROPERTY
@given(written_weights)
def test_written_weight_parses_back_to_its_kilograms(written):
    """number + unit, in any unit, with or without a space, in half- or full-width digits,
    reads back as number × the unit's kilograms (1 斤 = 0.5 kg, 1 两 = 50 g)."""
    text, kg = written
    assert parse_weight(text).kg == kg
    assert parse_weight(f"亲，{text}寄新疆多少钱").kg == kg


@PROPERTY
@given(st.builds(lambda w: ("-" + w[0], w[0]), written_weights)
       | st.builds(lambda w: ("负" + w[0], w[0]), written_weights))
def test_negative_weight_is_always_unreadable(written):
    """A minus sign or 负 before any weight makes it unreadable: ask again, never quote."""
    with pytest.raises(WeightUnreadable):
        find_weight(written[0])


SMALL_CHINESE = {1: "一", 2: "两", 3: "三", 4: "四", 5: "五", 6: "六", 7: "七", 8: "八", 9: "九", 10: "十"}


@PROPERTY
@given(st.sampled_from(sorted(SMALL_CHINESE)), st.sampled_from(["公斤", "千克", "斤", "两"]), st.booleans())
def test_chinese_numeral_weight_reads_like_its_digits(number, unit, half):
    """两公斤 = 2公斤, 三斤半 = 3.5斤: a Chinese numeral (and 半) weighs what its digits weigh."""
    suffix = "半" if half and unit != "两" else ""
    chinese = parse_weight(SMALL_CHINESE[number] + unit + suffix).kg
    digits = parse_weight(f"{number}{unit}{suffix}").kg
    assert chinese == digits


# ── fees ─────────────────────────────────────────────────────────────────────

@pytest.fixture(scope="module")
def priced(store_config_with):
    def edit(raw):
        for i, zone in enumerate(raw["shipping"]["zones"]):
            zone["continued_kg_fee"] = 2 + i
        raw["shipping"]["ems"].update(first_kg_fee=40, continued_kg_fee=25)
    return store_config_with(edit)


grams = st.integers(1, 30_000)


@PROPERTY
@given(province=st.sampled_from(ALL_REGIONS), lighter=grams, heavier_by=st.integers(0, 30_000))
def test_fee_never_falls_as_the_weight_rises(priced, province, lighter, heavier_by):
    """With a continued fee configured, a heavier parcel to the same place never costs less
    (up to the 30 kg limit, above which no fee is quoted at all)."""
    heavier = min(lighter + heavier_by, 30_000)
    light = quote_fee(province, Weight(Decimal(lighter) / 1000, "a"), priced)
    heavy = quote_fee(province, Weight(Decimal(heavier) / 1000, "b"), priced)
    assert heavy.fee >= light.fee >= light.first_fee


@PROPERTY
@given(province=st.sampled_from(MAINLAND), grams_=grams)
def test_fee_is_the_first_fee_plus_whole_extra_kilograms(priced, province, grams_):
    """fee = first fee + ⌈weight − 1 kg⌉ × continued fee (part of a kilogram counts as one)."""
    quote = quote_fee(province, Weight(Decimal(grams_) / 1000, "w"), priced)
    extra = max(0, -(-(grams_ - 1000) // 1000))
    assert quote.fee == quote.first_fee + extra * quote.continued_kg_fee


@PROPERTY
@given(province=st.sampled_from(ALL_REGIONS), over=st.integers(1, 10_000_000))
def test_over_thirty_kilograms_is_never_quoted(config, province, over):
    """Anything heavier than 30 kg is handed off, whatever the destination."""
    with pytest.raises(NoQuoteAvailable) as err:
        quote_fee(province, Weight(Decimal(30_000 + over) / 1000, "w"), config)
    assert err.value.reason == NoQuoteAvailable.TOO_HEAVY


# ── ship dates ───────────────────────────────────────────────────────────────

ZONES = [CHINA, ZoneInfo("UTC"), ZoneInfo("America/Los_Angeles"), ZoneInfo("Europe/Berlin"),
         ZoneInfo("Pacific/Kiritimati"), ZoneInfo("Pacific/Pago_Pago"), ZoneInfo("Asia/Kolkata")]
order_times = st.builds(
    lambda instant, zone: instant.replace(tzinfo=dt.timezone.utc).astimezone(zone),
    st.datetimes(min_value=dt.datetime(2024, 1, 1), max_value=dt.datetime(2027, 12, 31)),
    st.sampled_from(ZONES))
extra_days = st.lists(st.dates(min_value=dt.date(2026, 12, 1), max_value=dt.date(2028, 1, 31)), max_size=20)


@PROPERTY
@given(order_times, extra_days)
def test_ship_date_is_never_before_the_order_and_always_a_shipping_day(order_time, extra):
    """Whatever the order time (in any time zone) and the owner's extra days, the parcel ships
    on or after the order's China date, on a shipping day, and on the order day only before 16:00."""
    calendar = ShippingCalendar(True, extra)
    shipped = ship_date(order_time, calendar, CUTOFF)
    local = order_time.astimezone(CHINA)
    assert shipped >= local.date()
    assert calendar.is_open(shipped)
    if shipped == local.date():
        assert local.time() < CUTOFF
    else:  # no shipping day was skipped in between
        day = local.date() + dt.timedelta(days=1)
        while day < shipped:
            assert not calendar.is_open(day)
            day += dt.timedelta(days=1)


# ── destinations ─────────────────────────────────────────────────────────────

_s2t = OpenCC("s2t")


def _prefectures() -> list[str]:
    table = importlib.resources.files("cpca.resources").joinpath("adcodes.csv").read_text("utf8")
    return sorted(row["name"] for row in csv.DictReader(table.splitlines())
                  if row["adcode"][4:6] == "00" and row["adcode"][2:6] != "0000"
                  and row["name"] not in {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})


PREFECTURES = _prefectures()
# Every way of naming a province, paired with its canonical (short) name.
VARIANTS = ([(full, prov) for prov, (full, _, _) in NAMES.items()]
            + [(short, prov) for prov, (_, shorts, _) in NAMES.items() for short in shorts])
ABBREVIATIONS = [(abbr, prov) for prov, (_, _, abbrs) in NAMES.items() for abbr in abbrs]
SENTENCES = ["{}", "寄到{}", "发{}", "{}运费多少", "亲，寄到{}运费多少？", "{}的邮费", "寄{}要几天", "到{}多少钱"]
ABBR_SENTENCES = ["{}", "寄{}", "发到{}", "寄到{}呢", "发{}多少钱", "寄{}运费", "寄{}吗？"]


@PROPERTY
@given(st.sampled_from(VARIANTS), st.sampled_from(SENTENCES), st.booleans())
def test_province_named_any_way_in_any_sentence_resolves_like_its_canonical_name(places, variant, sentence, traditional):
    """Full name, short name, simplified or traditional, alone or in a question: the province
    is the same as for its canonical short name."""
    name, province = variant
    text = sentence.format(name)
    text = _s2t.convert(text) if traditional else text
    assert places.resolve(text).province == places.resolve(province).province == province


@PROPERTY
@given(st.sampled_from(ABBREVIATIONS), st.sampled_from(ABBR_SENTENCES))
def test_abbreviation_as_the_whole_destination_resolves_like_its_province(places, abbreviation, sentence):
    """寄粤, 发到沪: a one-character abbreviation alone (with 寄/发到 and a short question) is its province."""
    abbr, province = abbreviation
    assert places.resolve(sentence.format(abbr)).province == province


@PROPERTY
@given(st.sampled_from(PREFECTURES))
def test_traditional_spelling_of_a_prefecture_resolves_like_the_simplified_one(places, name):
    """烏魯木齊市 resolves like 乌鲁木齐市 (OpenCC s2t of every prefecture in the adcode table)."""
    assert places.resolve(_s2t.convert(name)).province == places.resolve(name).province


FRAGMENTS = ["😀", "👍🏻", "<script>alert(1)</script>", "<b>", "&amp;", "\x00", "\u200b", "\ufeff", "寄", "到",
             "新", "粤", "朝阳", "新疆", "乌鲁木齐", "市", "省", "区", "运费", "呢", "？", "%s", "{}", "{fee}",
             "\\", "'", '"', "\n", "ｋｇ", "２", "廣", "亲", " ", "ー", "ﾊﾟ", "𠀀"]
any_text = st.lists(st.one_of(st.text(max_size=20), st.sampled_from(FRAGMENTS)), max_size=30).map("".join)


@PROPERTY
@given(any_text)
@example("")
@example("😀" * 5000)
@example("<script>alert('寄到新疆')</script>" * 200)
@example("寄到" + "新疆乌鲁木齐" * 900)
@example("啊" * 4999 + "粤")
def test_resolve_only_ever_raises_unknown_or_ambiguous(places, text):
    """On any text at all (emoji, HTML, control characters, 5,000 characters) resolve returns a
    destination among the known regions or raises UnknownDestination/AmbiguousDestination."""
    try:
        destination = places.resolve(text)
    except (UnknownDestination, AmbiguousDestination) as err:
        if isinstance(err, AmbiguousDestination):
            assert len(err.provinces) > 1 and set(err.provinces) <= set(ALL_REGIONS)
        return
    assert destination.province in ALL_REGIONS


@PROPERTY
@given(any_text)
@example("😀" * 5000)
@example("1" * 5000 + "kg")
def test_find_weight_only_ever_raises_weight_unreadable(text):
    """On any text find_weight returns None, a positive weight, or raises WeightUnreadable."""
    try:
        weight = find_weight(text)
    except WeightUnreadable:
        return
    assert weight is None or weight.kg > 0

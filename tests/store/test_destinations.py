"""Every way a shopper names a destination resolves to its province (store-policy §1.1), and
a name that cannot be placed, or is shared across fee zones, is asked about, never guessed."""
from __future__ import annotations

import csv
import importlib.resources

import pytest

from store import AmbiguousDestination, UnknownDestination
from policy_tables import CAPITALS, FIRST_KG_FEE, NAMES

PROVINCE_BY_ADCODE = {
    "11": "北京", "12": "天津", "13": "河北", "14": "山西", "15": "内蒙古", "21": "辽宁", "22": "吉林",
    "23": "黑龙江", "31": "上海", "32": "江苏", "33": "浙江", "34": "安徽", "35": "福建", "36": "江西",
    "37": "山东", "41": "河南", "42": "湖北", "43": "湖南", "44": "广东", "45": "广西", "46": "海南",
    "50": "重庆", "51": "四川", "52": "贵州", "53": "云南", "54": "西藏", "61": "陕西", "62": "甘肃",
    "63": "青海", "64": "宁夏", "65": "新疆", "71": "台湾", "81": "香港", "82": "澳门",
}
# adcode rows that name no place ("市辖区" under a municipality) and generic district words the
# owner lists as not_places in places.yml (城区, 郊区, 矿区 are no destination on their own).
NOT_A_PLACE = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划", "城区", "郊区", "矿区"}


def _adcode_rows() -> list[dict]:
    table = importlib.resources.files("cpca.resources").joinpath("adcodes.csv").read_text("utf8")
    return [row for row in csv.DictReader(table.splitlines()) if row["name"] not in NOT_A_PLACE]


ADCODE_ROWS = _adcode_rows()
PREFECTURES = [(r["name"], PROVINCE_BY_ADCODE[r["adcode"][:2]]) for r in ADCODE_ROWS
               if r["adcode"][:6].endswith("00") and not r["adcode"][:6].endswith("0000")]


def assert_resolves(places, text: str, province: str) -> None:
    assert places.resolve(text).province == province, text


# ── full, short and abbreviated province names ─────────────────────────────────

@pytest.mark.parametrize("text, province", [
    pytest.param(full, prov, id=f"{prov}-{full}") for prov, (full, _, _) in NAMES.items()
])
def test_full_official_name_resolves_to_its_province(places, text, province):
    assert_resolves(places, text, province)


@pytest.mark.parametrize("text, province", [
    pytest.param(short, prov, id=f"{prov}-{short}") for prov, (_, shorts, _) in NAMES.items() for short in shorts
])
def test_short_name_resolves_to_its_province(places, text, province):
    assert_resolves(places, text, province)


@pytest.mark.parametrize("template", ["{}", "寄{}", "发到{}", "寄到{}呢", "那发{}呢"])
@pytest.mark.parametrize("abbr, province", [
    pytest.param(abbr, prov, id=f"{prov}-{abbr}") for prov, (_, _, abbrs) in NAMES.items() for abbr in abbrs
])
def test_one_character_abbreviation_is_accepted_as_the_whole_destination(places, abbr, province, template):
    assert_resolves(places, template.format(abbr), province)


@pytest.mark.parametrize("text, province", [
    pytest.param("寄粤运费多少", "广东", id="广东-寄粤运费多少"),
    pytest.param("发到沪邮费多少钱", "上海", id="上海-发到沪邮费多少钱"),
    pytest.param("寄新要几天", "新疆", id="新疆-寄新要几天"),
])
def test_abbreviation_followed_by_the_fee_question_resolves(places, text, province):
    assert_resolves(places, text, province)


@pytest.mark.parametrize("text", [
    pytest.param("新的地址", id="新-新的地址"),
    pytest.param("我想买新款", id="新-新款"),
    pytest.param("台灯有货吗", id="台-台灯"),
    pytest.param("是港货吗", id="港-港货"),
    pytest.param("要黑色的", id="黑-黑色"),
    pytest.param("青菜", id="青-青菜"),
    pytest.param("宁可贵一点", id="宁-宁可"),
    pytest.param("云朵图案", id="云-云朵"),
    pytest.param("能发京东吗", id="京-京东"),
    pytest.param("苏打水", id="苏-苏打"),
])
def test_abbreviation_inside_an_ordinary_word_is_not_a_destination(places, text):
    with pytest.raises(UnknownDestination):
        places.resolve(text)


# ── traditional characters, cities, counties, addresses ──────────────────────

@pytest.mark.parametrize("text, province", [
    pytest.param("廣東", "广东", id="广东-廣東"),
    pytest.param("臺灣", "台湾", id="台湾-臺灣"),
    pytest.param("烏魯木齊", "新疆", id="新疆-烏魯木齊"),
    pytest.param("廣州", "广东", id="广东-廣州"),
    pytest.param("寄到臺北", "台湾", id="台湾-臺北"),
    pytest.param("香港九龍", "香港", id="香港-九龍"),
    pytest.param("澳門", "澳门", id="澳门-澳門"),
    pytest.param("黑龍江", "黑龙江", id="黑龙江-黑龍江"),
    pytest.param("內蒙古", "内蒙古", id="内蒙古-內蒙古"),
    pytest.param("新疆維吾爾自治區", "新疆", id="新疆-維吾爾自治區"),
    pytest.param("廣西壯族自治區", "广西", id="广西-壯族自治區"),
    pytest.param("遼寧大連", "辽宁", id="辽宁-遼寧大連"),
])
def test_traditional_characters_resolve_like_simplified(places, text, province):
    assert_resolves(places, text, province)


@pytest.mark.parametrize("text, province", [
    pytest.param(city, prov, id=f"{prov}-{city}")
    for prov, city in CAPITALS.items()
])
def test_capital_resolves_to_its_province(places, text, province):
    assert_resolves(places, text, province)


@pytest.mark.parametrize("text, province", [
    pytest.param("深圳", "广东", id="广东-深圳"),
    pytest.param("东莞", "广东", id="广东-东莞"),
    pytest.param("大连", "辽宁", id="辽宁-大连"),
    pytest.param("三亚", "海南", id="海南-三亚"),
    pytest.param("苏州", "江苏", id="江苏-苏州"),
    pytest.param("宁波", "浙江", id="浙江-宁波"),
    pytest.param("青岛", "山东", id="山东-青岛"),
    pytest.param("厦门", "福建", id="福建-厦门"),
    pytest.param("桂林", "广西", id="广西-桂林"),
    pytest.param("大理", "云南", id="云南-大理"),
    pytest.param("宝鸡", "陕西", id="陕西-宝鸡"),
    pytest.param("吉林市", "吉林", id="吉林-吉林市"),
    pytest.param("海南", "海南", id="海南-海南省不是海南州"),
])
def test_big_city_resolves_to_its_province(places, text, province):
    assert_resolves(places, text, province)


@pytest.mark.parametrize("text, province", [
    pytest.param("浦东", "上海", id="上海-浦东"),
    pytest.param("浦东新区", "上海", id="上海-浦东新区"),
    pytest.param("昆山", "江苏", id="江苏-昆山"),
    pytest.param("义乌", "浙江", id="浙江-义乌"),
    pytest.param("喀什", "新疆", id="新疆-喀什"),
    pytest.param("伊犁", "新疆", id="新疆-伊犁"),
    pytest.param("伊犁州", "新疆", id="新疆-伊犁州"),
    pytest.param("海淀区", "北京", id="北京-海淀区"),
    pytest.param("大理州", "云南", id="云南-大理州"),
    pytest.param("西双版纳", "云南", id="云南-西双版纳"),
    pytest.param("延边", "吉林", id="吉林-延边"),
])
def test_county_or_district_resolves_to_its_province(places, text, province):
    assert_resolves(places, text, province)


@pytest.mark.parametrize("text, province", [
    pytest.param("浙江省杭州市西湖区文三路90号", "浙江", id="浙江-文三路"),
    pytest.param("广东省深圳市南山区科技园", "广东", id="广东-南山区"),
    pytest.param("广东省广州市天河区体育西路", "广东", id="广东-天河区"),
    pytest.param("上海市浦东新区世纪大道100号", "上海", id="上海-浦东新区"),
    pytest.param("陕西省西安市雁塔区长安南路", "陕西", id="陕西-雁塔区"),
    pytest.param("北京市朝阳区建国路88号", "北京", id="北京-朝阳区有省份"),
    pytest.param("辽宁省朝阳市双塔区", "辽宁", id="辽宁-朝阳市有省份"),
    pytest.param("江苏省南通市通州区", "江苏", id="江苏-通州区有城市"),
    pytest.param("寄到乌鲁木齐运费多少", "新疆", id="新疆-问句"),
    pytest.param("我在广州 寄到新疆", "新疆", id="新疆-寄到后面的是目的地"),
    pytest.param("从北京寄到上海", "上海", id="上海-寄到后面的是目的地"),
])
def test_full_address_or_sentence_resolves_to_its_province(places, text, province):
    assert_resolves(places, text, province)


@pytest.mark.parametrize("text, province", [
    pytest.param("新疆乌鲁木齐市天山区解放北路", "新疆", id="新疆-解放北路→河南"),
    pytest.param("山东省青岛市市南区香港中路", "山东", id="山东-香港中路→香港"),
    pytest.param("江苏省南京市鼓楼区中山路", "江苏", id="江苏-中山路→广东或辽宁"),
    pytest.param("福建省厦门市思明区湖滨南路", "福建", id="福建-湖滨南路→河南"),
])
def test_full_address_with_a_street_named_after_a_place_resolves_to_its_province(places, text, province):
    assert_resolves(places, text, province)


# ── ambiguous and unknown ─────────────────────────────────────────────────────

@pytest.mark.parametrize("text, must_list", [
    pytest.param("朝阳", {"北京", "辽宁"}, id="朝阳-北京或辽宁"),
    pytest.param("寄到朝阳", {"北京", "辽宁"}, id="寄到朝阳"),
    pytest.param("通州", {"北京", "江苏"}, id="通州-北京或江苏南通"),
    pytest.param("海南州", {"青海", "海南"}, id="海南州-青海或海南"),
])
def test_name_shared_across_fee_zones_is_asked_about_listing_the_candidates(places, text, must_list):
    with pytest.raises(AmbiguousDestination) as err:
        places.resolve(text)
    assert must_list <= set(err.value.provinces)
    fees = {FIRST_KG_FEE[p] for p in must_list}
    assert len(fees) > 1, "the policy asks only when the candidates' fees differ"
    assert all(p in str(err.value) for p in must_list)


@pytest.mark.parametrize("text", [
    pytest.param("火星", id="火星"),
    pytest.param("运费多少", id="运费多少"),
    pytest.param("", id="空"),
    pytest.param("   ", id="空格"),
    pytest.param("在吗", id="在吗"),
    pytest.param("什么时候发货", id="什么时候发货"),
    pytest.param("能开发票吗", id="能开发票吗"),
    pytest.param("😀😀", id="emoji"),
    pytest.param("<script>alert(1)</script>", id="html"),
    pytest.param("Mars", id="英文"),
])
def test_unknown_place_is_reported_not_guessed(places, text):
    with pytest.raises(UnknownDestination):
        places.resolve(text)


@pytest.mark.parametrize("text", [
    pytest.param("你家合作的快递有哪些", id="合作-甘肃合作市"),
    pytest.param("你们是商城店吧", id="商城-河南商城县"),
    pytest.param("在阿里旺旺上联系你们", id="阿里-西藏阿里地区"),
])
def test_shop_words_that_are_also_county_names_are_not_destinations(places, text):
    with pytest.raises(UnknownDestination):
        places.resolve(text)


# ── the whole adcode table ───────────────────────────────────────────────────

@pytest.mark.parametrize("text, province", [
    pytest.param(name, prov, id=f"{prov}-{name}") for name, prov in PREFECTURES
] + [
    pytest.param(name.removesuffix("市"), prov, id=f"{prov}-{name.removesuffix('市')}")
    for name, prov in PREFECTURES if name.endswith("市")
])
def test_prefecture_level_city_resolves_to_its_province_or_asks_including_it(places, text, province):
    """Official names (乌鲁木齐市) and the everyday form without 市 (乌鲁木齐)."""
    try:
        resolved = places.resolve(text)
    except AmbiguousDestination as err:
        assert province in err.provinces, f"{text}: asked about {err.provinces}, not {province}"
    else:
        assert resolved.province == province


def test_every_official_division_name_resolves_to_its_province_or_asks_including_it(places):
    """All ~3,500 provinces, prefectures, counties and districts of the adcode table."""
    wrong = []
    for row in ADCODE_ROWS:
        name, province = row["name"], PROVINCE_BY_ADCODE[row["adcode"][:2]]
        try:
            resolved = places.resolve(name)
        except AmbiguousDestination as err:
            if province not in err.provinces:
                wrong.append((name, province, err.provinces))
        except UnknownDestination:
            wrong.append((name, province, "unknown"))
        else:
            if resolved.province != province:
                wrong.append((name, province, resolved.province))
    assert wrong == []


@pytest.mark.parametrize("text, province", [
    pytest.param("乾县", "陕西", id="陕西-乾县"),
    pytest.param("乾安县", "吉林", id="吉林-乾安县"),
])
def test_county_with_the_character_qian_resolves(places, text, province):
    assert_resolves(places, text, province)

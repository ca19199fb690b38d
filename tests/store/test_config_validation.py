"""The owner's configuration is checked when loaded (store-policy: "configurable" values live in
store_config/): every ConfigError names the file, the key path and what is wrong."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from store import DEFAULT_CONFIG_DIR, ConfigError, Replies, StoreConfig, load_store, load_store_config
from policy_tables import ALL_REGIONS, FIRST_KG_FEE


def zone_of(raw: dict, province: str) -> dict:
    return next(z for z in raw["shipping"]["zones"] if province in z["provinces"])


def test_shipped_config_is_valid_and_matches_the_policys_fee_table(config):
    assert isinstance(config, StoreConfig)
    assert config.store.name == "示例旗舰店"
    for province, fee in FIRST_KG_FEE.items():
        assert config.zone_of(province).first_kg_fee == fee, province
    for zone in config.shipping.zones:
        assert zone.continued_kg_fee is None, "policy §9: 续重 unset by default"
    assert config.shipping.ems.first_kg_fee is None, "policy §9: EMS price unset by default"
    assert config.shipping.max_quote_weight_kg == 30


def test_shipped_config_dir_loads_with_every_region_covered(store):
    assert store.places.provinces == set(ALL_REGIONS)


def _add_to_second_zone(province):
    def edit(raw):
        raw["shipping"]["zones"][0]["provinces"].append(province)
    return edit


def _remove_everywhere(province):
    def edit(raw):
        for zone in raw["shipping"]["zones"]:
            if province in zone["provinces"]:
                zone["provinces"].remove(province)
        for rule in raw["shipping"]["couriers"]["restricted"]:
            if province in rule["provinces"]:
                rule["provinces"].remove(province)
    return edit


def _set(path: str, value):
    def edit(raw):
        node = raw
        *parents, last = path.split(".")
        for key in parents:
            node = node[int(key)] if key.isdigit() else node[key]
        node[int(last) if last.isdigit() else last] = value
    return edit


@pytest.mark.parametrize("edit, key, words", [
    pytest.param(_add_to_second_zone("新疆"), "shipping", ["新疆", "江浙沪粤", "新藏"], id="省份在两个区"),
    pytest.param(_add_to_second_zone("火星"), "shipping", ["火星"], id="未知省份名"),
    pytest.param(_add_to_second_zone("新疆维吾尔自治区"), "shipping", ["新疆维吾尔自治区"], id="全称不是简称"),
    pytest.param(_remove_everywhere("广东"), "shipping.zones", ["广东"], id="漏了一个省"),
    pytest.param(_set("shipping.cutoff", "25:00"), "shipping.cutoff", ["25:00"], id="截单时间25:00"),
    pytest.param(_set("shipping.zones.4.first_kg_fee", -1), "shipping.zones.4.first_kg_fee", [], id="首重运费为负"),
    pytest.param(_set("shipping.zones.0.continued_kg_fee", -2), "shipping.zones.0.continued_kg_fee", [],
                 id="续重运费为负"),
    pytest.param(_set("shipping.zones.0.first_kg_fee", "八块"), "shipping.zones.0.first_kg_fee", [], id="运费不是数字"),
    pytest.param(_set("shipping.ems.first_kg_fee", -5), "shipping.ems.first_kg_fee", [], id="EMS运费为负"),
    pytest.param(_set("shipping.max_quote_weight_kg", 0), "shipping.max_quote_weight_kg", [], id="最大重量为0"),
    pytest.param(_set("shipping.extra_non_shipping_days", ["2027-02-30"]), "shipping.extra_non_shipping_days.0", [],
                 id="不存在的日期"),
    pytest.param(_set("shipping.couriers.default", ["顺丰"]), "shipping.couriers", ["顺丰"], id="默认快递不在合作列表"),
    pytest.param(_set("handoff.working_hours", {"start": "18:00", "end": "09:00"}), "handoff.working_hours", [],
                 id="下班早于上班"),
    pytest.param(_set("shipping.cutof", "16:00"), "shipping.cutof", [], id="拼错的键"),
])
def test_invalid_store_yml_names_the_file_and_the_key(write_store_yml, places, edit, key, words):
    path = write_store_yml(edit)
    with pytest.raises(ConfigError) as err:
        load_store_config(path, provinces=places.provinces)
    assert err.value.file == str(path)
    assert err.value.key == key
    message = str(err.value)
    assert str(path) in message and f"at {key}:" in message
    for word in words:
        assert word in message


def test_province_missing_from_the_fee_zones_is_an_error_even_with_a_courier_rule(write_store_yml, places):
    def drop_xinjiang_fee(raw):
        zone_of(raw, "新疆")["provinces"].remove("新疆")

    with pytest.raises(ConfigError) as err:
        load_store_config(write_store_yml(drop_xinjiang_fee), provinces=places.provinces)
    assert err.value.key.startswith("shipping.zones")
    assert "新疆" in str(err.value)


def test_unreadable_yaml_names_the_file_and_the_line(tmp_path):
    path = tmp_path / "store.yml"
    path.write_text("shipping: [\n", encoding="utf8")
    with pytest.raises(ConfigError) as err:
        load_store_config(path)
    assert str(path) in str(err.value) and "line" in err.value.key


def test_missing_file_names_the_file(tmp_path):
    with pytest.raises(ConfigError) as err:
        load_store_config(tmp_path / "nope.yml")
    assert "nope.yml" in str(err.value)


def test_owner_can_set_a_lunch_break_and_continued_fee(store_config_with):
    def edit(raw):
        raw["handoff"]["lunch_break"] = {"start": "12:00", "end": "13:30"}
        zone_of(raw, "新疆")["continued_kg_fee"] = 8

    config = store_config_with(edit)
    assert config.handoff.lunch_break.start.hour == 12
    assert config.zone_of("新疆").continued_kg_fee == 8


# ── replies.yml ──────────────────────────────────────────────────────────────

@pytest.fixture
def replies_yml(tmp_path) -> Path:
    path = tmp_path / "replies.yml"
    shutil.copy(DEFAULT_CONFIG_DIR / "replies.yml", path)
    return path


def _edit_replies(path: Path, edit) -> None:
    raw = yaml.safe_load(path.read_text(encoding="utf8"))
    edit(raw)
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf8")


@pytest.mark.parametrize("edit, key, words", [
    pytest.param(lambda r: r.__setitem__("fee_quote", "运费{fee}元，{price}"), "fee_quote", ["price"], id="未知占位符"),
    pytest.param(lambda r: r.__setitem__("fee_quote", "运费{fee元"), "fee_quote", [], id="占位符没闭合"),
    pytest.param(lambda r: r.pop("bargain_firm"), "bargain_firm", ["missing"], id="缺少回答"),
    pytest.param(lambda r: r.__setitem__("invoice_when", "  "), "invoice_when", [], id="空回答"),
    pytest.param(lambda r: r.__setitem__("fee_qoute", "x"), "fee_qoute", [], id="拼错的回答名"),
    pytest.param(lambda r: r.__setitem__("not_understood", {"text": "x", "buttons": [{"title": "t"}]}),
                 "not_understood.buttons", [], id="按钮缺payload"),
])
def test_invalid_replies_yml_names_the_answer(replies_yml, edit, key, words):
    _edit_replies(replies_yml, edit)
    with pytest.raises(ConfigError) as err:
        Replies.from_file(replies_yml, "示例旗舰店")
    assert err.value.key == key
    assert str(replies_yml) in str(err.value)
    for word in words:
        assert word in str(err.value)


def test_store_name_is_available_in_every_answer(replies_yml):
    _edit_replies(replies_yml, lambda r: r.__setitem__("fee_cart", "{store_name}：一起拍只收一次运费"))
    text, _ = Replies.from_file(replies_yml, "测试小店").render("fee_cart")
    assert text == "测试小店：一起拍只收一次运费"


def test_broken_config_dir_refuses_to_load(tmp_path):
    target = tmp_path / "store_config"
    shutil.copytree(DEFAULT_CONFIG_DIR, target)
    (target / "store.yml").write_text("store: {name: x}\n", encoding="utf8")
    with pytest.raises(ConfigError):
        load_store(target)


# ── every file of store_config/: a broken one is named, never a traceback ────────

@pytest.fixture
def config_copy(tmp_path) -> Path:
    target = tmp_path / "store_config"
    shutil.copytree(DEFAULT_CONFIG_DIR, target)
    return target


@pytest.mark.parametrize("file, content, key", [
    pytest.param("replies.yml", "fee_quote: [\n", "line", id="replies不是YAML"),
    pytest.param("replies.yml", "- 一个列表\n", "(top level)", id="replies是列表"),
    pytest.param("places.yml", "aliases: {内蒙: [内蒙古]\n", "line", id="places不是YAML"),
    pytest.param("places.yml", "abbreviations: 粤广东\n", "abbreviations", id="简称不是对照表"),
    pytest.param("places.yml", "abbreviations: {粤: 广州}\n", "abbreviations.粤", id="简称对应未知省份"),
    pytest.param("places.yml", "abbreviations: {广东: 广东}\n", "abbreviations.广东", id="简称不止一个字"),
    pytest.param("places.yml", "aliases: {内蒙: 内蒙古}\n", "aliases.内蒙", id="别名省份不是列表"),
    pytest.param("places.yml", "aliases: {内蒙: [蒙古国]}\n", "aliases.内蒙", id="别名对应未知省份"),
    pytest.param("places.yml", "not_places: 新区\n", "not_places", id="非地名不是列表"),
    pytest.param("places.yml", "alias: {}\n", "alias", id="未知段落"),
])
def test_a_broken_file_names_itself_and_the_key(config_copy, file, content, key):
    (config_copy / file).write_text(content, encoding="utf8")
    with pytest.raises(ConfigError) as err:
        load_store(config_copy)
    assert file in err.value.file and err.value.key.startswith(key)


def test_a_file_that_is_not_utf8_is_named(config_copy):
    (config_copy / "places.yml").write_bytes("aliases: {内蒙: [内蒙古]}\n".encode("gbk"))
    with pytest.raises(ConfigError, match="UTF-8"):
        load_store(config_copy)


def test_check_config_reports_a_broken_file_without_a_traceback(config_copy):
    (config_copy / "places.yml").write_text("abbreviations: {粤: 广州}\n", encoding="utf8")
    done = subprocess.run([sys.executable, "-m", "store.check", str(config_copy)], capture_output=True,
                          text=True, cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 1
    assert "places.yml: at abbreviations.粤: unknown province '广州'" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("campaign, words", [
    pytest.param("加微信领券", "WeChat", id="微信"),
    pytest.param("详情见 http://example.com", "links", id="链接"),
    pytest.param("满199减20 咨询13812345678", "phone", id="电话"),
    pytest.param("   ", "needs a text", id="空"),
])
def test_a_campaign_text_with_contact_details_or_links_is_refused(store_config_with, campaign, words):
    with pytest.raises(ConfigError) as err:
        store_config_with(lambda raw: raw.setdefault("promotions", {}).__setitem__("campaigns", [campaign]))
    assert err.value.key.startswith("promotions.campaigns") and words in err.value.problem


def test_no_campaign_by_default(config):
    assert config.promotions.campaigns == ()

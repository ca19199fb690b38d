"""The owner's settings form on store.yml (store.StoreSettingsFile): every value the form edits,
the same validation as `make check-config` with a Chinese message next to the wrong field, an
atomic save that keeps the file's comments, a save refused after a concurrent edit, restoring a
version, and the running store picking the save up without a restart.

Every test works on a copy of store_config/ in tmp_path: the shipped files are never written."""
from __future__ import annotations

import os
import re
import shutil
import stat
from decimal import Decimal
from pathlib import Path

import pytest

from store import (DEFAULT_CONFIG_DIR, NEW_ROW, ConfigError, EditConflict, EditInvalid, StoreCache,
                   StoreSettingsFile, file_version, load_store, quote_fee)

CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def config_dir(tmp_path) -> Path:
    target = tmp_path / "store_config"
    shutil.copytree(DEFAULT_CONFIG_DIR, target)
    return target


@pytest.fixture
def settings(config_dir) -> StoreSettingsFile:
    return StoreSettingsFile(config_dir)


def zone_index(draft, name: str) -> str:
    return next(str(z.origin) for z in draft.settings.zones if z.name == name)


def xinjiang_on_its_own(draft, fee: str = "20") -> dict:
    """What the owner posts to give 新疆 a zone of its own."""
    fields = dict(draft.fields)
    fields["province.新疆"] = NEW_ROW
    fields["zones.new.name"] = "新疆"
    fields["zones.new.first_kg_fee"] = fee
    return fields


def fee_to(store, place: str) -> Decimal:
    return quote_fee(store.places.resolve(place).province, None, store.config).fee


def comments(text: str) -> list[str]:
    return [line[line.index("#"):].strip() for line in text.splitlines() if "#" in line]


# ── the form shows the file ──────────────────────────────────────────────────────────────────
def test_the_form_shows_every_value_of_the_file(settings):
    draft = settings.load()
    fields = draft.fields
    assert draft.version == file_version((settings.path).read_text(encoding="utf8"))
    assert fields["store_name"] == "示例旗舰店"
    assert fields["province.新疆"] == fields["province.西藏"] == zone_index(draft, "新藏")
    assert fields[f"zones.{zone_index(draft, '新藏')}.first_kg_fee"] == "18"
    assert fields[f"zones.{zone_index(draft, '新藏')}.continued_kg_fee"] == ""   # null: 续重 unset
    assert fields["couriers.available"] == ["汇通", "韵达", "EMS"]
    assert fields["cutoff"] == "16:00" and fields["statutory_holidays"] == "on"
    assert (fields["working_start"], fields["working_end"], fields["lunch_start"]) == ("09:00", "18:00", "")
    assert fields["reply_fraction"] == "0.5"
    assert "province.香港" not in fields, "港澳台 are in no zone: EMS only"


def test_saving_the_form_unchanged_writes_nothing(settings):
    before = settings.path.stat().st_mtime_ns
    draft = settings.load()
    saved = settings.save(draft.fields, draft.version)
    assert saved.changes == [] and not saved.changed
    assert settings.path.stat().st_mtime_ns == before
    assert settings.path.read_text(encoding="utf8") == (DEFAULT_CONFIG_DIR / "store.yml").read_text(encoding="utf8")


def test_ticked_boxes_keep_the_files_order_whatever_order_the_form_posts_them_in(settings):
    draft = settings.load()
    fields = dict(draft.fields, **{"couriers.available": ["EMS", "韵达", "汇通"],
                                   "restricted.0.provinces": sorted(draft.fields["restricted.0.provinces"])})
    saved = settings.save(fields, draft.version)
    assert saved.changes == [] and saved.text == draft.text


# ── the case: 新疆 in a zone of its own, live ───────────────────────────────────────
def test_xinjiang_in_a_zone_of_its_own_is_quoted_by_the_running_store_without_a_restart(config_dir, settings):
    cache = StoreCache(config_dir)
    assert fee_to(cache.get(), "乌鲁木齐") == 18          # loaded before the save, like the action server
    draft = settings.load()
    saved = settings.save(xinjiang_on_its_own(draft), draft.version, base_text=draft.text)
    assert saved.changes == [
        "新建分区「新疆」：首重运费20元，续重未设置，偏远加1–3天",
        "新疆：从「新藏」移到新区「新疆」",
        "新疆 首重运费 18 → 20元",
    ]
    live = cache.get()
    assert fee_to(live, "乌鲁木齐") == 20
    assert fee_to(live, "拉萨") == 18
    assert [z.name for z in live.config.shipping.zones][-2:] == ["新藏", "新疆"]
    assert live.config.zone_of("新疆").arrival_extra_days == (1, 3), "a new zone keeps the remote days it came with"


def test_a_save_keeps_every_comment_and_changes_only_the_lines_it_must(settings):
    original = settings.path.read_text(encoding="utf8")
    draft = settings.load()
    fields = xinjiang_on_its_own(draft)
    fields["cutoff"] = "17:00"
    saved = settings.save(fields, draft.version)
    assert comments(saved.text) == comments(original)
    assert saved.text == settings.path.read_text(encoding="utf8")
    assert 'cutoff: "17:00"            # orders before this time' in saved.text
    changed = set(saved.text.splitlines()) - set(original.splitlines())
    assert changed == {'  cutoff: "17:00"            # orders before this time (Asia/Shanghai) ship the same day',
                       "      provinces: [西藏]", "    - name: 新疆", "      first_kg_fee: 20",
                       "      provinces: [新疆]"}


def test_moving_a_province_to_another_zone_and_emptying_a_zone(settings, config_dir):
    draft = settings.load()
    fields = dict(draft.fields)
    fields["province.海南"] = zone_index(draft, "江浙沪粤")
    northwest = zone_index(draft, "东北西北")
    fields["province.新疆"] = fields["province.西藏"] = northwest
    saved = settings.save(fields, draft.version)
    assert "海南：从「华中华南」移到「江浙沪粤」" in saved.changes
    assert "海南 首重运费 10 → 8元" in saved.changes
    assert "删除分区「新藏」" in saved.changes
    assert "新疆 首重运费 18 → 15元" in saved.changes
    config = load_store(config_dir).config
    assert [z.name for z in config.shipping.zones] == ["江浙沪粤", "华中华南", "华北西南", "东北西北"]
    assert config.zone_of("海南").first_kg_fee == 8


def test_zone_fees_names_and_the_other_settings_are_saved_and_described(settings, config_dir):
    draft = settings.load()
    i = zone_index(draft, "华北西南")
    fields = dict(draft.fields, **{
        f"zones.{i}.name": "华北西南区", f"zones.{i}.first_kg_fee": "13", f"zones.{i}.continued_kg_fee": "5元",
        f"zones.{i}.arrival_max": "1",
        "store_name": "新店名", "ems.first_kg_fee": "30", "ems.ems_max_kg": "0.6", "cutoff": "17:30",
        "statutory_holidays": "", "extra_non_shipping_days": "2027-01-01\n2027-02-05", "arrival_max": "4",
        "working_start": "08:30", "lunch_start": "12:00", "lunch_end": "13:30", "reply_fraction": "0.25",
        "max_quote_weight_kg": "50", "couriers.default": ["韵达"],
    })
    fields["restricted.0.provinces"] = [p for p in fields["restricted.0.provinces"] if p != "海南"]
    saved = settings.save(fields, draft.version)
    for line in ["分区「华北西南」改名为「华北西南区」", "分区「华北西南区」 首重运费 12 → 13元",
                 "分区「华北西南区」 续重 未设置 → 5元/公斤", "分区「华北西南区」 偏远加天数 0–0天 → 0–1天",
                 "店铺名称 「示例旗舰店」 → 「新店名」", "EMS首重运费 未设置 → 30元", "EMS与E邮宝的分界 0.5公斤 → 0.6公斤",
                 "截单时间 16:00 → 17:30", "法定节假日不发货 是 → 否", "不发货日期：加上 2027-01-01、2027-02-05",
                 "一般到货天数 2–3天 → 2–4天", "工作时间 09:00–18:00 → 08:30–18:00", "午休 无 → 12:00–13:30",
                 "承诺回复时间（工作日的比例） 0.5 → 0.25", "最大报价重量 30公斤 → 50公斤",
                 "默认快递 汇通、韵达 → 韵达", "只发韵达的地区：去掉 海南"]:
        assert line in saved.changes
    config = load_store(config_dir).config
    zone = config.zone_of("北京")
    assert (zone.name, zone.first_kg_fee, zone.continued_kg_fee) == ("华北西南区", 13, 5)
    assert str(config.handoff.lunch_break.start) == "12:00:00"
    assert config.shipping.extra_non_shipping_days[0].isoformat() == "2027-01-01"
    assert config.required_courier("海南") is None
    assert config.store.name == "新店名"
    assert 'lunch_break: {start: "12:00", end: "13:30"}' in saved.text


def test_a_new_courier_rule_and_an_emptied_one(settings, config_dir):
    draft = settings.load()
    fields = dict(draft.fields, **{"restricted.new.courier": "汇通", "restricted.new.provinces": ["上海"],
                                   "restricted.0.provinces": []})
    saved = settings.save(fields, draft.version)
    assert "新增限定：只发汇通的地区 上海" in saved.changes
    assert any(line.startswith("删除限定：只发韵达的地区") for line in saved.changes)
    config = load_store(config_dir).config
    assert config.required_courier("上海") == "汇通" and config.required_courier("新疆") is None


# ── validation: each kind of bad input, next to its field, in Chinese ───────────────────────
BAD_INPUT = [
    pytest.param({"zones.0.first_kg_fee": "-1"}, "zones.0.first_kg_fee", id="负运费"),
    pytest.param({"zones.0.first_kg_fee": "八元"}, "zones.0.first_kg_fee", id="运费不是数字"),
    pytest.param({"zones.0.first_kg_fee": ""}, "zones.0.first_kg_fee", id="运费没填"),
    pytest.param({"zones.0.continued_kg_fee": "-2"}, "zones.0.continued_kg_fee", id="负续重"),
    pytest.param({"zones.0.name": ""}, "zones.0.name", id="分区没名字"),
    pytest.param({"zones.1.name": "江浙沪粤"}, "zones.1.name", id="分区重名"),
    pytest.param({"zones.3.arrival_min": "3", "zones.3.arrival_max": "1"}, "zones.3.arrival_max", id="天数颠倒"),
    pytest.param({"zones.3.arrival_min": "-1"}, "zones.3.arrival_min", id="负天数"),
    pytest.param({"province.新疆": NEW_ROW}, "zones.new.first_kg_fee", id="新分区没运费"),
    pytest.param({"province.新疆": "9"}, "province.新疆", id="不存在的分区"),
    pytest.param({"province.新疆": None}, "province.新疆", id="省份没分区"),
    pytest.param({"couriers.available": ["汇通", "韵达", "EMS", "飞鸽"]}, "couriers.available", id="不认识的快递"),
    pytest.param({"couriers.available": []}, "couriers.available", id="没有快递"),
    pytest.param({"couriers.default": ["顺丰"]}, "couriers.default", id="默认快递不可用"),
    pytest.param({"restricted.0.courier": "顺丰"}, "restricted.0.courier", id="限定快递不可用"),
    pytest.param({"restricted.1.provinces": ["香港", "澳门"]}, "restricted", id="台湾没有运费也不发EMS"),
    pytest.param({"restricted.new.courier": "EMS", "restricted.new.provinces": ["新疆"]},
                 "restricted.new.provinces", id="一省两条限定"),
    pytest.param({"ems.ems_max_kg": "0"}, "ems.ems_max_kg", id="EMS分界为0"),
    pytest.param({"ems.first_kg_fee": "-5"}, "ems.first_kg_fee", id="负EMS运费"),
    pytest.param({"cutoff": "25:00"}, "cutoff", id="截单时间不对"),
    pytest.param({"cutoff": ""}, "cutoff", id="截单时间没填"),
    pytest.param({"extra_non_shipping_days": "2027-02-30"}, "extra_non_shipping_days", id="日期不对"),
    pytest.param({"arrival_min": "5", "arrival_max": "2"}, "arrival_max", id="到货天数颠倒"),
    pytest.param({"working_start": "18:00", "working_end": "09:00"}, "working_end", id="工作时间颠倒"),
    pytest.param({"lunch_start": "12:00"}, "lunch_end", id="午休只填一半"),
    pytest.param({"lunch_start": "13:00", "lunch_end": "12:00"}, "lunch_end", id="午休颠倒"),
    pytest.param({"reply_fraction": "0"}, "reply_fraction", id="回复时限为0"),
    pytest.param({"reply_fraction": "6"}, "reply_fraction", id="回复时限太长"),
    pytest.param({"store_name": "  "}, "store_name", id="没有店名"),
    pytest.param({"first_weight_kg": "0"}, "first_weight_kg", id="首重为0"),
    pytest.param({"max_quote_weight_kg": "很重"}, "max_quote_weight_kg", id="最大重量不是数字"),
]


@pytest.mark.parametrize("change, field", BAD_INPUT)
def test_bad_input_is_refused_next_to_its_field_in_chinese_and_nothing_is_written(settings, change, field):
    original = settings.path.read_text(encoding="utf8")
    draft = settings.load()
    fields = dict(draft.fields)
    for key, value in change.items():
        if value is None:
            fields.pop(key)
        else:
            fields[key] = value
    with pytest.raises(EditInvalid) as refused:
        settings.save(fields, draft.version)
    assert field in refused.value.errors, refused.value.errors
    assert all(CHINESE.search(message) for message in refused.value.errors.values())
    assert settings.path.read_text(encoding="utf8") == original


def test_every_wrong_field_is_reported_at_once(settings):
    draft = settings.load()
    fields = dict(draft.fields, **{"zones.0.first_kg_fee": "-1", "cutoff": "x", "store_name": ""})
    with pytest.raises(EditInvalid) as refused:
        settings.save(fields, draft.version)
    assert {"zones.0.first_kg_fee", "cutoff", "store_name"} <= set(refused.value.errors)


def test_an_emptied_zones_own_fields_are_not_checked(settings):
    draft = settings.load()
    xizang = zone_index(draft, "新藏")
    fields = dict(draft.fields, **{"province.新疆": "3", "province.西藏": "3", f"zones.{xizang}.first_kg_fee": "坏"})
    assert "删除分区「新藏」" in settings.save(fields, draft.version).changes


# ── a concurrent edit ────────────────────────────────────────────────────────────────────────
def test_a_save_is_refused_after_a_concurrent_edit_and_shows_the_other_change(settings):
    mine = settings.load()
    theirs = settings.load()
    settings.save(dict(theirs.fields, cutoff="17:00"), theirs.version)   # another owner, or a hand edit
    after_theirs = settings.path.read_text(encoding="utf8")
    with pytest.raises(EditConflict) as conflict:
        settings.save(xinjiang_on_its_own(mine), mine.version, base_text=mine.text)
    assert conflict.value.changes == ["截单时间 16:00 → 17:00"]
    assert conflict.value.current_text == after_theirs == settings.path.read_text(encoding="utf8")
    assert conflict.value.current_version == file_version(after_theirs)


def test_a_hand_edit_of_only_a_comment_is_a_conflict_too(settings):
    draft = settings.load()
    settings.path.write_text(draft.text.replace("# e.g. [2027", "# 例如 [2027"), encoding="utf8")
    with pytest.raises(EditConflict) as conflict:
        settings.save(draft.fields, draft.version, base_text=draft.text)
    assert conflict.value.changes == ["注释或表单以外的内容有改动"]


def test_a_conflict_without_the_forms_text_still_says_the_file_changed(settings):
    draft = settings.load()
    settings.path.write_text(draft.text.replace("name: 示例旗舰店", "name: 别的店"), encoding="utf8")
    with pytest.raises(EditConflict) as conflict:
        settings.save(draft.fields, draft.version, base_text="not the text the form was loaded with")
    assert conflict.value.changes == ["文件在您打开表单之后被修改过"]


# ── history: restoring a version ───────────────────────────────────────────────────────────
def test_restoring_a_version_is_a_save_with_its_changes(settings, config_dir):
    first = settings.load()
    settings.save(xinjiang_on_its_own(first), first.version)
    now = settings.load()
    restored = settings.restore(first.text, now.version)
    assert settings.path.read_text(encoding="utf8") == first.text
    assert "删除分区「新疆」" in restored.changes and "新疆：从「新疆」移到「新藏」" in restored.changes
    assert fee_to(load_store(config_dir), "乌鲁木齐") == 18


def test_restoring_is_refused_after_a_concurrent_edit(settings):
    first = settings.load()
    settings.save(dict(first.fields, cutoff="17:00"), first.version)
    with pytest.raises(EditConflict):
        settings.restore(first.text, first.version)


def test_a_version_that_no_longer_passes_the_check_is_not_restored(settings):
    draft = settings.load()
    broken = draft.text.replace("first_kg_fee: 8", "first_kg_fee: -8")
    with pytest.raises(EditInvalid) as refused:
        settings.restore(broken, draft.version)
    assert "shipping.zones.0.first_kg_fee" in refused.value.errors["form"]
    assert settings.path.read_text(encoding="utf8") == draft.text


# ── the file itself ───────────────────────────────────────────────────────────────────────
def test_the_write_is_atomic_keeps_the_files_mode_and_leaves_no_temporary_file(settings, config_dir):
    os.chmod(settings.path, 0o640)
    inode = settings.path.stat().st_ino
    draft = settings.load()
    settings.save(xinjiang_on_its_own(draft), draft.version)
    assert stat.S_IMODE(settings.path.stat().st_mode) == 0o640
    assert settings.path.stat().st_ino != inode, "replaced, not rewritten in place"
    assert sorted(p.name for p in config_dir.iterdir()) == sorted(p.name for p in DEFAULT_CONFIG_DIR.iterdir())


def test_a_broken_file_is_reported_not_shown_as_a_form(settings):
    settings.path.write_text("shipping: [\n", encoding="utf8")
    with pytest.raises(ConfigError) as err:
        settings.load()
    assert err.value.file.endswith("store.yml")

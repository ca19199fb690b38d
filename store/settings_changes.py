"""What changed between two versions of the store settings, in the owner's words:
  新疆：从「新藏」移到新区「新疆」
  新疆 首重运费 A → B元
  截单时间 16:00 → 17:00
Shown after a save, kept in the history of versions, and shown when a save is refused because
someone else changed the file."""
from __future__ import annotations

from decimal import Decimal
from typing import Callable, Optional

from .fees import format_yuan
from .settings_form import CourierRuleSettings, StoreSettings

_UNSET = "未设置"


def _yuan(value: Optional[Decimal]) -> str:
    return _UNSET if value is None else f"{format_yuan(value)}元"


def _per_kg(value: Optional[Decimal]) -> str:
    return _UNSET if value is None else f"{format_yuan(value)}元/公斤"


def _kg(value: Decimal) -> str:
    return f"{format_yuan(value)}公斤"


def _days(value: tuple[int, int]) -> str:
    return f"{value[0]}–{value[1]}天"


def _span(value: Optional[tuple[str, str]]) -> str:
    return "无" if value is None else f"{value[0]}–{value[1]}"


def _names(values) -> str:
    return "、".join(values) or "无"


def _fee_change(subject: str, what: str, before: Optional[Decimal], after: Optional[Decimal],
                unit: Callable[[Optional[Decimal]], str]) -> list[str]:
    if before == after:
        return []
    if before is not None and after is not None and unit is _yuan:
        return [f"{subject} {what} {format_yuan(before)} → {format_yuan(after)}元"]
    return [f"{subject} {what} {unit(before)} → {unit(after)}"]


def _pair_zones(before: StoreSettings, after: StoreSettings, by_origin: bool):
    """(before zone or None, after zone or None) pairs: by the form's origin index after a form
    save, else by name (two versions of the file)."""
    pairs, used = [], set()
    for zone in after.zones:
        if by_origin:
            match = before.zones[zone.origin] if zone.origin is not None else None
        else:
            match = next((z for z in before.zones if z.name == zone.name), None)
        if match is not None:
            used.add(id(match))
        pairs.append((match, zone))
    pairs += [(zone, None) for zone in before.zones if id(zone) not in used]
    return pairs


def _zone_changes(before: StoreSettings, after: StoreSettings, by_origin: bool) -> list[str]:
    changes: list[str] = []
    pairs = _pair_zones(before, after, by_origin)
    for old, new in pairs:
        if new is None:
            changes.append(f"删除分区「{old.name}」")
        elif old is None:
            changes.append(f"新建分区「{new.name}」：首重运费{_yuan(new.first_kg_fee)}，续重{_per_kg(new.continued_kg_fee)}，"
                           f"偏远加{_days(new.arrival_extra_days)}")
        else:
            if old.name != new.name:
                changes.append(f"分区「{old.name}」改名为「{new.name}」")
            label = f"分区「{new.name}」"
            changes += _fee_change(label, "首重运费", old.first_kg_fee, new.first_kg_fee, _yuan)
            changes += _fee_change(label, "续重", old.continued_kg_fee, new.continued_kg_fee, _per_kg)
            if old.arrival_extra_days != new.arrival_extra_days:
                changes.append(f"{label} 偏远加天数 {_days(old.arrival_extra_days)} → {_days(new.arrival_extra_days)}")
    changes += _province_moves(pairs, before, after)
    return changes


def _province_moves(pairs, before: StoreSettings, after: StoreSettings) -> list[str]:
    side_of = {}  # zone identity → the pair it is in
    for n, (old, new) in enumerate(pairs):
        for zone in (old, new):
            if zone is not None:
                side_of[id(zone)] = n
    changes: list[str] = []
    for province in dict.fromkeys(before.zoned_provinces + after.zoned_provinces):
        old, new = before.zone_of(province), after.zone_of(province)
        if old is not None and new is not None and side_of[id(old)] == side_of[id(new)]:
            continue
        if new is None:
            changes.append(f"{province}：移出「{old.name}」，不在任何分区")
            continue
        where = f"新区「{new.name}」" if pairs[side_of[id(new)]][0] is None else f"「{new.name}」"
        changes.append(f"{province}：从「{old.name}」移到{where}" if old else f"{province}：加入{where}")
        if old is not None:
            changes += _fee_change(province, "首重运费", old.first_kg_fee, new.first_kg_fee, _yuan)
            changes += _fee_change(province, "续重", old.continued_kg_fee, new.continued_kg_fee, _per_kg)
    return changes


def _rule_label(rule: CourierRuleSettings) -> str:
    return f"只发{rule.courier}的地区"


def _rule_changes(before: StoreSettings, after: StoreSettings, by_origin: bool) -> list[str]:
    changes, used = [], set()
    for rule in after.restricted:
        if by_origin:
            old = before.restricted[rule.origin] if rule.origin is not None else None
        else:
            old = next((r for r in before.restricted if r.courier == rule.courier), None)
        if old is None:
            changes.append(f"新增限定：{_rule_label(rule)} {_names(rule.provinces)}")
            continue
        used.add(id(old))
        if old.courier != rule.courier:
            changes.append(f"限定「{_rule_label(old)}」改为{_rule_label(rule)}")
        added = [p for p in rule.provinces if p not in old.provinces]
        removed = [p for p in old.provinces if p not in rule.provinces]
        if added or removed:
            parts = ([f"加上 {_names(added)}"] if added else []) + ([f"去掉 {_names(removed)}"] if removed else [])
            changes.append(f"{_rule_label(rule)}：{'；'.join(parts)}")
    changes += [f"删除限定：{_rule_label(r)}（{_names(r.provinces)}）" for r in before.restricted if id(r) not in used]
    return changes


# (label, value, how to show it) for the settings that are one value each.
_SINGLE: tuple[tuple[str, Callable[[StoreSettings], object], Callable[[object], str]], ...] = (
    ("店铺名称", lambda s: s.store_name, lambda v: f"「{v}」"),
    ("首重重量", lambda s: s.first_weight_kg, _kg),
    ("最大报价重量", lambda s: s.max_quote_weight_kg, _kg),
    ("可用快递", lambda s: s.available, _names),
    ("默认快递", lambda s: s.default, _names),
    ("EMS与E邮宝的分界", lambda s: s.ems_max_kg, _kg),
    ("EMS首重运费", lambda s: s.ems_first_kg_fee, _yuan),
    ("EMS续重", lambda s: s.ems_continued_kg_fee, _per_kg),
    ("截单时间", lambda s: s.cutoff, str),
    ("法定节假日不发货", lambda s: s.statutory_holidays, lambda v: "是" if v else "否"),
    ("一般到货天数", lambda s: s.arrival_days, _days),
    ("工作时间", lambda s: s.working_hours, _span),
    ("午休", lambda s: s.lunch_break, _span),
    ("承诺回复时间（工作日的比例）", lambda s: s.reply_fraction, lambda v: format_yuan(v)),
)


def describe_settings_changes(before: StoreSettings, after: StoreSettings, *, by_origin: bool = False) -> list[str]:
    """Each difference as one Chinese line; [] when the settings are the same. by_origin: `after`
    came from the form shown for `before` (zones and rules matched by their place in the file,
    so a renamed zone is a rename, not a removal and a new zone)."""
    changes = []
    for label, value, show in _SINGLE:
        old, new = value(before), value(after)
        if old != new:
            changes.append(f"{label} {show(old)} → {show(new)}")
    changes += _zone_changes(before, after, by_origin)
    changes += _rule_changes(before, after, by_origin)
    added = [d.isoformat() for d in after.extra_non_shipping_days if d not in before.extra_non_shipping_days]
    removed = [d.isoformat() for d in before.extra_non_shipping_days if d not in after.extra_non_shipping_days]
    if added:
        changes.append(f"不发货日期：加上 {_names(added)}")
    if removed:
        changes.append(f"不发货日期：去掉 {_names(removed)}")
    return changes

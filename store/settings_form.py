"""The store settings as the owner's form shows them: a plain model of store.yml's values, the
flat form fields it is shown in, and reading those fields back with a Chinese message for each
field that is wrong.

The checks here are the loader's (config.py) restated per field, so an owner sees the problem next
to the box that holds it; settings_file.py then validates the whole file with `load_store`, exactly
as `make check-config` does.

Field names (also the keys of the errors):
  store_name, first_weight_kg, max_quote_weight_kg
  zones.<i>.name | first_kg_fee | continued_kg_fee | arrival_min | arrival_max   (i: the zone's
      index in the file; `zones.new.…` is the row for a new zone)
  province.<省>            the zone index the province belongs to, or "new"
  couriers.available, couriers.default                              (lists)
  restricted.<i>.courier, restricted.<i>.provinces (list); restricted.new.…  a new rule
  ems.ems_max_kg | first_kg_fee | continued_kg_fee
  cutoff, statutory_holidays ("on" when ticked), extra_non_shipping_days (dates, one a line),
  arrival_min, arrival_max, working_start, working_end, lunch_start, lunch_end, reply_fraction
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Iterable, Mapping, Optional, Union

from .config import StoreConfig
from .couriers import _COURIER_NAMES
from .fees import format_yuan

NEW_ROW = "new"
# Every courier company the store's courier names know, in the order shoppers' words list them.
KNOWN_COURIERS: tuple[str, ...] = tuple(dict.fromkeys(company for _, company in _COURIER_NAMES))

FieldValue = Union[str, list]


def is_choice_list(name: str) -> bool:
    """A field posted as several values (ticked checkboxes) rather than one."""
    return name in ("couriers.available", "couriers.default") or name.endswith(".provinces")


@dataclass(frozen=True)
class ZoneSettings:
    name: str
    first_kg_fee: Decimal
    continued_kg_fee: Optional[Decimal]
    arrival_extra_days: tuple[int, int]
    provinces: tuple[str, ...]
    origin: Optional[int] = None     # its index in the file; None: a new zone


@dataclass(frozen=True)
class CourierRuleSettings:
    courier: str
    provinces: tuple[str, ...]
    origin: Optional[int] = None


@dataclass(frozen=True)
class StoreSettings:
    """store.yml's values that the owner's form edits (campaigns and comments are left alone)."""
    store_name: str
    first_weight_kg: Decimal
    max_quote_weight_kg: Decimal
    zones: tuple[ZoneSettings, ...]
    available: tuple[str, ...]
    default: tuple[str, ...]
    restricted: tuple[CourierRuleSettings, ...]
    ems_max_kg: Decimal
    ems_first_kg_fee: Optional[Decimal]
    ems_continued_kg_fee: Optional[Decimal]
    cutoff: str                                  # "16:00"
    statutory_holidays: bool
    extra_non_shipping_days: tuple[dt.date, ...]
    arrival_days: tuple[int, int]
    working_hours: tuple[str, str]
    lunch_break: Optional[tuple[str, str]]
    reply_fraction: Decimal

    def zone_of(self, province: str) -> Optional[ZoneSettings]:
        return next((z for z in self.zones if province in z.provinces), None)

    @property
    def zoned_provinces(self) -> tuple[str, ...]:
        """The provinces the form gives a zone select, in the file's order."""
        return tuple(p for z in self.zones for p in z.provinces)


def _hhmm(value: dt.time) -> str:
    return f"{value:%H:%M}"


def settings_of(config: StoreConfig) -> StoreSettings:
    """The form model of a loaded (valid) configuration."""
    shipping, handoff = config.shipping, config.handoff
    lunch = handoff.lunch_break
    return StoreSettings(
        store_name=config.store.name,
        first_weight_kg=shipping.first_weight_kg,
        max_quote_weight_kg=shipping.max_quote_weight_kg,
        zones=tuple(ZoneSettings(z.name, z.first_kg_fee, z.continued_kg_fee, tuple(z.arrival_extra_days),
                                 tuple(z.provinces), i) for i, z in enumerate(shipping.zones)),
        available=tuple(shipping.couriers.available),
        default=tuple(shipping.couriers.default),
        restricted=tuple(CourierRuleSettings(r.courier, tuple(r.provinces), i)
                         for i, r in enumerate(shipping.couriers.restricted)),
        ems_max_kg=shipping.ems.ems_max_kg,
        ems_first_kg_fee=shipping.ems.first_kg_fee,
        ems_continued_kg_fee=shipping.ems.continued_kg_fee,
        cutoff=_hhmm(shipping.cutoff),
        statutory_holidays=shipping.statutory_holidays,
        extra_non_shipping_days=tuple(shipping.extra_non_shipping_days),
        arrival_days=tuple(shipping.arrival_days),
        working_hours=(_hhmm(handoff.working_hours.start), _hhmm(handoff.working_hours.end)),
        lunch_break=(_hhmm(lunch.start), _hhmm(lunch.end)) if lunch else None,
        reply_fraction=Decimal(str(handoff.reply_within_working_fraction)),
    )


def _number(value: Optional[Decimal]) -> str:
    return "" if value is None else format_yuan(value)


def settings_fields(settings: StoreSettings) -> dict[str, FieldValue]:
    """The form's fields filled with `settings` (all strings, lists for multiple choices)."""
    fields: dict[str, FieldValue] = {
        "store_name": settings.store_name,
        "first_weight_kg": _number(settings.first_weight_kg),
        "max_quote_weight_kg": _number(settings.max_quote_weight_kg),
        "couriers.available": list(settings.available),
        "couriers.default": list(settings.default),
        "ems.ems_max_kg": _number(settings.ems_max_kg),
        "ems.first_kg_fee": _number(settings.ems_first_kg_fee),
        "ems.continued_kg_fee": _number(settings.ems_continued_kg_fee),
        "cutoff": settings.cutoff,
        "statutory_holidays": "on" if settings.statutory_holidays else "",
        "extra_non_shipping_days": "\n".join(d.isoformat() for d in settings.extra_non_shipping_days),
        "arrival_min": str(settings.arrival_days[0]),
        "arrival_max": str(settings.arrival_days[1]),
        "working_start": settings.working_hours[0],
        "working_end": settings.working_hours[1],
        "lunch_start": settings.lunch_break[0] if settings.lunch_break else "",
        "lunch_end": settings.lunch_break[1] if settings.lunch_break else "",
        "reply_fraction": _number(settings.reply_fraction),
    }
    for i, zone in enumerate(settings.zones):
        fields.update({f"zones.{i}.name": zone.name, f"zones.{i}.first_kg_fee": _number(zone.first_kg_fee),
                       f"zones.{i}.continued_kg_fee": _number(zone.continued_kg_fee),
                       f"zones.{i}.arrival_min": str(zone.arrival_extra_days[0]),
                       f"zones.{i}.arrival_max": str(zone.arrival_extra_days[1])})
        fields.update({f"province.{p}": str(i) for p in zone.provinces})
    fields.update({f"zones.{NEW_ROW}.{k}": "" for k in ("name", "first_kg_fee", "continued_kg_fee",
                                                    "arrival_min", "arrival_max")})
    for i, rule in enumerate(settings.restricted):
        fields.update({f"restricted.{i}.courier": rule.courier, f"restricted.{i}.provinces": list(rule.provinces)})
    fields.update({f"restricted.{NEW_ROW}.courier": "", f"restricted.{NEW_ROW}.provinces": []})
    return fields


class _Reader:
    """Reads the posted fields, collecting one Chinese message per wrong field."""

    def __init__(self, fields: Mapping[str, FieldValue]) -> None:
        self.fields = fields
        self.errors: dict[str, str] = {}

    def text(self, name: str) -> str:
        value = self.fields.get(name, "")
        if isinstance(value, (list, tuple)):
            value = value[0] if value else ""
        return str(value).strip()

    def many(self, name: str) -> list[str]:
        value = self.fields.get(name, [])
        values = [value] if isinstance(value, str) else list(value)
        return list(dict.fromkeys(v.strip() for v in values if v and v.strip()))

    def fail(self, name: str, message: str) -> None:
        self.errors.setdefault(name, message)

    def amount(self, name: str, *, required: bool = True, positive: bool = False,
               unit: str = "元") -> Optional[Decimal]:
        raw = self.text(name).removesuffix(unit).strip()
        if not raw:
            if required:
                self.fail(name, "请填写")
            return None
        try:
            value = Decimal(raw)
        except InvalidOperation:
            self.fail(name, f"请填写数字，例如 12 或 12.5（{unit}）")
            return None
        if not value.is_finite():
            self.fail(name, "请填写数字")
            return None
        if positive and value <= 0:
            self.fail(name, "必须大于 0")
        elif value < 0:
            self.fail(name, "不能小于 0")
        return value

    def whole(self, name: str, default: int = 0) -> int:
        raw = self.text(name)
        if not raw:
            return default
        if not re.fullmatch(r"\d{1,3}", raw):
            self.fail(name, "请填写 0 或正整数（天）")
            return default
        return int(raw)

    def day_range(self, low: str, high: str, default: tuple[int, int]) -> tuple[int, int]:
        days = (self.whole(low, default[0]), self.whole(high, default[1]))
        if days[0] > days[1] and low not in self.errors and high not in self.errors:
            self.fail(high, "最多天数不能少于最少天数")
        return days

    def clock(self, name: str, *, required: bool = True) -> Optional[str]:
        raw = self.text(name)
        if not raw:
            if required:
                self.fail(name, "请填写时间，例如 16:00")
            return None
        try:
            return _hhmm(dt.time.fromisoformat(raw))
        except ValueError:
            self.fail(name, "时间格式不对，请写成 16:00 这样")
            return None

    def span(self, start: str, end: str, *, required: bool) -> Optional[tuple[str, str]]:
        begin, finish = self.clock(start, required=required), self.clock(end, required=required)
        if not required and (begin is None) != (finish is None) and start not in self.errors and end not in self.errors:
            self.fail(end if finish is None else start, "开始和结束时间要都填，或都不填（不设午休）")
            return None
        if begin is None or finish is None:
            return None
        if begin >= finish:
            self.fail(end, "结束时间必须晚于开始时间")
            return None
        return begin, finish

    def dates(self, name: str) -> tuple[dt.date, ...]:
        days: list[dt.date] = []
        for word in re.split(r"[\s,，、;；]+", self.text(name)):
            if not word:
                continue
            try:
                days.append(dt.date.fromisoformat(word.replace("/", "-")))
            except ValueError:
                self.fail(name, f"「{word}」不是日期，请写成 2027-01-01 这样，一行一个")
        return tuple(sorted(set(days)))


def _zone_row(read: _Reader, key: str, provinces: list[str], before: Optional[ZoneSettings],
              origin: Optional[int]) -> ZoneSettings:
    name = read.text(f"zones.{key}.name") or (("、".join(provinces)) if origin is None else "")
    if not name:
        read.fail(f"zones.{key}.name", "请填写分区名称")
    first = read.amount(f"zones.{key}.first_kg_fee")
    continued = read.amount(f"zones.{key}.continued_kg_fee", required=False)
    default_days = before.arrival_extra_days if before else (0, 0)
    days = read.day_range(f"zones.{key}.arrival_min", f"zones.{key}.arrival_max", default_days)
    return ZoneSettings(name, first if first is not None else Decimal(0), continued, days, tuple(provinces), origin)


def _zones(read: _Reader, current: StoreSettings) -> tuple[ZoneSettings, ...]:
    members: dict[str, list[str]] = {str(i): [] for i in range(len(current.zones))}
    members[NEW_ROW] = []
    for province in current.zoned_provinces:
        choice = read.text(f"province.{province}")
        if choice not in members:
            read.fail(f"province.{province}", f"请为{province}选择一个分区")
            choice = str(current.zone_of(province).origin)
        members[choice].append(province)
    zones = [_zone_row(read, str(i), members[str(i)], zone, i)
             for i, zone in enumerate(current.zones) if members[str(i)]]  # an emptied zone is removed
    if members[NEW_ROW]:
        came_from = current.zone_of(members[NEW_ROW][0])
        zones.append(_zone_row(read, NEW_ROW, members[NEW_ROW], came_from, None))
    seen: dict[str, str] = {}
    for zone in zones:
        key = f"zones.{NEW_ROW if zone.origin is None else zone.origin}.name"
        if zone.name in seen:
            read.fail(key, f"和另一个分区重名（{zone.name}），请换一个名称")
        seen[zone.name] = key
    return tuple(zones)


def _in_order(chosen: list[str], order: Iterable[str]) -> tuple[str, ...]:
    """The ticked values in the file's order, newly ticked ones after (a form lists its boxes in
    its own order; the file, and the answers quoting it, keep the owner's)."""
    order = list(order)
    return tuple(sorted(chosen, key=lambda v: (order.index(v) if v in order else len(order), chosen.index(v))))


def _couriers(read: _Reader, current: StoreSettings, provinces: Iterable[str]):
    known = set(provinces)
    available = _in_order(read.many("couriers.available"), current.available)
    unknown = [c for c in available if c not in KNOWN_COURIERS]
    if unknown:
        read.fail("couriers.available", f"不认识的快递：{'、'.join(unknown)}")
    if not available:
        read.fail("couriers.available", "至少选一家快递")
    default = _in_order(read.many("couriers.default"), current.default)
    if not default:
        read.fail("couriers.default", "至少选一家默认快递")
    outside = [c for c in default if c not in available]
    if outside:
        read.fail("couriers.default", f"{'、'.join(outside)} 不在可用快递里，请先勾选为可用")
    rules, ruled = [], {}
    keys = [str(i) for i in range(len(current.restricted))] + [NEW_ROW]
    for key in keys:
        courier = read.text(f"restricted.{key}.courier")
        was = current.restricted[int(key)].provinces if key != NEW_ROW else ()
        chosen = list(_in_order(read.many(f"restricted.{key}.provinces"), was))
        if not chosen or (key == NEW_ROW and not courier):
            continue  # a rule with no province is removed; the empty new row adds nothing
        if courier not in available:
            read.fail(f"restricted.{key}.courier", f"「{courier or '（未选）'}」不在可用快递里")
        strange = [p for p in chosen if p not in known]
        if strange:
            read.fail(f"restricted.{key}.provinces", f"不认识的地区：{'、'.join(strange)}")
        twice = [p for p in chosen if p in ruled]
        if twice:
            read.fail(f"restricted.{key}.provinces", f"{'、'.join(twice)} 已经在另一条限定里（只发{ruled[twice[0]]}）")
        ruled.update({p: courier for p in chosen})
        rules.append(CourierRuleSettings(courier, tuple(chosen), None if key == NEW_ROW else int(key)))
    return available, default, tuple(rules)


def read_settings_fields(fields: Mapping[str, FieldValue], current: StoreSettings,
                         provinces: Iterable[str]) -> tuple[Optional[StoreSettings], dict[str, str]]:
    """The owner's posted fields as settings, checked against the form shown for `current` (the
    file as it is); `provinces`: every region the store's places know. Returns (settings, {}) or
    (None, {field: Chinese message})."""
    provinces = tuple(provinces)
    read = _Reader(fields)
    store_name = read.text("store_name")
    if not store_name:
        read.fail("store_name", "请填写店铺名称")
    first_weight = read.amount("first_weight_kg", positive=True, unit="公斤")
    max_weight = read.amount("max_quote_weight_kg", positive=True, unit="公斤")
    zones = _zones(read, current)
    available, default, restricted = _couriers(read, current, provinces)
    zoned = {p for z in zones for p in z.provinces}
    for province in provinces:  # a region outside every zone ships by EMS only (港澳台)
        if province not in zoned and not any(r.courier == "EMS" and province in r.provinces for r in restricted):
            read.fail("restricted", f"{province}不在任何运费分区里，必须留在“只发EMS”的限定里")
    ems_max = read.amount("ems.ems_max_kg", positive=True, unit="公斤")
    ems_first = read.amount("ems.first_kg_fee", required=False)
    ems_continued = read.amount("ems.continued_kg_fee", required=False)
    cutoff = read.clock("cutoff")
    holidays = read.text("statutory_holidays") not in ("", "off", "false", "0")
    extra_days = read.dates("extra_non_shipping_days")
    arrival = read.day_range("arrival_min", "arrival_max", current.arrival_days)
    hours = read.span("working_start", "working_end", required=True)
    lunch = read.span("lunch_start", "lunch_end", required=False)
    fraction = read.amount("reply_fraction", positive=True, unit="")
    if fraction is not None and fraction > 5 and "reply_fraction" not in read.errors:
        read.fail("reply_fraction", "最多 5（五个工作日）")
    if read.errors:
        return None, read.errors
    return StoreSettings(store_name, first_weight, max_weight, zones, available, default, restricted, ems_max,
                         ems_first, ems_continued, cutoff, holidays, extra_days, arrival, hours, lunch,
                         fraction), {}

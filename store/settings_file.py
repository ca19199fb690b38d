"""store_config/store.yml edited from the owner console: load it as a form, apply the owner's
values to the file itself (ruamel.yaml round trip: comments, order and quotes stay), validate the
result with `load_store` exactly as `make check-config` does, and write it atomically unless the
file changed since the form was loaded.

    settings = StoreSettingsFile(config_dir)
    draft = settings.load()                   # .fields for the form, .version to post back
    saved = settings.save(posted_fields, draft.version, base_text=draft.text)
    saved.changes   # ["新疆：从「新藏」移到新区「新疆」", "新疆 首重运费 A → B元", …]

Refusals: EditInvalid (errors by form field, in Chinese), EditConflict (the other change).
The running action server and console pick the saved file up through StoreCache (mtime)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping, Optional

import yaml
from pydantic import ValidationError
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from .config import DEFAULT_CONFIG_DIR, StoreConfig
from .errors import ConfigError
from .geography import Gazetteer
from .owner_files import (EditConflict, EditInvalid, SavedEdit, check_with_loader, dump_round_trip, file_version,
                          parse_round_trip, put_value, read_text, replace_if_unchanged, replace_items)
from .settings_changes import describe_settings_changes
from .settings_form import (FieldValue, StoreSettings, read_settings_fields, settings_fields, settings_of)

STORE_FILE = "store.yml"
# What a refused save would have changed, from the text its form was loaded with (for a conflict).
Attempted = Callable[[str], list[str]]


@dataclass(frozen=True)
class SettingsDraft:
    """The file as the form shows it: its text and version (posted back with the form), its values."""
    text: str
    version: str
    settings: StoreSettings
    fields: dict[str, FieldValue]


def settings_from_text(text: str) -> Optional[StoreSettings]:
    """The settings a store.yml text holds, or None when it does not load (a broken hand edit)."""
    try:
        return settings_of(StoreConfig.parse_obj(yaml.safe_load(text) or {}))
    except (yaml.YAMLError, ValidationError, TypeError, ValueError):
        return None


def describe_text_changes(before: str, after: str) -> list[str]:
    """What changed from one store.yml text to another, in Chinese (conflicts, restores)."""
    if before == after:
        return []
    old, new = settings_from_text(before), settings_from_text(after)
    if old is None or new is None:
        return ["文件内容有改动（其中一个版本无法读取，不能逐项比较）"]
    return describe_settings_changes(old, new) or ["注释或表单以外的内容有改动"]


# ── writing the form's values into the file ────────────────────────────────────────────────
def _section(node: CommentedMap, key: str) -> CommentedMap:
    if not isinstance(node.get(key), CommentedMap):
        node[key] = CommentedMap()
    return node[key]


def _quoted(clock: str) -> DoubleQuotedScalarString:
    return DoubleQuotedScalarString(clock)  # "16:00": unquoted, YAML 1.1 would read minutes


def _zone_node(node: CommentedMap, zone) -> CommentedMap:
    for key, value in (("name", zone.name), ("first_kg_fee", zone.first_kg_fee),
                       ("continued_kg_fee", zone.continued_kg_fee),
                       ("arrival_extra_days", list(zone.arrival_extra_days)), ("provinces", list(zone.provinces))):
        put_value(node, key, value)
    return node


def _rule_node(node: CommentedMap, rule) -> CommentedMap:
    put_value(node, "courier", rule.courier)
    put_value(node, "provinces", list(rule.provinces))
    return node


def apply_settings(document: CommentedMap, settings: StoreSettings) -> None:
    """Write `settings` into a round-trip store.yml document, in place."""
    put_value(_section(document, "store"), "name", settings.store_name)
    shipping = _section(document, "shipping")
    put_value(shipping, "first_weight_kg", settings.first_weight_kg)
    put_value(shipping, "max_quote_weight_kg", settings.max_quote_weight_kg)
    old_zones = list(shipping["zones"])
    replace_items(shipping["zones"], [
        _zone_node(old_zones[z.origin] if z.origin is not None else CommentedMap(), z) for z in settings.zones])
    couriers = _section(shipping, "couriers")
    put_value(couriers, "available", list(settings.available))
    put_value(couriers, "default", list(settings.default))
    if settings.restricted or "restricted" in couriers:
        if not isinstance(couriers.get("restricted"), CommentedSeq):
            couriers["restricted"] = CommentedSeq()
        old_rules = list(couriers["restricted"])
        replace_items(couriers["restricted"], [
            _rule_node(old_rules[r.origin] if r.origin is not None else CommentedMap(), r)
            for r in settings.restricted])
    ems = _section(shipping, "ems")
    put_value(ems, "ems_max_kg", settings.ems_max_kg)
    put_value(ems, "first_kg_fee", settings.ems_first_kg_fee)
    put_value(ems, "continued_kg_fee", settings.ems_continued_kg_fee)
    put_value(shipping, "cutoff", _quoted(settings.cutoff))
    put_value(shipping, "statutory_holidays", settings.statutory_holidays)
    put_value(shipping, "extra_non_shipping_days", list(settings.extra_non_shipping_days))
    put_value(shipping, "arrival_days", list(settings.arrival_days))
    handoff = _section(document, "handoff")
    start, end = settings.working_hours
    put_value(handoff, "working_hours", {"start": _quoted(start), "end": _quoted(end)})
    lunch = settings.lunch_break
    put_value(handoff, "lunch_break", {"start": _quoted(lunch[0]), "end": _quoted(lunch[1])} if lunch else None)
    put_value(handoff, "reply_within_working_fraction", settings.reply_fraction)


# ── where a loader error belongs on the form ───────────────────────────────────────────────
_FIELD_OF_KEY = (
    ("store.name", "store_name"), ("shipping.first_weight_kg", "first_weight_kg"),
    ("shipping.max_quote_weight_kg", "max_quote_weight_kg"), ("shipping.couriers", "couriers.available"),
    ("shipping.ems.ems_max_kg", "ems.ems_max_kg"), ("shipping.ems.first_kg_fee", "ems.first_kg_fee"),
    ("shipping.ems.continued_kg_fee", "ems.continued_kg_fee"), ("shipping.cutoff", "cutoff"),
    ("shipping.extra_non_shipping_days", "extra_non_shipping_days"), ("shipping.arrival_days", "arrival_max"),
    ("handoff.working_hours", "working_end"), ("handoff.lunch_break", "lunch_end"),
    ("handoff.reply_within_working_fraction", "reply_fraction"), ("shipping", "zones"),
)


def _form_error(err: ConfigError) -> dict[str, str]:
    """A loader error the field checks did not catch: next to the nearest field, in Chinese with
    the loader's own words (the same text `make check-config` prints)."""
    field = next((f for key, f in _FIELD_OF_KEY if err.key == key or err.key.startswith(key + ".")), "form")
    return {field: f"配置检查未通过（{err.key}）：{err.problem}"}


class StoreSettingsFile:
    """The owner's store.yml in `config_dir`, read and written for the settings form."""

    def __init__(self, config_dir: Path = DEFAULT_CONFIG_DIR) -> None:
        self.config_dir = Path(config_dir)
        self.path = self.config_dir / STORE_FILE

    def provinces(self) -> frozenset[str]:
        return Gazetteer.from_files(self.config_dir / "places.yml").provinces

    def load(self) -> SettingsDraft:
        """The file as a form. Raises ConfigError if the file does not load (fix it by hand or
        restore a saved version)."""
        text = read_text(self.path)
        check_with_loader(self.config_dir, STORE_FILE, text)
        settings = settings_from_text(text)
        return SettingsDraft(text, file_version(text), settings, settings_fields(settings))

    def _current(self, base_version: str, base_text: Optional[str], attempted: Attempted) -> str:
        text = read_text(self.path)
        if file_version(text) != base_version:
            raise self._conflict(text, base_version, base_text, attempted)
        return text

    @staticmethod
    def _conflict(current: str, base_version: str, base_text: Optional[str], attempted: Attempted) -> EditConflict:
        if base_text is None or file_version(base_text) != base_version:
            return EditConflict(current, ["文件在您打开表单之后被修改过"])
        return EditConflict(current, describe_text_changes(base_text, current), attempted(base_text))

    def _form_changes(self, fields: Mapping[str, FieldValue]) -> Attempted:
        def attempted(base_text: str) -> list[str]:
            base = settings_from_text(base_text)
            mine = read_settings_fields(fields, base, self.provinces())[0] if base else None
            return describe_settings_changes(base, mine, by_origin=True) if mine else []
        return attempted

    def save(self, fields: Mapping[str, FieldValue], base_version: str, base_text: Optional[str] = None) -> SavedEdit:
        """Apply the owner's form fields. `base_version`: the version the form was loaded with;
        `base_text`, when posted back too, lets a conflict say what the other change did."""
        text = self._current(base_version, base_text, self._form_changes(fields))
        current = settings_from_text(text)
        if current is None:
            raise EditInvalid({"form": "store.yml 现在无法读取，请先手工修正或恢复一个历史版本"})
        settings, errors = read_settings_fields(fields, current, self.provinces())
        if errors:
            raise EditInvalid(errors)
        document = parse_round_trip(text)
        apply_settings(document, settings)
        new_text = dump_round_trip(document)
        changes = describe_settings_changes(current, settings, by_origin=True)
        if new_text == text:
            return SavedEdit(text, base_version, [], text)
        return self._write(text, new_text, base_version, base_text, changes or describe_text_changes(text, new_text),
                           on_error=_form_error)

    def restore(self, old_text: str, base_version: str, base_text: Optional[str] = None) -> SavedEdit:
        """Put back a saved version's text, through the same validation and conflict check."""
        restoring = lambda base: describe_text_changes(base, old_text)  # noqa: E731
        text = self._current(base_version, base_text, restoring)
        if old_text == text:
            return SavedEdit(text, base_version, [], text)
        return self._write(text, old_text, base_version, base_text, describe_text_changes(text, old_text),
                           on_error=lambda err: {"form": f"这个版本通不过配置检查（{err.key}）：{err.problem}"})

    def _write(self, text: str, new_text: str, base_version: str, base_text: Optional[str],
               changes: list[str], on_error) -> SavedEdit:
        try:
            check_with_loader(self.config_dir, STORE_FILE, new_text)
        except ConfigError as err:
            raise EditInvalid(on_error(err))
        try:
            replace_if_unchanged(self.path, new_text, base_version)
        except EditConflict as conflict:  # changed between our read and the write
            raise self._conflict(conflict.current_text, base_version, base_text, lambda _: changes)
        return SavedEdit(new_text, file_version(new_text), changes, text)

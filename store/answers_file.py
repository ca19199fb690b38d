"""store_config/replies.yml edited from the owner console, one answer at a time: the answers
grouped as the file groups them, a preview of each with sample values, and a save that checks the
placeholders exactly as loading does, refuses contact details (store-policy §6), validates the
file with `load_store` and writes it atomically unless it changed since the page was loaded.

    answers = AnswersFile(config_dir)
    draft = answers.load()                 # .answers (key, group, text, preview …), .version
    saved = answers.save("fee_quote", new_text, draft.version, base_text=draft.text)
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

import yaml

from .config import DEFAULT_CONFIG_DIR
from .contact_details import contact_detail_in
from .errors import ConfigError
from .owner_files import (EditConflict, EditInvalid, SavedEdit, check_with_loader, dump_round_trip, file_version,
                          parse_round_trip, put_value, read_text, replace_if_unchanged)
from .replies import ALWAYS, ANSWER_FIELDS, _placeholders
from .yaml_file import read_mapping

REPLIES_FILE = "replies.yml"

# Every placeholder an answer may use: what it means to the owner, and the sample value the
# preview shows (the real value comes from the store's settings and the shopper's question).
PLACEHOLDERS: dict[str, tuple[str, str]] = {
    "store_name": ("店铺名称", ""),   # the preview uses the store's own name
    "place": ("顾客写的地名", "朝阳"),
    "candidates": ("可能的省份", "北京、辽宁"),
    "province": ("省份", "新疆"),
    "provinces": ("省份列表", "黑龙江、吉林、辽宁"),
    "fee": ("运费（元）", "18"),
    "first_fee": ("首重运费（元）", "18"),
    "continued_fee": ("续重每公斤（元）", "5"),
    "first_kg": ("首重（公斤）", "1"),
    "extra_kg": ("续重公斤数", "2"),
    "weight": ("顾客说的重量", "2.5公斤"),
    "max_kg": ("最大报价重量（公斤）", "30"),
    "ems_max_kg": ("EMS与E邮宝分界（公斤）", "0.5"),
    "courier": ("快递", "韵达"),
    "couriers": ("可发的快递", "汇通或韵达"),
    "available": ("合作的快递", "汇通、韵达、EMS"),
    "default": ("默认快递", "汇通、韵达"),
    "ship_day": ("发货日", "今天（11月25日）"),
    "cutoff": ("截单时间", "16:00"),
    "days_min": ("最少到货天数", "2"),
    "days_max": ("最多到货天数", "3"),
    "earliest": ("最早送达", "11月27日"),
    "latest": ("最晚送达", "11月28日"),
    "extra_min": ("偏远地区最少多几天", "1"),
    "extra_max": ("偏远地区最多多几天", "3"),
    "target": ("顾客要求的日期", "11月30日"),
    "ticket": ("工单号", "20261125-0007"),
    "due": ("回复时间", "今天14:30前"),
    "campaign": ("店铺活动", "12月1日–3日全店满199减20"),
    "seconds": ("等待秒数", "8"),
}
_GROUP_HEADING = re.compile(r"^#\s*─+\s*(.+?)\s*─+\s*$")
_KEY_LINE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\s*:")


@dataclass(frozen=True)
class Answer:
    key: str
    group: str                              # the heading above it in the file, "" before the first
    text: str
    buttons: tuple[tuple[str, str], ...]    # quick replies: (title, payload)
    placeholders: tuple[str, ...]           # the ones this answer may use
    preview: str

    @property
    def placeholder_help(self) -> list[tuple[str, str]]:
        return [("{%s}" % name, PLACEHOLDERS.get(name, ("", ""))[0]) for name in self.placeholders]


@dataclass(frozen=True)
class AnswersDraft:
    text: str
    version: str
    answers: tuple[Answer, ...]

    def get(self, key: str) -> Optional[Answer]:
        return next((a for a in self.answers if a.key == key), None)

    def groups(self) -> list[tuple[str, list[Answer]]]:
        grouped: dict[str, list[Answer]] = {}
        for answer in self.answers:
            grouped.setdefault(answer.group, []).append(answer)
        return list(grouped.items())


def allowed_placeholders(key: str) -> tuple[str, ...]:
    return tuple(sorted(ANSWER_FIELDS[key] | ALWAYS))


def preview_answer(text: str, store_name: str) -> str:
    """The text as a shopper would read it, with sample values (the text itself if it cannot be filled)."""
    values = {name: sample for name, (_, sample) in PLACEHOLDERS.items()}
    try:
        return text.format_map({**values, "store_name": store_name})
    except (KeyError, ValueError, IndexError, AttributeError):
        return text


def answer_text_problem(key: str, text: str) -> Optional[str]:
    """Why `text` cannot be the answer `key`, in Chinese, or None. The placeholder rules are the
    loader's (Replies.from_file); contact details are refused as in campaign texts."""
    if key not in ANSWER_FIELDS:
        return "没有这条回复"
    if not text.strip():
        return "回复不能为空"
    allowed = "、".join("{%s}" % f for f in allowed_placeholders(key))
    try:
        unknown = _placeholders(text) - ANSWER_FIELDS[key] - ALWAYS
    except ValueError:
        return f"花括号用法不对：占位符要写成 {{province}} 这样，成对出现。这条回复可以用：{allowed}"
    if unknown:
        shown = "、".join("{%s}" % u for u in sorted(unknown))
        return f"这条回复不能用 {shown}；可以用：{allowed}"
    what = contact_detail_in(text)
    if what:
        return f"回复里不能有{what}（店铺规定第6条：不留电话、QQ号、银行账号、微信号或链接）"
    return None


def _group_of_keys(text: str) -> dict[str, str]:
    group, groups = "", {}
    for line in text.splitlines():
        heading = _GROUP_HEADING.match(line)
        if heading:
            group = heading.group(1)
            continue
        key = _KEY_LINE.match(line)
        if key:
            groups.setdefault(key.group(1), group)
    return groups


def _text_and_buttons(value) -> tuple[str, tuple[tuple[str, str], ...]]:
    if isinstance(value, dict):
        buttons = tuple((str(b.get("title", "")), str(b.get("payload", "")))
                        for b in value.get("buttons") or [] if isinstance(b, dict))
        return str(value.get("text", "")), buttons
    return ("" if value is None else str(value)), ()


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def describe_answer_changes(before: str, after: str) -> list[str]:
    """What changed from one replies.yml text to another, one Chinese line per answer."""
    if before == after:
        return []
    try:
        old, new = yaml.safe_load(before) or {}, yaml.safe_load(after) or {}
    except yaml.YAMLError:
        return ["文件内容有改动（其中一个版本无法读取，不能逐项比较）"]
    if not isinstance(old, dict) or not isinstance(new, dict):
        return ["文件内容有改动（其中一个版本无法读取，不能逐项比较）"]
    changes = []
    for key in dict.fromkeys([*old, *new]):
        (old_text, old_buttons), (new_text, new_buttons) = _text_and_buttons(old.get(key)), _text_and_buttons(new.get(key))
        if key not in new:
            changes.append(f"删除回复 {key}")
        elif key not in old:
            changes.append(f"新增回复 {key}：「{_shorten(new_text)}」")
        elif old_text != new_text:
            changes.append(f"回复 {key}：「{_shorten(old_text)}」→「{_shorten(new_text)}」")
        if key in old and key in new and old_buttons != new_buttons:
            changes.append(f"回复 {key} 的快捷按钮有改动")
    return changes or ["注释有改动"]


def _with_answer(file_text: str, key: str, text: str) -> str:
    """replies.yml's text with one answer's text replaced (comments, quotes and buttons kept)."""
    document = parse_round_trip(file_text)
    if isinstance(document.get(key), dict):
        put_value(document[key], "text", text)
    else:
        put_value(document, key, text)
    return dump_round_trip(document)


class AnswersFile:
    """The owner's replies.yml in `config_dir`."""

    def __init__(self, config_dir: Path = DEFAULT_CONFIG_DIR) -> None:
        self.config_dir = Path(config_dir)
        self.path = self.config_dir / REPLIES_FILE

    def _store_name(self) -> str:
        try:
            store = read_mapping(self.config_dir / "store.yml").get("store") or {}
        except ConfigError:
            return ""
        return str(store.get("name", "")) if isinstance(store, dict) else ""

    def load(self) -> AnswersDraft:
        """Every answer the assistant gives, in the file's order. Raises ConfigError if the file
        does not load."""
        text = read_text(self.path)
        check_with_loader(self.config_dir, REPLIES_FILE, text)
        raw, groups, store_name = yaml.safe_load(text), _group_of_keys(text), self._store_name()
        answers = []
        for key, value in raw.items():
            body, buttons = _text_and_buttons(value)
            answers.append(Answer(key, groups.get(key, ""), body, buttons, allowed_placeholders(key),
                                  preview_answer(body, store_name)))
        return AnswersDraft(text, file_version(text), tuple(answers))

    def _current(self, base_version: str, base_text: Optional[str], attempted: Callable[[str], str]) -> str:
        text = read_text(self.path)
        if file_version(text) != base_version:
            raise self._conflict(text, base_version, base_text, attempted)
        return text

    @staticmethod
    def _conflict(current: str, base_version: str, base_text: Optional[str],
                  attempted: Callable[[str], str]) -> EditConflict:
        """`attempted(base_text)`: the text the refused save would have written over base_text."""
        if base_text is None or file_version(base_text) != base_version:
            return EditConflict(current, ["文件在您打开页面之后被修改过"])
        return EditConflict(current, describe_answer_changes(base_text, current),
                            describe_answer_changes(base_text, attempted(base_text)))

    def save(self, key: str, text: str, base_version: str, base_text: Optional[str] = None) -> SavedEdit:
        """Set one answer's text (its quick-reply buttons stay). Raises EditInvalid({"text": …})."""
        text = text.replace("\r\n", "\n").strip()
        problem = answer_text_problem(key, text)
        if problem:
            raise EditInvalid({"text": problem})
        with_text = functools.partial(_with_answer, key=key, text=text)
        current = self._current(base_version, base_text, with_text)
        new_text = with_text(current)
        if new_text == current:
            return SavedEdit(current, base_version, [], current)
        return self._write(current, new_text, base_version, base_text, "text")

    def restore(self, old_text: str, base_version: str, base_text: Optional[str] = None) -> SavedEdit:
        """Put back a saved version's text, through the same checks and conflict test."""
        current = self._current(base_version, base_text, lambda _: old_text)
        if old_text == current:
            return SavedEdit(current, base_version, [], current)
        return self._write(current, old_text, base_version, base_text, "form")

    def _write(self, current: str, new_text: str, base_version: str, base_text: Optional[str],
               field: str) -> SavedEdit:
        try:
            check_with_loader(self.config_dir, REPLIES_FILE, new_text)
        except ConfigError as err:
            raise EditInvalid({field: f"配置检查未通过（{err.key}）：{err.problem}"})
        try:
            replace_if_unchanged(self.path, new_text, base_version)
        except EditConflict as conflict:
            raise self._conflict(conflict.current_text, base_version, base_text, lambda _: new_text)
        return SavedEdit(new_text, file_version(new_text), describe_answer_changes(current, new_text), current)

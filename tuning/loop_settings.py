"""The owner's loop settings (store_config/owner_loop.yml): the review threshold and the
promotion guard's limits, with the file's defaults when it is missing."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from store import DEFAULT_CONFIG_DIR

DEFAULT_FILE = DEFAULT_CONFIG_DIR / "owner_loop.yml"


class LoopSettingsError(ValueError):
    """The file is unreadable or a value is out of range; the message names the key."""


@dataclass(frozen=True)
class LoopSettings:
    review_confidence_below: float = 0.6
    max_fewer_correct: int = 0
    max_intent_loss: int = 2
    stories_must_pass: bool = True


def _number(section: dict, key: str, default, kind, low, high, where: str):
    value = section.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise LoopSettingsError(f"{where}.{key} 应为 {low}–{high} 之间的数，现在是 {value!r}")
    return kind(value)


def load_loop_settings(path: Path = DEFAULT_FILE) -> LoopSettings:
    if not path.exists():
        return LoopSettings()
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf8")) or {}
    except yaml.YAMLError as err:
        raise LoopSettingsError(f"{path.name} 不是有效的 YAML：{err}")
    review, guard = raw.get("review") or {}, raw.get("promotion_guard") or {}
    stories = guard.get("stories_must_pass", True)
    if not isinstance(stories, bool):
        raise LoopSettingsError(f"promotion_guard.stories_must_pass 应为 true 或 false，现在是 {stories!r}")
    return LoopSettings(
        review_confidence_below=_number(review, "confidence_below", 0.6, float, 0, 1, "review"),
        max_fewer_correct=_number(guard, "max_fewer_correct", 0, int, 0, 10_000, "promotion_guard"),
        max_intent_loss=_number(guard, "max_intent_loss", 2, int, 0, 10_000, "promotion_guard"),
        stories_must_pass=stories,
    )

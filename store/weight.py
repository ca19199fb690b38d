"""Parcel weights as shoppers write them: 2kg, 1.5公斤, 两公斤, 一斤半, 半斤, 800克, 3两."""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import cn2an

from .errors import WeightUnreadable
from .text import normalize

_KG_PER_UNIT = {
    "kg": Decimal(1), "公斤": Decimal(1), "千克": Decimal(1),
    "斤": Decimal("0.5"), "两": Decimal("0.05"),
    "g": Decimal("0.001"), "克": Decimal("0.001"),
}
_NUMBER = r"(?P<sign>[-−负])?\s*(?P<num>\d+(?:\.\d+)?)"
_UNIT = r"\s*(?P<unit>kg|公斤|千克|斤|克|g(?![a-z])|两)(?P<half>\s*半)?"
_WEIGHT = re.compile(_NUMBER + _UNIT, re.IGNORECASE)
_HALF_ALONE = re.compile(r"(?<![\d.])半(?P<unit>公斤|千克|斤)")
# Chinese numerals before units cn2an leaves alone or misreads (二两 → 22, 两kg).
_CN_BEFORE_UNIT = re.compile(r"([零一二两三四五六七八九十百千点]+)(?=两|kg|g(?![a-z]))", re.IGNORECASE)


@dataclass(frozen=True)
class Weight:
    kg: Decimal
    text: str

    def __str__(self) -> str:
        return self.text


def _numeral(chinese: str) -> str:
    try:
        return str(cn2an.cn2an(chinese, "smart"))
    except (ValueError, KeyError, IndexError):
        return chinese


def _arabic(text: str) -> str:
    text = text.replace("千克", "公斤")  # 一千克 is 1 kg, not 1000 克
    text = _CN_BEFORE_UNIT.sub(lambda m: _numeral(m.group(1)), text)
    text = _HALF_ALONE.sub(lambda m: f"0.5{m.group('unit')}", text)
    try:
        return cn2an.transform(text, "cn2an")
    except (ValueError, KeyError, IndexError):  # cn2an gives up on some odd mixes: keep the digits
        return text


def find_weight(text: str) -> Weight | None:
    """The first weight in `text`, or None when it names none. Raises WeightUnreadable for ≤ 0."""
    norm = _arabic(normalize(text))
    match = _WEIGHT.search(norm)
    if not match:
        return None
    try:
        number = Decimal(match.group("num"))
    except InvalidOperation:  # pragma: no cover - the pattern only admits decimals
        raise WeightUnreadable(text)
    if match.group("half"):
        number += Decimal("0.5")
    if match.group("sign") or number <= 0:
        raise WeightUnreadable(text)
    kg = number * _KG_PER_UNIT[match.group("unit").lower()]
    return Weight(kg.normalize(), match.group(0).lstrip("-−负 "))


def parse_weight(text: str) -> Weight:
    """Like find_weight, but a text without a weight is unreadable too."""
    weight = find_weight(text)
    if weight is None:
        raise WeightUnreadable(text)
    return weight

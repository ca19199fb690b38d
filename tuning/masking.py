"""Personal data out of a shopper's message before it becomes a training example: phone numbers,
order and tracking numbers, ID numbers, e-mail addresses, QQ/WeChat ids and street addresses.

Each is replaced by a fixed fake in the same shape, the way the training data already writes them
(手机138****5678, a 16-digit order number, 某某路1号): the sentence stays natural, the order-number
rule still finds an order number, and the model learns the shape, not a shopper's digits.
Kept as typed: the province, city and district (乌鲁木齐 is the destination the bot must learn),
weights (2公斤), money (18元), dates (11月25号), times and campaign numbers (双11, 满300减30)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Optional

from store import DEFAULT_CONFIG_DIR, Gazetteer, order_numbers

MOBILE_FAKE = "138****5678"
LANDLINE_FAKE = "0571-8888****"
ID_FAKE = "110101********1234"
EMAIL_FAKE = "abc@example.com"
QQ_FAKE = "10001"
WECHAT_FAKE = "wxid_abc123"
TRACKING_FAKE = "YT1234567890123"
STREET_FAKE = "某某{suffix}1号"
ESTATE_FAKE = "某某小区1栋1单元101室"
BUILDING_FAKE = "1栋1单元101室"
_ORDER_DIGITS = "1234567890"

_SEP = r"[\s\-－]?"
_MOBILE = re.compile(rf"(?<![\d*])(?:\+?86{_SEP})?1[3-9]\d(?:{_SEP}\d){{8}}(?![\d*])")
_LANDLINE = re.compile(r"(?<![\d*])(?:\(0\d{2,3}\)|0\d{2,3})[\s\-－]?[2-9]\d{3}[\s\-－]?\d{3,4}(?![\d*])")
_ID_NUMBER = re.compile(r"(?<![\dA-Za-z])[1-9]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![\dA-Za-z])")
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
_QQ = re.compile(r"((?:QQ|qq|Qq|扣扣)\s*(?:号码?)?\s*(?:是|[:：])?\s*)[1-9]\d{4,10}(?!\d)")
_WECHAT = re.compile(r"((?:微信|vx|VX|Vx|wx|WX|v信|V信)\s*(?:号)?\s*(?:是|[:：])?\s*)[A-Za-z][\w\-]{5,19}")
_TRACKING = re.compile(r"(?<![A-Za-z0-9])(?:SF|YT|ZTO|JD|YD|JT|EMS|STO|DBL|[A-Z]{2})\d{10,15}(?![\d])")

# Addresses: a street name and its number, an estate and its buildings, or building details alone.
_STREET_SUFFIX = r"(?:大街|大道|胡同|路|街|巷|弄)"
_DETAIL = r"(?:\s*\d+(?:[-－]\d+)?\s*(?:号楼|号院|号|弄|栋|幢|座|单元|楼|层|室))"
_ROOM = r"(?:\s*\d{3,4}(?:室|房|(?![\d\w])))"   # 502室, or 502 alone (not 500克)
_STREET_TAIL = re.compile(rf"({_STREET_SUFFIX})\s*\d+(?:[-－]\d+)?\s*(?:号|弄)(?:[-－]\d+)?{_DETAIL}*{_ROOM}?")
_ESTATE_TAIL = re.compile(rf"(?:小区|花园|公寓|大厦|家园|新村|苑){_DETAIL}+{_ROOM}?")
_BUILDING = re.compile(rf"(?<!\d)\d+\s*(?:栋|幢|号楼){_DETAIL}*{_ROOM}?")
# Characters that end a street or estate name when walking back from its suffix: division
# suffixes (the district stays), function words and anything not Chinese.
_NAME_STOP = set("省市区县镇乡旗州在到寄发送是的了我你他她它们住址地收货件往去至和与跟号栋幢座室楼层弄")
_MAX_NAME = 6


@dataclass(frozen=True)
class Masked:
    text: str
    kinds: tuple = ()     # what was masked: 手机号, 订单号, 地址 ...

    @property
    def changed(self) -> bool:
        return bool(self.kinds)


@lru_cache(maxsize=1)
def _store_places() -> frozenset:
    try:
        return frozenset(n for n in Gazetteer.from_files(DEFAULT_CONFIG_DIR / "places.yml").names() if len(n) >= 2)
    except Exception:   # a broken places file must not stop masking: fewer names kept, no crash
        return frozenset()


class Masker:
    """`places`: names that are never part of a street name (the store's gazetteer by default),
    so 乌鲁木齐解放北路88号 keeps 乌鲁木齐."""

    def __init__(self, places: Optional[Iterable[str]] = None) -> None:
        self._places = frozenset(places) if places is not None else None

    @property
    def places(self) -> frozenset:
        return self._places if self._places is not None else _store_places()

    def mask(self, text: str) -> Masked:
        kinds: list[str] = []

        def sub(pattern: re.Pattern, replacement, kind: str, value: str) -> str:
            new, count = pattern.subn(replacement, value)
            if count:
                kinds.append(kind)
            return new

        text = sub(_EMAIL, EMAIL_FAKE, "邮箱", text)
        text = sub(_ID_NUMBER, ID_FAKE, "身份证号", text)
        text = sub(_TRACKING, TRACKING_FAKE, "快递单号", text)
        text = self._orders(text, kinds)
        text = sub(_MOBILE, MOBILE_FAKE, "手机号", text)
        text = sub(_LANDLINE, LANDLINE_FAKE, "电话", text)
        text = sub(_QQ, lambda m: m.group(1) + QQ_FAKE, "QQ号", text)
        text = sub(_WECHAT, lambda m: m.group(1) + WECHAT_FAKE, "微信号", text)
        text = self._addresses(text, kinds)
        return Masked(text, tuple(dict.fromkeys(kinds)))

    @staticmethod
    def _orders(text: str, kinds: list) -> str:
        # not the digits of a tracking number (YT1234567890123)
        found = [f for f in order_numbers(text) if not (f[1] and text[f[1] - 1].isascii() and text[f[1] - 1].isalpha())]
        for digits, start, end in reversed(found):
            fake = (_ORDER_DIGITS * 3)[: end - start]
            text = text[:start] + fake + text[end:]
        if found:
            kinds.append("订单号")
        return text

    def _protected(self, text: str) -> list[tuple[int, int]]:
        """Spans of known place names, leftmost-longest."""
        spans, i, places = [], 0, self.places
        longest = max(map(len, places), default=0)
        while i < len(text):
            for size in range(min(longest, len(text) - i), 1, -1):
                if text[i:i + size] in places:
                    spans.append((i, i + size))
                    i += size
                    break
            else:
                i += 1
        return spans

    def _name_start(self, text: str, end: int, spans: list[tuple[int, int]]) -> int:
        """Where the street or estate name ending at `end` begins."""
        start = end
        while start > 0 and end - start < _MAX_NAME:
            ch = text[start - 1]
            if not ("\u4e00" <= ch <= "\u9fff") or ch in _NAME_STOP:
                break
            if any(s < start <= e for s, e in spans):   # a place name ends here: keep it
                if start == end:   # the place is the street's own name: 中山路
                    start = next(s for s, e in spans if s < start <= e)
                break
            start -= 1
        return start

    def _addresses(self, text: str, kinds: list) -> str:
        spans = self._protected(text)
        cuts: list[tuple[int, int, str]] = []
        for match in _STREET_TAIL.finditer(text):
            start = self._name_start(text, match.start(), spans)
            cuts.append((start, match.end(), STREET_FAKE.format(suffix=match.group(1))))
        for match in _ESTATE_TAIL.finditer(text):
            start = self._name_start(text, match.start(), spans)
            if start < match.start():
                cuts.append((start, match.end(), ESTATE_FAKE))
        for match in _BUILDING.finditer(text):
            cuts.append((match.start(), match.end(), BUILDING_FAKE))
        kept: list[tuple[int, int, str]] = []
        for cut in sorted(cuts, key=lambda c: (c[0], -c[1])):   # the first, longest one wins
            if kept and cut[0] < kept[-1][1]:
                kept[-1] = (kept[-1][0], max(cut[1], kept[-1][1]), kept[-1][2])
                continue
            kept.append(cut)
        for start, end, fake in reversed(kept):
            text = text[:start] + fake + text[end:]
        if kept:
            kinds.append("地址")
        return text


_default = Masker()


def mask(text: str) -> Masked:
    """`text` with personal data replaced (see the module docstring)."""
    return _default.mask(text)

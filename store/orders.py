"""What a shopper says about an order already placed: its number, and whether the question is
about that order (已经下单了/我的快递) rather than the shop's rule for a new one."""
from __future__ import annotations

import re
from typing import Optional

from .text import normalize, normalize_in_place

# Taobao/Tmall order numbers run 16–19 digits, JD's 10–12: any 10–20-digit run, except a mobile
# number (11 digits from 13–19) unless the shopper calls it the order number.
_NUMBER = re.compile(r"(?<!\d)(\d{10,20})(?!\d)")
_MOBILE = re.compile(r"1[3-9]\d{9}")
_CALLED_ORDER = re.compile(r"(订单|单号|订单号|订单编号)\D{0,4}$")
_PLACED = re.compile(
    r"我的(快递|包裹|订单|货|东西|件)|已经(下单|拍|付款|付了|买了|发货)|(拍|下单|付款|买)了|(下|拍)的单|"
    r"订单号|单号|我这单|这单|那单|催(单|发货|一下)|还(没|不)(发货|到|收到)|还在(揽收|路上|中转)|到哪(了|里)")


def order_numbers(text: str) -> list[tuple[str, int, int]]:
    """Every order number in `text` as (digits, start, end), positions in `text` as typed."""
    norm = normalize_in_place(text)
    found = []
    for match in _NUMBER.finditer(norm):
        digits = match.group(1)
        if _MOBILE.fullmatch(digits) and not _CALLED_ORDER.search(norm[: match.start()]):
            continue
        found.append((digits, match.start(1), match.end(1)))
    return found


def find_order_id(text: str) -> Optional[str]:
    """The order number in `text`, or None: 订单号 3298475610293847 → "3298475610293847"."""
    found = order_numbers(text)
    return found[0][0] if found else None


def asks_about_placed_order(text: str) -> bool:
    """我的快递今天能到吗 / 已经拍了什么时候发 / 催一下: about an order that exists already."""
    return bool(_PLACED.search(normalize(text)))

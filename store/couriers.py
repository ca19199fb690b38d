"""Which courier a shopper names, and message cues about carts and free shipping."""
from __future__ import annotations

import re
from typing import Optional

from .text import normalize

# Everyday names → the company. Order matters: longer names first.
_COURIER_NAMES = (
    ("百世汇通", "汇通"), ("百世", "汇通"), ("汇通", "汇通"),
    ("e邮宝", "EMS"), ("邮政", "EMS"), ("ems", "EMS"),
    ("顺丰", "顺丰"), ("顺风", "顺丰"), ("sf", "顺丰"),
    ("圆通", "圆通"), ("中通", "中通"), ("申通", "申通"), ("韵达", "韵达"),
    ("京东", "京东"), ("极兔", "极兔"), ("德邦", "德邦"), ("天天", "天天"), ("宅急送", "宅急送"),
)
_SEVERAL_ITEMS = re.compile(r"[两几多2-9二三四五六七八九十]+[件个样台套]|一起(买|拍|下单|寄|发)|购物车|合并|一块(买|拍|寄|发)")
_FREE_SHIPPING = re.compile(r"包邮|免运费|免邮|不要运费|运费全免")


def find_courier(text: str) -> Optional[str]:
    norm = normalize(text).lower()
    for name, company in _COURIER_NAMES:
        if name in norm:
            return company
    return None


def canonical_courier(name: str) -> str:
    return find_courier(name) or name


def mentions_several_items(text: str) -> bool:
    return bool(_SEVERAL_ITEMS.search(normalize(text)))


def asks_about_free_shipping(text: str) -> bool:
    return bool(_FREE_SHIPPING.search(normalize(text)))

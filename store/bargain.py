"""How firmly to decline a bargaining attempt (store-policy §2): the store never gives in."""
from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from .text import normalize

_OTHER_SHOPS = re.compile(r"别家|别人家|人家|别的店|其他店|其它店|隔壁|拼多多|京东|别处|外面|同款.{0,6}便宜")
_INSISTS = re.compile(r"再|就买|马上拍|立刻拍|最低|底价|最后|求求|拜托|行不行|不然|否则|不便宜|太贵")


class Tone(enum.Enum):
    GENTLE = "gentle"   # first, tentative ask: decline gently, thank them
    FIRM = "firm"       # insisting: restate politely, suggest cheaper items


@dataclass(frozen=True)
class BargainReply:
    tone: Tone
    mentions_other_shops: bool


def mentions_other_shops(text: str) -> bool:
    """别家/拼多多/隔壁…: the store never comments on other shops (store-policy §2, §8)."""
    return bool(_OTHER_SHOPS.search(normalize(text)))


def bargain_reply(previous_attempts: int, text: str) -> BargainReply:
    """`previous_attempts`: how often this shopper bargained before in the conversation."""
    norm = normalize(text)
    other = mentions_other_shops(norm)
    insisting = previous_attempts >= 1 or other or bool(_INSISTS.search(norm))
    return BargainReply(Tone.FIRM if insisting else Tone.GENTLE, other)

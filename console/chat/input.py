"""What a shopper typed, made safe to store: no control characters, no text-direction tricks."""
from __future__ import annotations

import re
import unicodedata

from helpdesk import MAX_ID

from ..texts import MAX_MESSAGE_CHARS

# Bidirectional overrides and isolates can make a message display as something else.
_BIDI = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))
_BLANK_LINES = re.compile(r"\n{3,}")


def clean_text(raw: object) -> str:
    if not isinstance(raw, str):
        return ""
    text = raw.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ").translate(_BIDI)
    text = "".join(ch for ch in text if ch == "\n" or unicodedata.category(ch) != "Cc")
    return _BLANK_LINES.sub("\n\n", text).strip()


def too_long(text: str) -> bool:
    return len(text) > MAX_MESSAGE_CHARS


def clean_id(raw: object) -> str | None:
    """A client message id is only a dedup key: short printable ASCII or nothing."""
    if isinstance(raw, str) and 0 < len(raw) <= 100 and raw.isascii() and raw.isprintable():
        return raw
    return None


# Message ids are the helpdesk database's integer keys: one beyond them cannot exist and must not
# reach SQL (where it overflows instead of matching nothing).
MAX_MESSAGE_ID = MAX_ID
_DIGITS = re.compile(r"[0-9]{1,19}")  # ASCII only: int() would also read other scripts' digits


def message_id(raw: object) -> int | None:
    """A message id (a cursor) from a client: a whole number 0…MAX_MESSAGE_ID, given as a number
    or as decimal digits; None for anything else."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, str) and _DIGITS.fullmatch(raw):
        raw = int(raw)
    return raw if isinstance(raw, int) and 0 <= raw <= MAX_MESSAGE_ID else None


def page_size(raw: object, default: int, most: int) -> int | None:
    """How many messages a page may hold: `default` when not given, None when out of 1…most."""
    if raw is None:
        return default
    size = message_id(raw)
    return size if size is not None and 1 <= size <= most else None

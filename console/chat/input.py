"""What a shopper typed, made safe to store: no control characters, no text-direction tricks."""
from __future__ import annotations

import re
import unicodedata

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

"""Normalising what shoppers type before it is parsed."""
from __future__ import annotations

import functools
import unicodedata

from opencc import OpenCC

MAX_PARSED_CHARS = 2000  # parsers look at the first 2,000 characters; longer messages are rambling


@functools.lru_cache(maxsize=1)
def _t2s() -> OpenCC:
    return OpenCC("t2s")


def normalize(text: str) -> str:
    """Simplified characters, half-width letters and digits, no surrounding space."""
    text = unicodedata.normalize("NFKC", text or "")[:MAX_PARSED_CHARS]
    return _t2s().convert(text).strip()

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


def normalize_in_place(text: str) -> str:
    """Like `normalize`, but every character keeps its position (the result has the same length):
    the tokenizer reads the normalised text while entity offsets stay those of what was typed.
    A character whose normal form is longer (㎏ → kg) is kept as typed."""
    chars = [c if len(n := unicodedata.normalize("NFKC", c)) != 1 else n for c in text or ""]
    simplified = _t2s().convert("".join(chars))
    if len(simplified) == len(chars):
        return simplified
    return "".join(s if len(s := _t2s().convert(c)) == 1 else c for c in chars)  # a phrase changed length

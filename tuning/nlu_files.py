"""Reading Rasa NLU files and telling when two messages are the same or nearly so: shared by the
held-out tests (no held-out message or near copy in data/), scripts/augment_nlu.py (which leaves
such variants out) and the owner's labelling (a held-out text never becomes a training example)."""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Iterable, Optional

import yaml

NEAR_COPY_JACCARD = 0.8   # of character 3-grams, letters and digits only
_MARKUP = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\})")


def examples(path: Path, markup: bool = False) -> list[dict]:
    """Every example of an NLU file as {intent, text, metadata}, in either YAML form; entity
    markup removed unless `markup`."""
    found = []
    for block in yaml.safe_load(path.read_text(encoding="utf8")).get("nlu", []):
        if "intent" not in block:
            continue
        items = block["examples"]
        if isinstance(items, str):
            items = [{"text": line.strip()[2:]} for line in items.splitlines() if line.strip().startswith("- ")]
        for item in items:
            text = item["text"].strip()
            found.append({"intent": block["intent"], "text": text if markup else _MARKUP.sub(r"\1", text),
                          "metadata": item.get("metadata") or {}})
    return found


def key(text: str) -> str:
    """Letters and digits only, case and width folded: 在吗🙋 and 在吗 are one message."""
    text = unicodedata.normalize("NFKC", _MARKUP.sub(r"\1", text)).lower()
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in "LN")


def grams(text: str) -> frozenset:
    k = key(text)
    return frozenset(k[i:i + 3] for i in range(len(k) - 2))


class NearCopies:
    """An index of messages; `of(text)` is the one `text` copies or nearly copies, or None."""

    def __init__(self, texts: Iterable[str]) -> None:
        self._texts = list(texts)
        self._keys = {key(t): t for t in self._texts}
        self._grams = [grams(t) for t in self._texts]
        self._by_gram: dict[str, set[int]] = {}
        for i, gs in enumerate(self._grams):
            for g in gs:
                self._by_gram.setdefault(g, set()).add(i)

    def of(self, text: str) -> Optional[str]:
        if key(text) in self._keys:
            return self._keys[key(text)]
        mine = grams(text)
        for i in set().union(*(self._by_gram.get(g, set()) for g in mine)) if mine else ():
            if len(mine & self._grams[i]) / len(mine | self._grams[i]) >= NEAR_COPY_JACCARD:
                return self._texts[i]
        return None

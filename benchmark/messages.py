"""The benchmark's message mix: every message of the held-out NLU files (never trained on), in a
fixed shuffled order — fee questions that call the action server included, in their real share."""
from __future__ import annotations

import random
from pathlib import Path

from tuning import nlu_examples

ROOT = Path(__file__).resolve().parents[1]
HELD_OUT = [ROOT / "tests" / "nlu" / "heldout.yml", ROOT / "tests" / "nlu" / "real_register.yml"]


def message_mix(seed: int = 9, files: list[Path] = HELD_OUT) -> list[str]:
    texts = [e["text"] for path in files for e in nlu_examples(path)]
    random.Random(seed).shuffle(texts)
    return texts

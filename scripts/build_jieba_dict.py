"""Writes jieba_dict/places.txt: every place name the bot resolves, so the tokenizer keeps
them whole and entity annotations stay on token boundaries. Run after editing places.yml
(make dict); tests fail when the committed file is stale."""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from store import Gazetteer  # noqa: E402

OUT = ROOT / "jieba_dict" / "places.txt"


def render() -> str:
    places = Gazetteer.from_files(ROOT / "store_config" / "places.yml")
    return "".join(f"{name} 2000 ns\n" for name in places.names())


if __name__ == "__main__":
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(render(), encoding="utf8")
    print(f"wrote {OUT.relative_to(ROOT)}")

"""`make fuzz`'s figures: inputs tried per surface, server errors, hangs and crashes, from the
summary the fuzz tests write (tests/fuzz/conftest.py, FUZZ_SUMMARY). Exit 1 when any of the
three is not 0 or the summary is missing."""
from __future__ import annotations

import json
import sys
from pathlib import Path

DEFAULT = Path(__file__).resolve().parents[1] / "results" / "fuzz" / "summary.json"


def main(argv: list[str]) -> int:
    path = Path(argv[0]) if argv else DEFAULT
    if not path.is_file():
        print(f"fuzz: no summary at {path} (the fuzz tests write it when FUZZ_SUMMARY is set)", file=sys.stderr)
        return 1
    summary = json.loads(path.read_text(encoding="utf8"))
    rows = [(name, s["inputs"], s["server_errors"], s["hangs"]) for name, s in summary["surfaces"].items()]
    width = max([len(r[0]) for r in rows] + [len("surface")])
    print(f"fuzzing, profile {summary['profile']} ({summary['examples_per_property']} examples per property)")
    print(f"{'surface':<{width}}  {'inputs':>8}  {'5xx':>5}  {'hangs':>5}")
    for name, inputs, errors, hangs in rows:
        print(f"{name:<{width}}  {inputs:>8,}  {errors:>5}  {hangs:>5}")
    print(f"{'total':<{width}}  {summary['inputs_total']:>8,}  {summary['server_errors']:>5}  {summary['hangs']:>5}")
    print(f"crashes: {summary['crashes']}")
    memory = summary.get("memory_mb") or {}
    if memory:
        print("console resident memory (MB): " + ", ".join(f"{k} {v:g}" for k, v in memory.items()))
    print(f"written to {path}")
    return 1 if summary["server_errors"] or summary["hangs"] or summary["crashes"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Summarises results/crossval/<pipeline>/ into a Markdown table (stdout)."""
from __future__ import annotations

import json
import sys
from pathlib import Path


def _f1(path: Path, key: str = "macro avg") -> str:
    if not path.exists():
        return "–"
    return f"{json.loads(path.read_text())[key]['f1-score']:.3f}"


def _learnt_entity_f1(path: Path) -> str:
    """Macro F1 over the entities DIET learns (order_id is read by rule, not learnt)."""
    if not path.exists():
        return "–"
    report = json.loads(path.read_text())
    scores = [v["f1-score"] for k, v in report.items() if isinstance(v, dict) and "avg" not in k and k != "order_id"]
    return f"{sum(scores) / len(scores):.3f}" if scores else "–"


def main(root: Path) -> None:
    print("# NLU pipeline comparison\n")
    print("Made by `make crossval` (scripts/crossval.sh). Cross-validation: 3 folds on the hand-written "
          "data/nlu (without the generated augmented.yml). Held-out: trained on all of data/nlu, scored on "
          "tests/nlu/heldout.yml and tests/nlu/real_register.yml (never trained on). "
          "F1 is the macro average over intents / over the entity types DIET learns (destination, weight, "
          "courier; order_id is read by rule).\n")
    print("| pipeline | CV intent F1 | CV entity F1 | heldout.yml intent F1 | real_register.yml intent F1 "
          "| heldout.yml entity F1 | NLU train s |")
    print("|---|---|---|---|---|---|---|")
    for run in sorted(p for p in root.iterdir() if p.is_dir()):
        train = (run / "train_seconds").read_text().strip() if (run / "train_seconds").exists() else "–"
        print(f"| {run.name} | {_f1(run / 'cv' / 'intent_report.json')} | "
              f"{_learnt_entity_f1(run / 'cv' / 'DIETClassifier_report.json')} | "
              f"{_f1(run / 'heldout' / 'intent_report.json')} | {_f1(run / 'real_register' / 'intent_report.json')} | "
              f"{_learnt_entity_f1(run / 'heldout' / 'DIETClassifier_report.json')} | {train} |")


if __name__ == "__main__":
    main(Path(sys.argv[1]))

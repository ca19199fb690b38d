"""The held-out NLU file (never trained on) scored with `rasa test nlu` on the trained model.

Figures are printed and kept in results/nlu/ (intent_report.json, DIETClassifier_report.json)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "store.tar.gz"
HELDOUT = ROOT / "tests" / "nlu" / "heldout.yml"
OUT = ROOT / "results" / "nlu"
MIN_INTENT_MACRO_F1 = 0.90
INTENTS = {"greet", "goodbye", "thank", "affirm", "deny", "ask_shipping_fee", "bargain", "ask_invoice",
           "ask_delivery_time", "ask_courier", "ask_tracking", "ask_return", "complain", "request_human",
           "bot_challenge", "inform", "out_of_scope"}

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def reports() -> dict:
    if not MODEL.exists():
        pytest.fail("models/store.tar.gz is missing: run `make train` (make test does it)")
    subprocess.run([str(ROOT / ".venv" / "bin" / "rasa"), "test", "nlu", "--nlu", str(HELDOUT), "--model", str(MODEL),
                    "--out", str(OUT), "--no-plot"], cwd=ROOT, check=True, capture_output=True)
    return {name: json.loads((OUT / f"{name}.json").read_text())
            for name in ("intent_report", "DIETClassifier_report")}


def test_heldout_file_is_not_in_the_training_data():
    import yaml

    def examples(path: Path) -> set[str]:
        data = yaml.safe_load(path.read_text(encoding="utf8"))
        return {line.strip()[2:] for block in data.get("nlu", []) if "intent" in block
                for line in block["examples"].splitlines() if line.strip()}

    trained = set().union(*(examples(p) for p in (ROOT / "data" / "nlu").glob("*.yml")))
    held_out = examples(HELDOUT)
    assert len(held_out) >= 300
    assert not held_out & trained


def test_intent_macro_f1_over_all_intents(reports):
    intents = reports["intent_report"]
    assert INTENTS <= set(intents), f"intents missing from the held-out file: {INTENTS - set(intents)}"
    macro = intents["macro avg"]["f1-score"]
    per_intent = ", ".join(f"{k} {intents[k]['f1-score']:.2f}" for k in sorted(INTENTS))
    print(f"\nheld-out intent macro-F1 {macro:.3f} (accuracy {intents['accuracy']:.3f}); {per_intent}", file=sys.stderr)
    assert macro >= MIN_INTENT_MACRO_F1


def test_entity_f1(reports):
    entities = reports["DIETClassifier_report"]
    figures = {k: round(entities[k]["f1-score"], 3) for k in ("destination", "weight", "courier", "macro avg")}
    print(f"\nheld-out entity F1 {figures}", file=sys.stderr)
    assert entities["macro avg"]["f1-score"] >= 0.85

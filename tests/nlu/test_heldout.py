"""The held-out NLU files (never trained on) scored with `rasa test nlu` on the trained model:
- heldout.yml: short everyday questions, written separately from data/;
- real_register.yml: long, messy messages in the register of real shoppers (multi-clause, two
  topics, typos, particles, masked numbers), written apart from data/ from docs/intents.md and the
  policy only; each example's class is in its metadata.
Both must reach intent macro-F1 0.90; neither may share a message, or a near copy of one, with
data/. Figures are printed and kept in results/nlu/<file>/."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml

import tuning

ROOT = Path(__file__).resolve().parents[2]
# The tests' own model (test.sh trains it and sets TEST_MODEL), never the live one.
MODEL = Path(os.environ.get("TEST_MODEL") or ROOT / "models" / "test" / "store.tar.gz")
HELD_OUT = {"heldout": ROOT / "tests" / "nlu" / "heldout.yml",
            "real_register": ROOT / "tests" / "nlu" / "real_register.yml"}
OUT = ROOT / "results" / "nlu"
MIN_INTENT_MACRO_F1 = 0.90
INTENTS = {"greet", "goodbye", "thank", "affirm", "deny", "ask_shipping_fee", "bargain", "ask_invoice",
           "ask_delivery_time", "ask_courier", "ask_tracking", "ask_return", "complain", "request_human",
           "bot_challenge", "inform", "out_of_scope", "ask_combined_shipping", "ask_payment", "ask_pickup",
           "ask_authenticity", "ask_contact", "ask_receiving", "ask_promotion", "cancel_order"}
CLASSES = {"my_order", "fee_platform", "gifts_promotions", "venting", "cancel", "quality", "messy",
           "short_context", "handbook", "plain"}
_CLAUSE = re.compile(r"[，,。.！!？?~～;；…、\s]+")


examples = tuning.nlu_examples


@pytest.fixture(scope="module")
def training_texts() -> list[str]:
    return [e["text"] for p in sorted((ROOT / "data" / "nlu").glob("*.yml")) for e in examples(p)]


@pytest.mark.parametrize("name", HELD_OUT)
def test_held_out_file_shares_no_message_or_near_copy_with_the_training_data(name, training_texts):
    training = tuning.NearCopies(training_texts)
    copies = [(e["text"], found) for e in examples(HELD_OUT[name]) if (found := training.of(e["text"]))]
    assert not copies, f"{len(copies)} held-out messages are (near) copies of training data: {copies[:10]}"


def test_real_register_file_has_the_register_of_real_shoppers():
    found = examples(HELD_OUT["real_register"])
    texts = [e["text"] for e in found]
    assert len(found) >= 600
    assert len(set(map(tuning.message_key, texts))) == len(texts), "no message twice"
    assert sum(len(t) > 12 for t in texts) > len(texts) / 2, "most messages longer than 12 characters"
    assert sum(len([c for c in _CLAUSE.split(t) if c]) > 1 for t in texts) >= len(texts) / 3, "a third multi-clause"
    assert sum(bool(e["metadata"].get("mixed")) for e in found) >= len(texts) / 5, "a fifth mixing two topics"
    classes = Counter(e["metadata"].get("class") for e in found)
    assert set(classes) == CLASSES, f"classes: {classes}"
    assert min(classes.values()) >= 30, f"every class well covered: {classes}"
    assert {e["intent"] for e in found} == INTENTS


def _evaluate(name: str) -> dict:
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make test` (it trains the tests' model)")
    out = OUT / name
    subprocess.run([str(ROOT / ".venv" / "bin" / "rasa"), "test", "nlu", "--nlu", str(HELD_OUT[name]),
                    "--model", str(MODEL), "--out", str(out), "--no-plot"], cwd=ROOT, check=True, capture_output=True)
    reports = {report: json.loads((out / f"{report}.json").read_text())
               for report in ("intent_report", "OrderNumberExtractor_report")}
    # the learnt entities' report is named after the DIET class config.yml names
    pipeline = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf8"))["pipeline"]
    (diet,) = [c["name"].rsplit(".", 1)[-1] for c in pipeline if c["name"].endswith("DIETClassifier")]
    reports["learnt_entities"] = json.loads((out / f"{diet}_report.json").read_text())
    return reports


@pytest.fixture(scope="module")
def reports() -> dict:
    return {}


def _reports_of(reports: dict, name: str) -> dict:
    if name not in reports:
        reports[name] = _evaluate(name)
    return reports[name]


@pytest.mark.slow
@pytest.mark.parametrize("name", HELD_OUT)
def test_intent_macro_f1_over_all_intents(reports, name):
    intents = _reports_of(reports, name)["intent_report"]
    assert INTENTS <= set(intents), f"intents missing from {name}: {INTENTS - set(intents)}"
    macro = intents["macro avg"]["f1-score"]
    per_intent = ", ".join(f"{k} {intents[k]['f1-score']:.2f}" for k in sorted(INTENTS))
    print(f"\n{name}: intent macro-F1 {macro:.3f} (accuracy {intents['accuracy']:.3f}); {per_intent}", file=sys.stderr)
    assert macro >= MIN_INTENT_MACRO_F1


@pytest.mark.slow
@pytest.mark.parametrize("name", HELD_OUT)
def test_entity_f1(reports, name):
    """Places, weights and couriers are learnt (DIET); order numbers are read by the store's rule."""
    learnt = _reports_of(reports, name)["learnt_entities"]
    figures = {k: round(learnt[k]["f1-score"], 3) for k in ("destination", "weight", "courier")}
    order_id = _reports_of(reports, name)["OrderNumberExtractor_report"]["order_id"]["f1-score"]
    print(f"\n{name}: entity F1 {figures}, order_id {order_id:.3f}", file=sys.stderr)
    assert sum(figures.values()) / len(figures) >= 0.85
    assert order_id >= 0.9

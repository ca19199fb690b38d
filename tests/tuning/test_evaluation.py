"""Evaluating a candidate against the live model.

Fast: Rasa replaced by a stand-in that writes Rasa's output files, to check how predictions are
read back per file, the figures side by side, the changed predictions (held-out and the owner's
reviewed examples), the live model's cache and the candidate evaluated alone.
Slow: the real thing, a deliberately worse model (one DIET epoch) against the good one, and the
guard refusing it."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

import tuning.evaluation as evaluation
from tuning import check_promotion, evaluate_candidate, intent_scores, load_loop_settings

HELDOUT = """version: "3.1"
nlu:
- intent: ask_tracking
  examples: |
    - 我的快递到哪了
    - 物流怎么不动了
- intent: greet
  examples: |
    - 在吗
"""
REAL = """version: "3.1"
nlu:
- intent: ask_shipping_fee
  examples:
  - text: 寄到[乌鲁木齐](destination)运费多少
    metadata: {class: plain}
  - text: 新疆包邮吗
"""
REVIEWED = """version: "3.1"
nlu:
- intent: ask_return
  examples: |
    - 不想要了能退吗
"""


class FakeRasa:
    """Writes what `rasa test nlu --successes` and `rasa test core --successes` write. A model
    named good*.tar.gz reads every message right; any other reads 在吗 and 新疆包邮吗 wrong."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def __call__(self, args, log, what) -> None:
        self.calls.append(args)
        out = Path(args[args.index("--out") + 1])
        good = Path(args[args.index("--model") + 1]).name.startswith("good")
        if args[1] == "core":
            failed = [] if good else [{"story": "转人工 (tests/stories/test_people.yml)", "steps": []}]
            (out / "failed_test_stories.yml").write_text(yaml.safe_dump({"stories": failed}) if failed else
                                                        "# None of the test stories failed - all good!")
            (out / "successful_test_stories.yml").write_text(yaml.safe_dump(
                {"stories": [{"story": "运费 (tests/stories/test_shipping.yml)", "steps": []}]}))
            return
        successes, errors = [], []
        data = yaml.safe_load(Path(args[args.index("--nlu") + 1]).read_text(encoding="utf8"))
        for block in data["nlu"]:
            for line in block["examples"].splitlines():
                text = evaluation._MARKUP.sub(r"\1", line[2:])   # Rasa reports the text without markup
                wrong = not good and text in ("在吗", "新疆包邮吗")
                row = {"text": text, "intent": block["intent"],
                       "intent_prediction": {"name": "out_of_scope" if wrong else block["intent"],
                                             "confidence": 0.41 if wrong else 0.93}}
                (errors if wrong else successes).append(row)
        (out / "intent_successes.json").write_text(json.dumps(successes, ensure_ascii=False), encoding="utf8")
        (out / "intent_errors.json").write_text(json.dumps(errors, ensure_ascii=False), encoding="utf8")


@pytest.fixture
def project(tmp_path, monkeypatch):
    for relative, text in (("tests/nlu/heldout.yml", HELDOUT), ("tests/nlu/real_register.yml", REAL),
                           ("data/nlu/owner_labelled.yml", REVIEWED)):
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text(text, encoding="utf8")
    for name in ("good.tar.gz", "20261130-101500-0123abcd.tar.gz"):
        (tmp_path / name).write_bytes(name.encode())
    fake = FakeRasa()
    monkeypatch.setattr(evaluation, "_rasa", fake)
    return tmp_path, fake


def test_intent_scores_average_over_the_expected_intents_as_rasa_does():
    scores = intent_scores([("a", "a"), ("a", "b"), ("b", "b"), ("c", None), ("b", "d")])
    assert scores["messages"] == 5 and scores["correct"] == 2
    assert scores["intents"]["a"] == {"support": 2, "correct": 1, "precision": 1.0, "recall": 0.5, "f1": 0.6667}
    assert scores["intents"]["b"]["f1"] == 0.5 and scores["intents"]["c"]["f1"] == 0.0
    assert scores["intents"]["d"] == {"support": 0, "correct": 0, "precision": 0.0, "recall": 0.0, "f1": 0.0}
    assert scores["macro_f1"] == round((0.6667 + 0.5 + 0) / 3, 4)


def test_a_candidate_against_the_live_model(project):
    root, fake = project
    candidate = root / "20261130-101500-0123abcd.tar.gz"
    report = evaluate_candidate(candidate, root / "good.tar.gz", root / "out", root=root)
    assert report["candidate"]["name"] == "20261130-101500-0123abcd" and report["live"]["name"] == "good"
    heldout, real = report["files"]["heldout"], report["files"]["real_register"]
    assert heldout["messages"] == 3 and heldout["correct"] == {"candidate": 2, "live": 3}
    assert real["correct"] == {"candidate": 1, "live": 2}
    combined = report["combined"]
    assert combined["messages"] == 5 and combined["correct"] == {"candidate": 3, "live": 5}
    assert combined["intents"]["greet"]["net"] == -1 and combined["intents"]["ask_tracking"]["net"] == 0
    assert combined["intents"]["greet"]["f1"] == {"candidate": 0.0, "live": 1.0}
    assert combined["macro_f1"]["live"] == 1.0 and combined["macro_f1"]["candidate"] < 1
    assert report["stories"] == {"total": 2, "passed": 1, "failed": 1, "failed_names": ["转人工"]}
    assert [(c["file"], c["text"]) for c in report["changed"]["held_out"]] == [("heldout", "在吗"),
                                                                           ("real_register", "新疆包邮吗")]
    assert report["changed"]["held_out"][0] == {
        "file": "heldout", "text": "在吗", "expected": "greet", "live": {"intent": "greet", "confidence": 0.93},
        "candidate": {"intent": "out_of_scope", "confidence": 0.41}, "fixed": False, "broken": True}
    assert report["reviewed"]["messages"] == 1 and report["changed"]["reviewed"] == []
    assert json.loads((root / "out" / "report.json").read_text(encoding="utf8")) == report
    assert (root / "out" / "intent_f1.png").is_file() and report["pictures"]["intent_f1"] == "intent_f1.png"

    verdict = check_promotion(report, load_loop_settings(root / "none.yml"))
    assert not verdict.allowed and len(verdict.reasons) == 2   # 2 fewer right, a story failed


def test_the_live_model_is_evaluated_once_per_model_file(project):
    root, fake = project
    candidate = root / "20261130-101500-0123abcd.tar.gz"
    evaluate_candidate(candidate, root / "good.tar.gz", root / "out1", root=root, cache_dir=root / "cache")
    live_runs = lambda: sum(1 for c in fake.calls if c[c.index("--model") + 1].endswith("good.tar.gz"))
    assert live_runs() == 2   # held-out files, reviewed examples
    evaluate_candidate(candidate, root / "good.tar.gz", root / "out2", root=root, cache_dir=root / "cache")
    assert live_runs() == 2
    (root / "good.tar.gz").write_bytes(b"another model")
    evaluate_candidate(candidate, root / "good.tar.gz", root / "out3", root=root, cache_dir=root / "cache")
    assert live_runs() == 4


def test_without_a_live_model_the_candidate_is_evaluated_alone(project):
    root, fake = project
    report = evaluate_candidate(root / "good.tar.gz", None, root / "out", root=root)
    assert report["live"] is None
    assert report["combined"]["correct"] == {"candidate": 5, "live": None}
    assert report["combined"]["intents"]["greet"]["net"] is None
    assert report["changed"] == {"held_out": [], "reviewed": []}
    verdict = check_promotion(report, load_loop_settings(root / "none.yml"))
    assert verdict.allowed and "第一个模型" in verdict.reasons[0]


@pytest.mark.slow
def test_a_worse_model_is_measured_worse_and_the_guard_refuses_it(worse_model, good_model, tmp_path):
    report = evaluate_candidate(worse_model, good_model, tmp_path / "worse", cache_dir=tmp_path / "cache")
    combined = report["combined"]
    assert 1000 < combined["messages"] <= sum(f["messages"] for f in report["files"].values())
    assert combined["correct"]["candidate"] < combined["correct"]["live"]
    assert combined["macro_f1"]["candidate"] < combined["macro_f1"]["live"]
    assert report["changed"]["held_out"], "the worse model reads some messages differently"
    # our figures are Rasa's: the candidate's held-out run is scored by Rasa too (a message in
    # both files once, macro-F1 over the expected intents)
    rasa = json.loads((tmp_path / "worse" / "nlu" / "intent_report.json").read_text())
    assert combined["messages"] == rasa["macro avg"]["support"]
    assert combined["macro_f1"]["candidate"] == pytest.approx(rasa["macro avg"]["f1-score"], abs=1e-3)
    assert combined["correct"]["candidate"] == round(rasa["accuracy"] * combined["messages"])
    assert report["stories"]["total"] > 0
    for picture in ("confusion_matrix", "histogram", "intent_f1"):
        assert (tmp_path / "worse" / report["pictures"][picture]).is_file()

    verdict = check_promotion(report, load_loop_settings())
    assert not verdict.allowed
    assert any("比上线模型" in reason for reason in verdict.reasons)
    assert any(reason.startswith("意图 ") for reason in verdict.reasons)

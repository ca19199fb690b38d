"""A candidate model against the live one, in messages: both read the held-out NLU files (never
trained on) and the owner's reviewed examples; the candidate also runs the test stories.

Rasa runs in subprocesses (`rasa test nlu` / `rasa test core`); this module only reads what they
write. Every figure (correct counts, per-intent F1, macro-F1) is computed here by one function
from the per-message predictions, so live and candidate are scored exactly alike. The live
model's predictions are cached by the model file's sha256 and the evaluated data's, so only the
candidate costs time on each retrain.

    results/evaluations/<candidate>/report.json      the figures (format: `evaluate`)
    results/evaluations/<candidate>/nlu/             Rasa's own files for the held-out files:
        intent_report.json, intent_confusion_matrix.png, intent_histogram.png (confidence), …
    results/evaluations/<candidate>/stories/         `rasa test core` output
    results/evaluations/<candidate>/intent_f1.png    per-intent F1, live vs candidate
    results/evaluations/.live-cache/<sha256>-<data>/ the live model's predictions
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Callable, Iterable, Optional

import yaml

from store import china_now

from .model_shelf import model_name, sha256_of
from .nlu_files import examples as nlu_examples
from .nlu_files import key as message_key

ROOT = Path(__file__).resolve().parents[1]
RASA = ROOT / ".venv" / "bin" / "rasa"
HELD_OUT_FILES = {"heldout": Path("tests/nlu/heldout.yml"), "real_register": Path("tests/nlu/real_register.yml")}
REVIEWED_FILE = Path("data/nlu/owner_labelled.yml")
LIVE_CACHE = ".live-cache"
RASA_ENV = {"RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONHASHSEED": "0",
            "SQLALCHEMY_SILENCE_UBER_WARNING": "1", "MPLBACKEND": "Agg"}
_MARKUP = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\})")   # [乌鲁木齐](destination) → 乌鲁木齐
_STORY_SOURCE = re.compile(r"\s*\([^()]*\.ya?ml\)\s*$")   # rasa appends " (tests/stories/x.yml)"


class EvaluationError(RuntimeError):
    """Rasa could not evaluate a model; the message (Chinese) says which step, `detail` the log tail."""

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.detail = detail


# --- figures -------------------------------------------------------------------------------

def intent_scores(pairs: Iterable[tuple[str, Optional[str]]]) -> dict:
    """(expected, predicted) intent pairs → messages, correct, macro-F1 and per intent support,
    correct, precision, recall, F1 (also for intents only predicted). Macro-F1 averages over the
    expected intents, as Rasa's intent report does (sklearn with the targets as labels)."""
    support, predicted, correct = defaultdict(int), defaultdict(int), defaultdict(int)
    for expected, guess in pairs:
        support[expected] += 1
        if guess is not None:
            predicted[guess] += 1
        if guess == expected:
            correct[expected] += 1
    expected = set(support)
    intents = {}
    for intent in sorted(expected | set(predicted)):
        hits = correct[intent]
        precision = hits / predicted[intent] if predicted[intent] else 0.0
        recall = hits / support[intent] if support[intent] else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        intents[intent] = {"support": support[intent], "correct": hits, "precision": round(precision, 4),
                           "recall": round(recall, 4), "f1": round(f1, 4)}
    messages = sum(support.values())
    return {"messages": messages, "correct": sum(correct.values()),
            "accuracy": round(sum(correct.values()) / messages, 4) if messages else 0.0,
            "macro_f1": round(sum(intents[i]["f1"] for i in expected) / len(expected), 4) if expected else 0.0,
            "intents": intents}


def side_by_side(candidate: list[dict], live: Optional[list[dict]]) -> dict:
    """One data set's figures for both models (live None: the candidate alone). Per intent:
    F1 and correct counts of both and the net change in messages (candidate − live)."""
    mine = intent_scores((p["expected"], p["intent"]) for p in candidate)
    theirs = intent_scores((p["expected"], p["intent"]) for p in live) if live is not None else None
    intents = {}
    for intent in sorted(set(mine["intents"]) | set(theirs["intents"] if theirs else ())):
        a = mine["intents"].get(intent, {"support": 0, "correct": 0, "f1": 0.0})
        b = theirs["intents"].get(intent, {"support": 0, "correct": 0, "f1": 0.0}) if theirs else None
        intents[intent] = {"support": a["support"],
                           "f1": {"candidate": a["f1"], "live": b["f1"] if b else None},
                           "correct": {"candidate": a["correct"], "live": b["correct"] if b else None},
                           "net": a["correct"] - b["correct"] if b else None}
    return {"messages": mine["messages"],
            "correct": {"candidate": mine["correct"], "live": theirs["correct"] if theirs else None},
            "accuracy": {"candidate": mine["accuracy"], "live": theirs["accuracy"] if theirs else None},
            "macro_f1": {"candidate": mine["macro_f1"], "live": theirs["macro_f1"] if theirs else None},
            "intents": intents}


def changed_predictions(candidate: list[dict], live: list[dict], source: str) -> list[dict]:
    """The messages the two models read differently (same data, same order)."""
    changed = []
    for new, old in zip(candidate, live):
        if new["intent"] != old["intent"]:
            changed.append({"file": source, "text": new["text"], "expected": new["expected"],
                            "live": {"intent": old["intent"], "confidence": old["confidence"]},
                            "candidate": {"intent": new["intent"], "confidence": new["confidence"]},
                            "fixed": new["intent"] == new["expected"], "broken": old["intent"] == old["expected"]})
    return changed


# --- running Rasa ----------------------------------------------------------------------------

def _rasa(args: list[str], log: Optional[Path], what: str) -> None:
    env = {**os.environ, **RASA_ENV}
    result = subprocess.run([str(RASA), *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if log is not None:
        with open(log, "a", encoding="utf8") as handle:
            handle.write(f"$ rasa {' '.join(args)}\n{result.stdout}{result.stderr}\n")
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-30:])
        raise EvaluationError(f"{what}失败（rasa 退出码 {result.returncode}）", tail)


def _data_sets(root: Path) -> dict[str, list[dict]]:
    """The held-out files and, if present, the owner's reviewed examples (with entity markup)."""
    sets = {name: nlu_examples(root / path, markup=True) for name, path in HELD_OUT_FILES.items()}
    if (root / REVIEWED_FILE).is_file():
        sets["reviewed"] = nlu_examples(root / REVIEWED_FILE, markup=True)
    return sets


def _nlu_file(examples: list[dict]) -> str:
    by_intent: dict[str, list[str]] = defaultdict(list)
    for example in examples:
        by_intent[example["intent"]].append(example["text"].replace("\n", " "))
    blocks = [f"- intent: {intent}\n  examples: |\n" + "".join(f"    - {text}\n" for text in texts)
              for intent, texts in by_intent.items()]
    return 'version: "3.1"\nnlu:\n' + "".join(blocks)


def predict(model: Path, examples: list[dict], out: Path, plots: bool, log: Optional[Path] = None) -> list[dict]:
    """Each example's prediction by `model`, in the examples' order: {text, expected, intent,
    confidence}. Rasa's own report and (if `plots`) pictures are left in `out`."""
    out.mkdir(parents=True, exist_ok=True)
    data = out / "evaluated_nlu.yml"
    data.write_text(_nlu_file(examples), encoding="utf8")
    args = ["test", "nlu", "--model", str(model), "--nlu", str(data), "--out", str(out), "--successes"]
    _rasa(args + ([] if plots else ["--no-plot"]), log, f"用模型 {model_name(model)} 评估 NLU ")
    found: dict[tuple, list[dict]] = defaultdict(list)
    for report in ("intent_successes.json", "intent_errors.json"):
        path = out / report
        for row in json.loads(path.read_text(encoding="utf8")) if path.is_file() else []:
            guess = row.get("intent_prediction") or {}
            found[(row["text"], row["intent"])].append(guess)
            found[(message_key(row["text"]), row["intent"])].append(guess)
    predictions, taken = [], defaultdict(int)
    for example in examples:
        text = _MARKUP.sub(r"\1", example["text"]).strip()
        key = (text, example["intent"]) if (text, example["intent"]) in found else (message_key(text), example["intent"])
        guesses = found.get(key, [])
        guess = guesses[min(taken[key], len(guesses) - 1)] if guesses else {}
        taken[key] += 1
        predictions.append({"text": text, "expected": example["intent"], "intent": guess.get("name"),
                            "confidence": round(float(guess.get("confidence") or 0.0), 4)})
    return predictions


def run_stories(model: Path, out: Path, root: Path = ROOT, log: Optional[Path] = None) -> dict:
    """The test stories (tests/stories) on `model`: total, passed, failed and the failed names."""
    out.mkdir(parents=True, exist_ok=True)
    _rasa(["test", "core", "--stories", str(root / "tests" / "stories"), "--model", str(model), "--out", str(out),
           "--successes", "--no-plot"], log, "测试对话")
    failed, passed = _story_names(out / "failed_test_stories.yml"), _story_names(out / "successful_test_stories.yml")
    return {"total": len(failed) + len(passed), "passed": len(passed), "failed": len(failed), "failed_names": failed}


def _story_names(path: Path) -> list[str]:
    if not path.is_file():
        return []
    loaded = yaml.safe_load(path.read_text(encoding="utf8")) or {}
    stories = loaded.get("stories", []) if isinstance(loaded, dict) else []
    return [_STORY_SOURCE.sub("", story.get("story", "")) for story in stories]


# --- the evaluation ----------------------------------------------------------------------------

def _live_predictions(live: Path, sets: dict[str, list[dict]], cache_dir: Path, log: Optional[Path]) -> dict:
    """The live model's predictions on every set, from the cache when this model file already read
    this data."""
    data_hash = hashlib.sha256(json.dumps(sets, ensure_ascii=False, sort_keys=True).encode()).hexdigest()[:16]
    folder = cache_dir / f"{sha256_of(live)}-{data_hash}"
    cached = folder / "predictions.json"
    if cached.is_file():
        return json.loads(cached.read_text(encoding="utf8"))
    cache_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".partial-", dir=cache_dir))
    try:
        found = _predict_sets(live, sets, work, log)
        (work / "predictions.json").write_text(json.dumps(found, ensure_ascii=False), encoding="utf8")
        if not folder.exists():
            os.replace(work, folder)   # whole or not at all: two evaluations may race here
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return found


def _predict_sets(model: Path, sets: dict[str, list[dict]], out: Path, log: Optional[Path]) -> dict:
    """All held-out files in one Rasa run (one model load; Rasa's pictures cover them all), the
    reviewed examples in another (training data: kept out of the held-out pictures)."""
    held_out = [e for name in HELD_OUT_FILES for e in sets[name]]
    predictions = predict(model, held_out, out / "nlu", plots=True, log=log)
    found, start = {}, 0
    for name in HELD_OUT_FILES:
        found[name] = predictions[start:start + len(sets[name])]
        start += len(sets[name])
    if sets.get("reviewed"):
        found["reviewed"] = predict(model, sets["reviewed"], out / "reviewed", plots=False, log=log)
    return found


def evaluate(candidate: Path, live: Optional[Path], out: Path, *, root: Path = ROOT,
             cache_dir: Optional[Path] = None, clock: Callable[[], dt.datetime] = china_now,
             log: Optional[Path] = None) -> dict:
    """Evaluates `candidate` against `live` (None: nothing to compare against) and writes
    `out/report.json`, Rasa's files and the pictures. Returns the report:

    candidate, live ({name, path} | None), time, files ({heldout, real_register}: messages,
    correct, accuracy, macro_f1 — each {candidate, live} — and intents {name: support, f1,
    correct, net}), combined (the held-out files together, a message in both counted once; same
    shape), reviewed (same shape, the owner's labelled examples, or None), stories (candidate: total, passed, failed,
    failed_names), changed ({held_out: [...], reviewed: [...]}: file, text, expected, live and
    candidate {intent, confidence}, fixed, broken), pictures (paths relative to `out`)."""
    out.mkdir(parents=True, exist_ok=True)
    cache_dir = cache_dir or out.parent / LIVE_CACHE
    sets = _data_sets(root)
    mine = _predict_sets(candidate, sets, out, log)
    theirs = _live_predictions(live, sets, cache_dir, log) if live is not None else None
    stories = run_stories(candidate, out / "stories", root, log)

    def pick(name: str) -> Optional[list[dict]]:
        return theirs[name] if theirs is not None else None

    files = {name: {"path": str(HELD_OUT_FILES[name]), **side_by_side(mine[name], pick(name))} for name in HELD_OUT_FILES}
    combined = side_by_side(_once([p for n in HELD_OUT_FILES for p in mine[n]]),
                            _once([p for n in HELD_OUT_FILES for p in theirs[n]]) if theirs is not None else None)
    reviewed = None
    if "reviewed" in mine:
        reviewed = {"path": str(REVIEWED_FILE), **side_by_side(mine["reviewed"], pick("reviewed"))}
    changed = {"held_out": [], "reviewed": []}
    if theirs is not None:
        changed["held_out"] = _once([c for n in HELD_OUT_FILES for c in changed_predictions(mine[n], theirs[n], n)])
        if "reviewed" in mine:
            changed["reviewed"] = changed_predictions(mine["reviewed"], theirs["reviewed"], "reviewed")
    report = {
        "candidate": {"name": model_name(candidate), "path": _shown(candidate, root)},
        "live": {"name": model_name(Path(os.path.realpath(live))), "path": _shown(live, root)} if live else None,
        "time": clock().isoformat(timespec="seconds"),
        "files": files, "combined": combined, "reviewed": reviewed, "stories": stories, "changed": changed,
        "pictures": {"confusion_matrix": "nlu/intent_confusion_matrix.png", "histogram": "nlu/intent_histogram.png"},
    }
    if draw_intent_f1(report, out / "intent_f1.png"):
        report["pictures"]["intent_f1"] = "intent_f1.png"
    report["pictures"] = {k: v for k, v in report["pictures"].items() if (out / v).is_file()}
    write_report(report, out)
    return report


def _once(rows: list[dict]) -> list[dict]:
    """A message in both held-out files counts once together (as in Rasa's own report)."""
    seen, unique = set(), []
    for row in rows:
        if (row["text"], row["expected"]) not in seen:
            seen.add((row["text"], row["expected"]))
            unique.append(row)
    return unique


def _shown(path: Path, root: Path) -> str:
    try:
        return str(Path(path).relative_to(root))
    except ValueError:
        return str(path)


def write_report(report: dict, out: Path) -> Path:
    path = out / "report.json"
    partial = out / ".report.json.partial"
    partial.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf8")
    os.replace(partial, path)   # the console and `make promote` never read half a report
    return path


def read_report(out: Path) -> Optional[dict]:
    path = out / "report.json"
    try:
        return json.loads(path.read_text(encoding="utf8")) if path.is_file() else None
    except (OSError, ValueError):
        return None


def draw_intent_f1(report: dict, path: Path) -> bool:
    """Per-intent F1 on the held-out files as horizontal bars, live beside candidate. Optional:
    False when matplotlib cannot draw."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except Exception:   # a picture is a nicety: the figures are in the report
        return False
    intents = report["combined"]["intents"]
    names = sorted(intents)
    if not names:
        return False
    figure, axes = plt.subplots(figsize=(7, 0.3 * len(names) + 1.2))
    rows = range(len(names))
    axes.barh([r + 0.2 for r in rows], [intents[n]["f1"]["candidate"] for n in names], height=0.4,
              label=f"candidate {report['candidate']['name']}", color="#2b7bb9")
    if report["live"]:
        axes.barh([r - 0.2 for r in rows], [intents[n]["f1"]["live"] or 0 for n in names], height=0.4,
                  label=f"live {report['live']['name']}", color="#bbbbbb")
    axes.set_yticks(list(rows))
    axes.set_yticklabels(names, fontsize=8)
    axes.invert_yaxis()
    axes.set_xlim(0, 1)
    axes.set_xlabel("intent F1 (held-out files)")
    axes.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, fontsize=8, frameon=False)
    figure.tight_layout()
    figure.savefig(path, dpi=90)
    plt.close(figure)
    return True

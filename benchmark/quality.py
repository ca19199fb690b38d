"""Training time and held-out intent F1 of a model, for the benchmark's table. Both are slow and
depend only on their inputs, so they are kept under .bench/ and reused while those are unchanged."""
from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HELD_OUT = [ROOT / "tests" / "nlu" / "heldout.yml", ROOT / "tests" / "nlu" / "real_register.yml"]
CACHE = ROOT / ".bench" / "quality"


def _sha(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:16]


def held_out_f1(rasa: Path, model: Path) -> dict:
    """{file: {"macro F1", "accuracy"}} on every held-out file, by `rasa test nlu` of that Rasa."""
    key = _sha(model) + "-" + "-".join(_sha(f) for f in HELD_OUT)
    cached = CACHE / f"f1-{key}.json"
    if cached.exists():
        return json.loads(cached.read_text())
    figures = {}
    for held_out in HELD_OUT:
        with tempfile.TemporaryDirectory() as out:
            subprocess.run([str(rasa), "test", "nlu", "--model", str(model), "--nlu", str(held_out), "--out", out],
                           cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           env=_env())
            report = json.loads((Path(out) / "intent_report.json").read_text())
        figures[held_out.name] = {"macro F1": report["macro avg"]["f1-score"], "accuracy": report["accuracy"]}
    CACHE.mkdir(parents=True, exist_ok=True)
    cached.write_text(json.dumps(figures, indent=1))
    return figures


def train_project(train: bool) -> tuple[float | None, str, Path | None]:
    """Full training of the project's model (config.yml) from scratch: (seconds, when, model).
    In this run when `train` (the model is kept in .bench/models/ and measured), else the figure
    and model of the last run on the same inputs. What is timed is the retrain job's training
    step (`rasa train --skip-validation`; the job validates the data just before: timed apart)."""
    inputs = subprocess.run(["bash", "-c", ". scripts/env.sh && data_fingerprint"], cwd=ROOT, check=True,
                            text=True, stdout=subprocess.PIPE).stdout.strip()[:16]
    cached = CACHE / f"train-{inputs}.json"
    model = ROOT / ".bench" / "models" / f"project-{inputs}.tar.gz"
    if not train:
        if cached.exists():
            return json.loads(cached.read_text())["seconds"], "earlier run", model if model.exists() else None
        return None, "not measured", None
    model.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as out:
        t0 = time.monotonic()
        # an empty cache of its own: Rasa would otherwise reuse components trained before
        subprocess.run([str(ROOT / ".venv" / "bin" / "rasa"), "train", "--skip-validation", "--config", "config.yml",
                        "--domain", "domain.yml", "--data", "data", "--out", out, "--fixed-model-name", "bench"],
                       cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       env={**_env(), "RASA_CACHE_DIRECTORY": str(Path(out) / "cache")})
        seconds = time.monotonic() - t0
        shutil.move(str(Path(out) / "bench.tar.gz"), model)
    CACHE.mkdir(parents=True, exist_ok=True)
    cached.write_text(json.dumps({"seconds": seconds}))
    return seconds, "this run", model


def data_check_seconds() -> float:
    """The retrain job's data check (`rasa data validate --fail-on-warnings`), timed."""
    t0 = time.monotonic()
    subprocess.run([str(ROOT / ".venv" / "bin" / "rasa"), "data", "validate", "--fail-on-warnings"], cwd=ROOT,
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_env())
    return time.monotonic() - t0


def _env() -> dict:
    import os
    return {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "PYTHONHASHSEED": "0", "TF_CPP_MIN_LOG_LEVEL": "2"}

"""The baseline of `make bench`: stock Rasa 3.6.21 in its own virtual environment (whatever pip
resolves for `rasa==3.6.21 jieba`, scripts/stock_rasa_venv.sh), trained with `rasa init`'s default
pipeline and policies (configs/baseline/stock_rasa_zh.yml) on the project's data and domain.

Training it takes far longer than the project's model (TEDPolicy and ResponseSelector, 100 epochs
each), so the model is kept under .bench/models/ and reused while its inputs are unchanged."""
from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "configs" / "baseline" / "stock_rasa_zh.yml"
MODELS = ROOT / ".bench" / "models"


def stock_venv() -> Path:
    out = subprocess.run(["bash", "scripts/stock_rasa_venv.sh"], cwd=ROOT, check=True, text=True,
                         stdout=subprocess.PIPE).stdout.strip().splitlines()[-1]
    return ROOT / out


def fingerprint(venv: Path) -> str:
    """What the baseline model is trained from: its config, the domain, the data, the stock set."""
    digest = hashlib.sha256()
    files = [CONFIG, ROOT / "domain.yml", venv / "resolved.txt", *sorted((ROOT / "data").rglob("*.yml"))]
    for path in files:
        digest.update(path.relative_to(ROOT).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def baseline_model(venv: Path) -> tuple[Path, float | None]:
    """The trained baseline model and, when trained in this run, its training seconds."""
    name = f"stock-{fingerprint(venv)}"
    model = MODELS / f"{name}.tar.gz"
    seconds_file = MODELS / f"{name}.train-seconds"
    if model.exists():
        return model, float(seconds_file.read_text()) if seconds_file.exists() else None
    MODELS.mkdir(parents=True, exist_ok=True)
    print(f"bench: training the stock baseline ({CONFIG.name}; once per data change, ~10–40 min)", file=sys.stderr)
    t0 = time.monotonic()
    with open(MODELS / f"{name}.train.log", "w") as log:
        subprocess.run([str(venv / "bin" / "rasa"), "train", "--config", str(CONFIG), "--domain", "domain.yml",
                        "--data", "data", "--out", str(MODELS), "--fixed-model-name", name],
                       cwd=ROOT, check=True, stdout=log, stderr=subprocess.STDOUT,
                       env={**_env(), "TF_CPP_MIN_LOG_LEVEL": "2",   # from scratch, not the project's cache
                            "RASA_CACHE_DIRECTORY": str(MODELS / f"{name}.cache")})
    seconds = time.monotonic() - t0
    shutil.rmtree(MODELS / f"{name}.cache", ignore_errors=True)
    seconds_file.write_text(f"{seconds:.1f}\n")
    return model, seconds


def _env() -> dict:
    import os
    return {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "PYTHONHASHSEED": "0"}


if __name__ == "__main__":
    venv = stock_venv()
    print(baseline_model(venv))

"""Shared by the owner's-loop tests: a deliberately worse model, trained once per session.

`worse_model` is trained on the project's real data and domain with the shipped pipeline cut
down to one DIET epoch, so it loads and answers like the real one but reads shoppers badly: the
promotion guard must refuse it against a good model. About a minute on 2 cores; its own Rasa
cache directory, so it never touches the project's `.rasa/` cache or `models/`."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
RASA = ROOT / ".venv" / "bin" / "rasa"


def good_model_path() -> Path:
    """The tests' good model (read only): TEST_MODEL, which make test sets, else the model it trains."""
    return Path(os.environ.get("TEST_MODEL") or ROOT / "models" / "test" / "store.tar.gz")


def tiny_config(path: Path) -> Path:
    """config.yml with DIET trained for one epoch: the same components, a much worse reader."""
    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf8"))
    diet = [c for c in config["pipeline"] if c["name"].rsplit(".", 1)[-1] in ("DIETClassifier", "LeanDIETClassifier")]
    assert diet, "config.yml has no DIET to cut down"
    diet[0]["epochs"] = 1
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf8")
    return path


@pytest.fixture(scope="session")
def good_model() -> Path:
    path = good_model_path()
    if not path.is_file():
        pytest.fail(f"no trained model at {path}: run `make test` (it trains the tests' model) or set TEST_MODEL")
    return path


@pytest.fixture(scope="session")
def worse_model(tmp_path_factory) -> Path:
    """A Rasa model trained with a deliberately tiny config (DIET, 1 epoch), in a session tmp dir."""
    folder = tmp_path_factory.mktemp("worse_model")
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2",
           "SQLALCHEMY_SILENCE_UBER_WARNING": "1", "RASA_CACHE_DIRECTORY": str(folder / "cache")}
    result = subprocess.run(
        [str(RASA), "train", "--config", str(tiny_config(folder / "config.yml")), "--domain", "domain.yml",
         "--data", "data", "--out", str(folder), "--fixed-model-name", "worse"],
        cwd=ROOT, env=env, capture_output=True, text=True)
    model = folder / "worse.tar.gz"
    assert result.returncode == 0 and model.is_file(), (result.stdout[-3000:] + result.stderr[-3000:])
    return model

"""Training-data validation and the test stories, through Rasa's own commands on the trained model."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RASA = str(ROOT / ".venv" / "bin" / "rasa")

pytestmark = pytest.mark.slow


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([RASA, *args], cwd=ROOT, capture_output=True, text=True)


def test_training_data_validates_without_warnings():
    result = _run("data", "validate", "--fail-on-warnings")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def test_every_test_story_is_predicted_exactly():
    model = os.environ.get("TEST_MODEL") or "models/test/store.tar.gz"  # the tests' model, never the live one
    result = _run("test", "core", "--stories", "tests/stories", "--model", model,
                  "--out", "results/core", "--fail-on-prediction-errors")
    failed = ROOT / "results" / "core" / "failed_test_stories.yml"
    detail = failed.read_text(encoding="utf8") if failed.exists() else ""
    assert result.returncode == 0, detail[-4000:] or result.stderr[-3000:]

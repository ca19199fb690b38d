"""Promotion against a real Rasa server (`rasa run --enable-api --auth-token`, on a free port):
the guard refusing a deliberately worse model through `promote`, with held-out figures from both
real models; a real swap seen in `GET /status`, the conversation kept across it; rollback.

The held-out figures come from the running server itself (`POST /model/parse` on tests/nlu/
heldout.yml with each model loaded) and are scored by tuning.evaluation's own function, so the
report has the evaluation's shape at a fraction of its cost (the full evaluation is
test_evaluation.py's). About 2½ minutes with the worse model's training."""
from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from helpdesk import ModelEvents, open_database
from store import CHINA
from tuning import (ModelPromotion, ModelShelf, RasaApiError, RasaServer, RasaUnreachable, model_id_of, model_name,
                    nlu_examples)
from tuning.evaluation import side_by_side, write_report
from tuning.model_shelf import fingerprinted_name
from benchmark.ports import free_port as _free_port

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
HELD_OUT = ROOT / "tests" / "nlu" / "heldout.yml"
START_TIMEOUT_S = 180



@dataclass
class Live:
    url: str
    token: str
    rasa: RasaServer
    shelf: ModelShelf
    events: ModelEvents
    promotion: ModelPromotion
    good: Path       # the kept copy of the good model, live at start
    worse: Path      # the candidate

    def say(self, conversation: str, text: str) -> None:
        requests.post(f"{self.url}/webhooks/rest/webhook", json={"sender": conversation, "message": text},
                      timeout=30).raise_for_status()

    def user_events(self, conversation: str) -> list[dict]:
        resp = requests.get(f"{self.url}/conversations/{conversation}/tracker", params={"token": self.token},
                            timeout=10)
        resp.raise_for_status()
        return [e for e in resp.json()["events"] if e["event"] == "user"]

    def parse(self, texts: list[str]) -> list[dict]:
        found = []
        with requests.Session() as session:
            for text in texts:
                resp = session.post(f"{self.url}/model/parse", params={"token": self.token}, json={"text": text},
                                    timeout=30)
                resp.raise_for_status()
                intent = resp.json().get("intent") or {}
                found.append({"intent": intent.get("name"), "confidence": intent.get("confidence") or 0.0})
        return found


def _wait_until_up(rasa: RasaServer, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"rasa run exited:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            rasa.status()
            return
        except (RasaUnreachable, RasaApiError):
            time.sleep(0.5)
    pytest.fail(f"rasa run did not answer within {START_TIMEOUT_S} s:\n{log.read_text(errors='replace')[-3000:]}")


@pytest.fixture(scope="module")
def live(tmp_path_factory, good_model, worse_model):
    folder = tmp_path_factory.mktemp("live_rasa")
    shelf = ModelShelf(folder / "models")
    events = ModelEvents(open_database(f"sqlite:///{folder / 'helpdesk.db'}", zone=CHINA))
    token, port = secrets.token_hex(16), _free_port()
    url = f"http://127.0.0.1:{port}"
    rasa = RasaServer(url, token)
    promotion = ModelPromotion(shelf, events, rasa, evaluations_dir=folder / "evaluations")
    # A copy: the shared model file is never linked or changed by the test.
    good_copy = shutil.copy(good_model, folder / "good.tar.gz")
    first = promotion.promote(good_copy, "setup")      # nothing running yet: the pointer only
    assert first.kind == "promote" and not first.swapped
    shelf.candidates_dir.mkdir(parents=True)
    worse = Path(shutil.copy(worse_model, shelf.candidates_dir / f"{fingerprinted_name(worse_model)}.tar.gz"))

    # Conversations in a SQL tracker store, as endpoints.yml has it: a swap keeps them (an
    # in-memory tracker store would start empty with the new model). No action server is needed.
    endpoints = folder / "endpoints.yml"
    endpoints.write_text(f"tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: {folder / 'tracker.db'}\n"
                         "action_endpoint:\n  url: http://127.0.0.1:9/webhook\n", encoding="utf8")
    log = folder / "rasa.log"
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2",
           "SQLALCHEMY_SILENCE_UBER_WARNING": "1"}
    with open(log, "w") as out:
        process = subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "rasa"), "run", "--enable-api", "--auth-token", token,
             "-i", "127.0.0.1", "-p", str(port), "--model", str(shelf.live_link),
             "--endpoints", str(endpoints), "--credentials", "credentials.yml", "--cors", ""],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_until_up(rasa, process, log)
        yield Live(url, token, rasa, shelf, events, promotion, shelf.live(), worse)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="module")
def worse_report(live) -> dict:
    """The worse candidate's report against the live model, from both models' real predictions
    on heldout.yml (each loaded in turn into the running server, the good one again after)."""
    examples = nlu_examples(HELD_OUT)
    texts = [e["text"] for e in examples]

    def predictions() -> list[dict]:
        return [{"text": t, "expected": e["intent"], **p} for t, e, p in zip(texts, examples, live.parse(texts))]

    good = predictions()
    live.rasa.load_model(live.worse, model_id_of(live.worse))
    worse = predictions()
    live.rasa.load_model(live.good, model_id_of(live.good))
    combined = side_by_side(worse, good)
    report = {"candidate": {"name": model_name(live.worse), "path": str(live.worse)},
              "live": {"name": model_name(live.good), "path": str(live.good)},
              "time": "2026-11-30T10:15:00+08:00", "files": {"heldout": combined}, "combined": combined,
              "reviewed": None, "stories": None, "changed": {"held_out": [], "reviewed": []}, "pictures": {}}
    out = live.promotion.evaluations_dir / model_name(live.worse)
    out.mkdir(parents=True, exist_ok=True)
    write_report(report, out)
    return report


def test_the_guard_refuses_a_deliberately_worse_model(live, worse_report):
    combined = worse_report["combined"]
    assert combined["correct"]["candidate"] < combined["correct"]["live"], combined["correct"]
    outcome = live.promotion.promote(live.worse, "owner")
    assert outcome.kind == "refused"
    assert any("比上线模型" in r and "少" in r for r in outcome.reasons), outcome.reasons
    assert live.shelf.live() == live.good and live.shelf.previous() is None
    assert live.rasa.status().model_id == model_id_of(live.good), "the running server kept the live model"
    event = live.events.list()[0]
    assert (event.kind, event.model, event.author) == ("refused", model_name(live.worse), "owner")
    assert event.figures["correct"] == combined["correct"]


def test_a_promotion_swaps_the_running_model_keeps_conversations_and_rolls_back(live, worse_report):
    good_id, worse_id = model_id_of(live.good), model_id_of(live.worse)
    assert good_id != worse_id
    assert live.rasa.status().model_id == good_id
    live.say("before-the-swap", "你好")

    outcome = live.promotion.promote(live.worse, "owner", override_reason="测试：运行中切换模型")
    assert outcome.kind == "promote" and outcome.swapped
    status = live.rasa.status()
    assert status.model_id == worse_id and status.model_file == live.shelf.live().name
    assert model_name(live.shelf.live()) == model_name(live.worse) and live.shelf.previous() == live.good
    live.say("before-the-swap", "在吗")
    said = live.user_events("before-the-swap")
    assert [e["text"] for e in said] == ["你好", "在吗"], "the conversation survived the swap"

    back = live.promotion.rollback("owner")
    assert back.kind == "rollback" and back.swapped and back.model == model_name(live.good)
    assert live.rasa.status().model_id == good_id
    assert live.shelf.live() == live.good
    assert [e["text"] for e in live.user_events("before-the-swap")] == ["你好", "在吗"]
    kinds = [(e.kind, e.reason) for e in live.events.list()]
    assert kinds[:2] == [("rollback", None), ("promote", "测试：运行中切换模型")]
    assert live.events.list()[1].figures["rasa_after"] == worse_id

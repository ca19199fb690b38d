"""The owner's training page: the retrain button starting one background job (a stand-in for
training), its stages in the status JSON the page polls, a second start refused, the evaluation
report side by side with the guard's verdict, and the pictures served only from
results/evaluations/ and only to owners."""
from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

import pytest

from tuning import TrainingPaths
from tuning.evaluation import side_by_side, write_report

ROOT = Path(__file__).resolve().parents[2]
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
CANDIDATE = "20261130-101500-0123abcd"

# The stand-in for `python -m tuning retrain`: the real job runner with a stage that waits for a file.
CHILD = """
import sys, time
from pathlib import Path
from tuning.training_job import PREPARE, TrainingPaths, run_retrain
paths = TrainingPaths(Path(sys.argv[1]))
def wait_for_go(job):
    while not (paths.root / "go").exists():
        time.sleep(0.05)
run_retrain(paths, lock_fd=int(sys.argv[-1]), steps=[(PREPARE, wait_for_go)])
"""


def predictions(rows):
    return [{"text": f"{e}{i}", "expected": e, "intent": p, "confidence": 0.9} for e, p, n in rows for i in range(n)]


def write_evaluation(root: Path, with_live: bool = True) -> Path:
    """A report of a candidate that reads 3 ask_tracking messages wrong the live model read right
    (`with_live` False: evaluated alone, nothing was live)."""
    live = predictions([("ask_tracking", "ask_tracking", 10), ("greet", "greet", 5)])
    mine = predictions([("ask_tracking", "ask_tracking", 7), ("ask_tracking", "complain", 3), ("greet", "greet", 5)])
    out = root / "results" / "evaluations" / CANDIDATE
    (out / "nlu").mkdir(parents=True)
    (out / "nlu" / "intent_confusion_matrix.png").write_bytes(PNG)
    (out / "nlu" / "intent_report.json").write_text("{}")
    figures = side_by_side(mine, live if with_live else None)
    reviewed = side_by_side(predictions([("ask_return", "ask_return", 2)]), None)
    write_report({"candidate": {"name": CANDIDATE, "path": f"models/candidates/{CANDIDATE}.tar.gz"},
                  "live": {"name": "20261129-090000-bbbbbbbb", "path": "models/live.tar.gz"} if with_live else None,
                  "time": "2026-11-30T10:20:00+08:00", "files": {"heldout": figures}, "combined": figures,
                  "reviewed": {"path": "data/nlu/owner_labelled.yml", **reviewed},
                  "stories": {"total": 2, "passed": 2, "failed": 0, "failed_names": []},
                  "changed": {"held_out": [{"file": "heldout", "text": "<b>催一下快递</b>", "expected": "ask_tracking",
                                            "live": {"intent": "ask_tracking", "confidence": 0.81},
                                            "candidate": {"intent": "complain", "confidence": 0.55},
                                            "fixed": False, "broken": True}], "reviewed": []},
                  "pictures": {"confusion_matrix": "nlu/intent_confusion_matrix.png"}}, out)
    (root / "secret.png").write_bytes(PNG)
    return out


@pytest.fixture
def repo(tmp_path) -> Path:
    """The repository the page works on: results/ and models/ empty; domain.yml for the review page's setup."""
    root = tmp_path / "repo"
    root.mkdir()
    shutil.copy(ROOT / "domain.yml", root / "domain.yml")
    return root


@pytest.fixture
async def training_console(start_console, store_copy, repo, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    console = await start_console(config_dir=store_copy, root=repo)
    console.app.ctx.owner.retrain_command = (sys.executable, "-c", CHILD, str(repo))
    return console


async def _wait(condition, seconds: float = 20):
    import asyncio
    deadline = time.monotonic() + seconds
    while not (result := await condition()):
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.1)
    return result


async def test_the_page_before_any_training(training_console):
    owner = await training_console.owner()
    async with owner.get("/owner/training") as resp:
        text = await resp.text()
    assert resp.status == 200
    assert '<button type="submit" id="training-start">' in text and "重新训练" in text
    assert "还没有评估报告" in text
    assert '<script src="/static/owner-training.js"></script>' in text
    assert "<script>" not in text


async def test_the_button_starts_one_background_job_and_the_status_follows_it(training_console, repo):
    owner = await training_console.owner()
    status, path, text = await training_console.post_form(owner, "/owner/training", "/owner/training/retrain", {})
    assert status == 200 and path == "/owner/training"
    assert "正在训练" in text and " disabled" in text

    async def stage_shown():
        async with owner.get("/owner/training/status") as resp:
            body = await resp.json()
        return body if body["stages"][0]["state"] == "running" else None
    body = await _wait(stage_shown)
    assert body["running"] and body["stage"] == "准备数据"
    assert [s["name"] for s in body["stages"]] == ["准备数据", "训练", "评估"]
    assert [s["state"] for s in body["stages"]] == ["running", "waiting", "waiting"]

    status, _, text = await training_console.post_form(owner, "/owner/training", "/owner/training/retrain", {})
    assert status == 409 and "已有一个训练任务在进行" in text

    (repo / "go").touch()

    async def finished():
        async with owner.get("/owner/training/status") as resp:
            body = await resp.json()
        return body if not body["running"] else None
    body = await _wait(finished)
    assert body["state"] == "done" and body["stage"] == "完成"
    assert TrainingPaths(repo).status.is_file()


async def test_a_retrain_needs_the_forms_token(training_console, repo):
    owner = await training_console.owner()
    async with owner.post("/owner/training/retrain", data={}) as resp:
        assert resp.status == 403
    assert not TrainingPaths(repo).status.exists()


async def test_the_report_side_by_side_with_the_guards_verdict(training_console, repo):
    write_evaluation(repo)
    owner = await training_console.owner()
    async with owner.get("/owner/training") as resp:
        text = await resp.text()
    assert resp.status == 200
    assert f"评估报告：{CANDIDATE}" in text and "20261129-090000-bbbbbbbb" in text
    assert "不建议上线" in text
    assert "意图 ask_tracking 在留出测试集上少答对 3 条（10 → 7，共 10 条；最多允许少 2 条）" in text
    assert '<tr class="training-loss">' in text and '<span class="training-down">-3</span>' in text
    assert "&lt;b&gt;催一下快递&lt;/b&gt;" in text and "改错了" in text   # shown as text
    assert f'src="/owner/training/files/{CANDIDATE}/nlu/intent_confusion_matrix.png"' in text
    assert 'href="/owner/models"' in text
    assert "现在上线的是" in text   # the report compared another model than the live one (none here)


async def test_a_first_model_has_nothing_to_compare_against(training_console, repo):
    write_evaluation(repo, with_live=False)
    owner = await training_console.owner()
    async with owner.get("/owner/training") as resp:
        text = await resp.text()
    assert resp.status == 200
    assert "评估时还没有上线模型，没有可比较的对象" in text and "可以上线" in text and "第一个模型" in text
    assert "店主标注的例句" in text
    assert "现在上线的是" not in text


async def test_pictures_are_served_only_from_the_evaluations_and_only_to_owners(training_console, repo):
    write_evaluation(repo)
    owner = await training_console.owner()
    async with owner.get(f"/owner/training/files/{CANDIDATE}/nlu/intent_confusion_matrix.png") as resp:
        assert resp.status == 200 and resp.content_type == "image/png" and await resp.read() == PNG
    for path in (f"/owner/training/files/{CANDIDATE}/nlu/intent_report.json",
                 f"/owner/training/files/{CANDIDATE}/..%2F..%2F..%2Fsecret.png",
                 f"/owner/training/files/{CANDIDATE}/../../../secret.png",
                 "/owner/training/files/..%2F..%2F..%2F/secret.png",
                 f"/owner/training/files/{CANDIDATE}/nlu/missing.png"):
        async with owner.get(path) as resp:
            assert resp.status == 404, path
    stranger = training_console.session()
    async with stranger.get(f"/owner/training/files/{CANDIDATE}/nlu/intent_confusion_matrix.png",
                            allow_redirects=False) as resp:
        assert resp.status in (302, 303) and resp.headers["Location"] == "/owner/login"
    async with stranger.get("/owner/training/status", allow_redirects=False) as resp:
        assert resp.status in (302, 303)
    agent = await training_console.agent()
    async with agent.get("/owner/training/status", allow_redirects=False) as resp:
        assert resp.status != 200

"""The background retrain without training: one job at a time (the lock, a stale lock taken
over), the detached process at lowered priority holding the lock, the status by stage with
elapsed times, and a failing stage reported in Chinese with the log's tail."""
from __future__ import annotations

import datetime as dt
import fcntl
import os
import sys
import time
from pathlib import Path

import pytest

from store import CHINA
from tuning import RetrainBusy, TrainingPaths, retrain_running, retrain_status, start_retrain
from tuning.training_job import EVALUATE, PREPARE, TRAIN, retrain_command, run_retrain

ROOT = Path(__file__).resolve().parents[2]


class TickingClock:
    """Each reading is a minute after the one before."""

    def __init__(self) -> None:
        self.now = dt.datetime(2026, 11, 30, 10, 0, tzinfo=CHINA)

    def __call__(self) -> dt.datetime:
        self.now += dt.timedelta(minutes=1)
        return self.now


@pytest.fixture
def paths(tmp_path) -> TrainingPaths:
    return TrainingPaths(tmp_path)


def fine(job) -> None:
    pass


def makes_a_candidate(job) -> None:
    job.paths.candidates.mkdir(parents=True)
    job.candidate = job.paths.candidates / "20261130-100300-0123abcd.tar.gz"
    job.candidate.write_bytes(b"model")


def test_stages_run_in_order_and_the_candidate_is_reported(paths):
    status = run_retrain(paths, steps=[(PREPARE, fine), (TRAIN, makes_a_candidate), (EVALUATE, fine)],
                         clock=TickingClock())
    assert status["state"] == "done" and status["stage"] == "完成" and not status["running"]
    assert status["candidate"] == "20261130-100300-0123abcd"
    assert [(s["name"], s["state"]) for s in status["stages"]] == [("准备数据", "done"), ("训练", "done"), ("评估", "done")]
    assert all(s["seconds"] > 0 for s in status["stages"]) and status["elapsed_seconds"] > 0
    assert "20261130-100300-0123abcd" in status["message"]
    assert not retrain_running(paths)


def test_a_failing_stage_is_reported_with_the_log_tail(paths):
    def broken_training(job) -> None:
        job.run([sys.executable, "-c", "import sys; print('loss: nan'); sys.exit(3)"], "训练（rasa train）")

    status = run_retrain(paths, steps=[(PREPARE, fine), (TRAIN, broken_training), (EVALUATE, fine)],
                         clock=TickingClock())
    assert status["state"] == "failed" and status["stage"] == "失败"
    assert status["message"].startswith("训练阶段出错：训练（rasa train）失败（退出码 3）")
    assert "var/log/training.log" in status["message"]
    assert status["log_tail"] == "loss: nan"
    assert [(s["name"], s["state"]) for s in status["stages"]] == [("准备数据", "done"), ("训练", "failed")]
    assert "loss: nan" in paths.log.read_text(encoding="utf8")
    assert not retrain_running(paths), "the lock is released after a failure"


def test_an_unexpected_error_is_a_failure_not_a_job_running_forever(paths):
    def bug(job) -> None:
        raise KeyError("model_id")

    status = run_retrain(paths, steps=[(PREPARE, bug)], clock=TickingClock())
    assert status["state"] == "failed"
    assert status["message"].startswith("准备数据阶段出现意外错误")
    assert "KeyError" in paths.log.read_text(encoding="utf8")


def test_a_held_lock_refuses_a_second_job(paths):
    paths.lock.parent.mkdir(parents=True)
    holder = os.open(paths.lock, os.O_RDWR | os.O_CREAT)
    fcntl.flock(holder, fcntl.LOCK_EX)
    os.write(holder, b"4242\n")
    try:
        assert retrain_running(paths)
        with pytest.raises(RetrainBusy, match="已有一个训练任务在进行（进程 4242）"):
            start_retrain(paths, command=[sys.executable, "-c", "pass"])
        with pytest.raises(RetrainBusy):
            run_retrain(paths, steps=[(PREPARE, fine)])
    finally:
        os.close(holder)


def test_a_stale_lock_from_a_dead_job_is_taken_over(paths):
    paths.lock.parent.mkdir(parents=True)
    paths.lock.write_text("999999\n")      # a pid that is gone, and nobody holds the flock
    assert not retrain_running(paths)
    status = run_retrain(paths, steps=[(PREPARE, fine)], clock=TickingClock())
    assert status["state"] == "done"


def test_a_job_that_died_is_not_shown_as_running(paths):
    paths.status.parent.mkdir(parents=True)
    paths.status.write_text('{"state": "running", "stage": "训练", "started_at": "2026-11-30T10:00:00+08:00", '
                            '"finished_at": null, "stages": [{"name": "训练", "state": "running", '
                            '"started_at": "2026-11-30T10:00:00+08:00", "finished_at": null}], "candidate": null}',
                            encoding="utf8")
    status = retrain_status(paths, clock=lambda: dt.datetime(2026, 11, 30, 10, 5, tzinfo=CHINA))
    assert status["state"] == "failed" and not status["running"]
    assert "意外结束" in status["message"]


def test_nothing_trained_yet(paths):
    status = retrain_status(paths)
    assert status["state"] == "idle" and not status["running"] and status["stages"] == []


CHILD = """
import os, sys, time
from pathlib import Path
from tuning.training_job import PREPARE, TrainingPaths, run_retrain
paths = TrainingPaths(Path(sys.argv[1]))
(paths.root / "nice.txt").write_text(str(os.nice(0)))
def wait_for_go(job):
    while not (paths.root / "go").exists():
        time.sleep(0.05)
run_retrain(paths, lock_fd=int(sys.argv[sys.argv.index("--lock-fd") + 1]), steps=[(PREPARE, wait_for_go)])
"""


def _wait_for(condition, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_the_background_job_is_detached_at_lowered_priority_and_holds_the_lock(paths, monkeypatch):
    assert retrain_command()[:3] == ["nice", "-n", "10"]
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    began = time.monotonic()
    status = start_retrain(paths, command=["nice", "-n", "10", sys.executable, "-c", CHILD, str(paths.root)])
    assert time.monotonic() - began < 2, "returns at once"
    assert status["state"] == "running" and status["running"]
    assert retrain_running(paths)
    with pytest.raises(RetrainBusy):
        start_retrain(paths, command=[sys.executable, "-c", "pass"])
    _wait_for(lambda: (paths.root / "nice.txt").exists())
    assert int((paths.root / "nice.txt").read_text()) >= 10
    _wait_for(lambda: retrain_status(paths)["stages"])
    assert retrain_status(paths)["stage"] == "准备数据" and retrain_running(paths)
    (paths.root / "go").touch()
    _wait_for(lambda: not retrain_running(paths))
    assert retrain_status(paths)["state"] == "done"
    assert start_retrain(paths, command=[sys.executable, "-c", "pass"])["running"] is not None  # free again

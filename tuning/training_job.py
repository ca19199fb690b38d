"""The background retrain: one job at a time, at lowered CPU priority, its progress by stage.

`start_retrain` (the console's button) returns at once: it takes the lock, then starts
`nice -n 10 python -m tuning retrain` as a detached process that inherits the lock, and that
process runs the stages:

    准备数据  data/nlu/augmented.yml (scripts/augment_nlu.py), `rasa data validate`
    训练      `rasa train` into a temporary folder, then models/candidates/<fingerprinted name>
    评估      tuning.evaluation against models/live.tar.gz → results/evaluations/<name>/
    完成 | 失败 (with the log's last lines and a message in Chinese)

One job at a time across processes: `results/training/retrain.lock` holds the job's pid under
an flock. The flock goes away with the process however it ends, so a lock file left by a dead
job is simply taken over. The status is a JSON file (`results/training/status.json`), replaced
whole on each change; `read_status` adds the elapsed times. Rasa's output: var/log/training.log.
"""
from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import shutil
import subprocess
import sys
import threading
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional, Sequence

from store import china_now

from .evaluation import RASA, RASA_ENV, EvaluationError, evaluate
from .model_shelf import fingerprinted_name

ROOT = Path(__file__).resolve().parents[1]
PREPARE, TRAIN, EVALUATE, DONE, FAILED = "准备数据", "训练", "评估", "完成", "失败"
STAGES = (PREPARE, TRAIN, EVALUATE)
NICENESS = 10
LOG_TAIL_LINES = 30


class RetrainBusy(RuntimeError):
    """Another retrain is running (message in Chinese)."""


class StepFailed(RuntimeError):
    """A stage failed: `message` for the owner (Chinese), `detail` the log's last lines."""

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.detail = detail


@dataclass(frozen=True)
class TrainingPaths:
    root: Path

    @property
    def lock(self) -> Path:
        return self.root / "results" / "training" / "retrain.lock"

    @property
    def status(self) -> Path:
        return self.root / "results" / "training" / "status.json"

    @property
    def log(self) -> Path:
        return self.root / "var" / "log" / "training.log"

    @property
    def candidates(self) -> Path:
        return self.root / "models" / "candidates"

    @property
    def live_model(self) -> Path:
        return self.root / "models" / "live.tar.gz"

    @property
    def evaluations(self) -> Path:
        return self.root / "results" / "evaluations"


# --- the lock ------------------------------------------------------------------------------

def _open_lock(paths: TrainingPaths) -> int:
    """The lock file's descriptor, flocked; RetrainBusy when a living job holds it."""
    paths.lock.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(paths.lock, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        holder = _lock_pid(paths)
        raise RetrainBusy(f"已有一个训练任务在进行（进程 {holder or '未知'}），请等它结束后再开始新的训练")
    return fd


def _write_pid(fd: int, pid: int) -> None:
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{pid}\n".encode(), 0)


def _lock_pid(paths: TrainingPaths) -> Optional[int]:
    try:
        return int(paths.lock.read_text().strip() or 0) or None
    except (OSError, ValueError):
        return None


def is_running(paths: TrainingPaths) -> bool:
    """True while a job holds the lock (an flock: a dead job's lock file does not count)."""
    if not paths.lock.exists():
        return False
    fd = os.open(paths.lock, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        return False
    except BlockingIOError:
        return True
    finally:
        os.close(fd)


# --- the status file ---------------------------------------------------------------------------

def _now(clock: Callable[[], dt.datetime]) -> str:
    return clock().isoformat(timespec="seconds")


def _write_status(paths: TrainingPaths, status: dict) -> None:
    paths.status.parent.mkdir(parents=True, exist_ok=True)
    partial = paths.status.with_name(f".status.{os.getpid()}.json")
    partial.write_text(json.dumps(status, ensure_ascii=False, indent=1), encoding="utf8")
    os.replace(partial, paths.status)


def _load_status(paths: TrainingPaths) -> Optional[dict]:
    try:
        return json.loads(paths.status.read_text(encoding="utf8"))
    except (OSError, ValueError):
        return None


def read_status(paths: TrainingPaths, clock: Callable[[], dt.datetime] = china_now) -> dict:
    """The last (or current) job as the page shows it: state (idle | running | done | failed),
    stage, running (bool), elapsed_seconds (whole job), stages [{name, state, seconds}],
    candidate, message, log_tail, started_at, finished_at."""
    status = _load_status(paths)
    running = is_running(paths)
    if status is None:
        return {"state": "idle", "running": running, "stage": None, "elapsed_seconds": 0, "stages": [],
                "candidate": None, "message": "还没有训练过候选模型", "log_tail": "", "started_at": None,
                "finished_at": None}
    now = clock()
    if status["state"] == "running" and not running:   # the job died without saying so
        status = {**status, "state": "failed", "stage": FAILED,
                  "message": "训练进程意外结束（可能被系统终止或机器重启），没有产生候选模型；请重新训练"}
    end = dt.datetime.fromisoformat(status["finished_at"]) if status.get("finished_at") else now
    status["elapsed_seconds"] = max(0, round((end - dt.datetime.fromisoformat(status["started_at"])).total_seconds()))
    for stage in status.get("stages", []):
        stop = dt.datetime.fromisoformat(stage["finished_at"]) if stage.get("finished_at") else (
            now if status["state"] == "running" else end)
        stage["seconds"] = max(0, round((stop - dt.datetime.fromisoformat(stage["started_at"])).total_seconds()))
    status["running"] = status["state"] == "running"
    return status


# --- starting and running a job -------------------------------------------------------------------

def retrain_command(python: str = sys.executable) -> list[str]:
    return ["nice", "-n", str(NICENESS), python, "-m", "tuning", "retrain"]


def start_retrain(paths: TrainingPaths, command: Optional[Sequence[str]] = None,
                  clock: Callable[[], dt.datetime] = china_now) -> dict:
    """Starts a retrain in the background and returns its first status at once. RetrainBusy when
    one is running. The child inherits the flocked lock (`--lock-fd`) so the lock never has a gap."""
    fd = _open_lock(paths)
    try:
        paths.log.parent.mkdir(parents=True, exist_ok=True)
        _write_status(paths, {"state": "running", "stage": PREPARE, "pid": None, "started_at": _now(clock),
                              "finished_at": None, "stages": [], "candidate": None,
                              "message": "训练任务已开始", "log_tail": ""})
        try:
            with open(paths.log, "a", encoding="utf8") as log:
                child = subprocess.Popen([*(command or retrain_command()), "--lock-fd", str(fd)], cwd=paths.root,
                                         stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                         pass_fds=(fd,), start_new_session=True)   # survives a console restart
        except OSError as err:
            _write_status(paths, {"state": "failed", "stage": FAILED, "pid": None, "started_at": _now(clock),
                                  "finished_at": _now(clock), "stages": [], "candidate": None,
                                  "message": f"无法启动训练进程：{err}", "log_tail": ""})
            raise RetrainBusy(f"无法启动训练进程：{err}") from err
        _write_pid(fd, child.pid)
        threading.Thread(target=child.wait, name="retrain-reaper", daemon=True).start()   # no zombie
    finally:
        os.close(fd)   # the child holds the lock from here on
    return read_status(paths, clock)


@dataclass
class Job:
    """One running retrain: what the stages share."""
    paths: TrainingPaths
    clock: Callable[[], dt.datetime]
    candidate: Optional[Path] = None

    def run(self, args: Sequence[str], what: str) -> None:
        """A command, its output appended to the log; StepFailed with the output's tail if it fails."""
        with open(self.paths.log, "a", encoding="utf8") as log:
            log.write(f"[{_now(self.clock)}] $ {' '.join(args)}\n")
            log.flush()
            start = log.tell()
            result = subprocess.run(list(args), cwd=self.paths.root, env={**os.environ, **RASA_ENV},
                                    stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        if result.returncode != 0:
            raise StepFailed(f"{what}失败（退出码 {result.returncode}）", _tail(self.paths.log, start))


Step = Callable[[Job], None]


def prepare_data(job: Job) -> None:
    job.run([sys.executable, "scripts/augment_nlu.py"], "生成训练数据变体（scripts/augment_nlu.py）")
    job.run([str(RASA), "data", "validate", "--fail-on-warnings"], "训练数据检查（rasa data validate）")


def train(job: Job) -> None:
    folder = job.paths.candidates / f".training-{os.getpid()}"
    shutil.rmtree(folder, ignore_errors=True)
    try:
        # the data was validated by prepare_data, more strictly (--fail-on-warnings): not twice
        job.run([str(RASA), "train", "--skip-validation", "--config", "config.yml", "--domain", "domain.yml",
                 "--data", "data", "--out", str(folder), "--fixed-model-name", "candidate"], "训练（rasa train）")
        trained = folder / "candidate.tar.gz"
        if not trained.is_file():
            raise StepFailed("训练结束了，但没有产生模型文件", _tail(job.paths.log))
        target = job.paths.candidates / f"{fingerprinted_name(trained, job.clock())}.tar.gz"
        os.replace(trained, target)   # a candidate appears whole, under its final name
        job.candidate = target
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def evaluate_candidate(job: Job) -> None:
    live = job.paths.live_model if job.paths.live_model.exists() else None
    name = job.candidate.name[: -len(".tar.gz")]
    try:
        evaluate(job.candidate, live, job.paths.evaluations / name, root=job.paths.root, clock=job.clock,
                 log=job.paths.log)
    except EvaluationError as err:
        raise StepFailed(f"评估{err}", err.detail)


DEFAULT_STEPS: tuple[tuple[str, Step], ...] = ((PREPARE, prepare_data), (TRAIN, train), (EVALUATE, evaluate_candidate))


def run_retrain(paths: TrainingPaths, lock_fd: Optional[int] = None, steps: Sequence[tuple[str, Step]] = DEFAULT_STEPS,
                clock: Callable[[], dt.datetime] = china_now) -> dict:
    """Runs a retrain in this process (the detached child, or `python -m tuning retrain` in a
    terminal) and returns its final status. `lock_fd`: the lock its starter took; without it the
    lock is taken here (RetrainBusy when another job runs)."""
    fd = lock_fd if lock_fd is not None else _open_lock(paths)
    _write_pid(fd, os.getpid())
    previous = _load_status(paths) or {}
    status = {"state": "running", "stage": PREPARE, "pid": os.getpid(),
              "started_at": previous.get("started_at") if lock_fd is not None and previous.get("state") == "running"
              else _now(clock), "finished_at": None, "stages": [], "candidate": None,
              "message": "训练任务进行中", "log_tail": ""}
    job = Job(paths, clock)
    paths.log.parent.mkdir(parents=True, exist_ok=True)
    _log(paths, f"[{_now(clock)}] retrain started (pid {os.getpid()})")
    try:
        for name, step in steps:
            status["stage"] = name
            status["stages"].append({"name": name, "state": "running", "started_at": _now(clock), "finished_at": None})
            _write_status(paths, status)
            try:
                step(job)
            except StepFailed as err:
                return _finish(paths, status, clock, FAILED, f"{name}阶段出错：{err}。完整日志：var/log/training.log",
                               err.detail)
            except Exception as err:   # a bug or a full disk: still a clear status, never "running" forever
                _log(paths, traceback.format_exc())
                return _finish(paths, status, clock, FAILED, f"{name}阶段出现意外错误：{err}。完整日志：var/log/training.log",
                               _tail(paths.log))
            status["stages"][-1].update(state="done", finished_at=_now(clock))
            if job.candidate is not None:
                status["candidate"] = job.candidate.name[: -len(".tar.gz")]
        message = f"训练完成：候选模型 {status['candidate']}，评估报告已生成" if status["candidate"] else "训练完成"
        return _finish(paths, status, clock, DONE, message, "")
    finally:
        os.close(fd)


def _finish(paths: TrainingPaths, status: dict, clock, state: str, message: str, tail: str) -> dict:
    if status["stages"] and status["stages"][-1]["state"] == "running":
        status["stages"][-1].update(state="failed" if state == FAILED else "done", finished_at=_now(clock))
    status.update(state="done" if state == DONE else "failed", stage=state, finished_at=_now(clock),
                  message=message, log_tail=tail)
    _write_status(paths, status)
    _log(paths, f"[{_now(clock)}] retrain {status['state']}: {message}")
    return read_status(paths, clock)


def lower_priority() -> None:
    """At least nice 10 however the job was started: the live bot shares these cores."""
    try:
        current = os.nice(0)
        if current < NICENESS:
            os.nice(NICENESS - current)
    except OSError:
        pass


def _log(paths: TrainingPaths, line: str) -> None:
    with open(paths.log, "a", encoding="utf8") as log:
        log.write(line.rstrip("\n") + "\n")


def _tail(path: Path, start: int = 0, lines: int = LOG_TAIL_LINES) -> str:
    try:
        with open(path, "rb") as handle:
            handle.seek(max(start, handle.seek(0, os.SEEK_END) - 200_000))
            text = handle.read().decode("utf8", errors="replace")
    except OSError:
        return ""
    # progress bars redraw one line with \r: keep what was shown last, not every frame
    shown = [[frame for frame in line.split("\r") if frame.strip()] for line in text.split("\n")]
    return "\n".join([frames[-1][-500:] for frames in shown if frames][-lines:])

"""The owner's training page (/owner/training): the 重新训练 button (a background job, one at a
time), its stages with elapsed time (static/owner-training.js polls /owner/training/status every
2 s), then the candidate's evaluation against the live model and the guard's verdict. Promotion
itself is on the models page. The work is `tuning`'s; this module reads and presents."""
from __future__ import annotations

import asyncio
import os
import re
from pathlib import Path
from typing import Optional

from sanic.exceptions import NotFound
from sanic.response import file, json, redirect

from tuning import (TRAINING_STAGES, LoopSettingsError, RetrainBusy, TrainingPaths, check_promotion,
                    load_loop_settings, read_evaluation, retrain_status, start_retrain)

from . import bp
from .pages import owner_required, render

REPORT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
SERVED_SUFFIXES = {".png"}
REPORTS_LISTED = 10
CHANGED_SHOWN = 200
FILE_LABELS = {"heldout": "heldout.yml（日常短问题）", "real_register": "real_register.yml（真实顾客说法）"}


def _paths(owner) -> TrainingPaths:
    return TrainingPaths(owner.root)


def _evaluated(paths: TrainingPaths) -> list[str]:
    """Names of the candidates with a report, newest first."""
    if not paths.evaluations.is_dir():
        return []
    found = [d for d in paths.evaluations.iterdir() if (d / "report.json").is_file() and not d.name.startswith(".")]
    return [d.name for d in sorted(found, key=lambda d: (d / "report.json").stat().st_mtime, reverse=True)]


def _live_name(paths: TrainingPaths) -> Optional[str]:
    if not paths.live_model.exists():
        return None
    name = Path(os.path.realpath(paths.live_model)).name
    return name[: -len(".tar.gz")] if name.endswith(".tar.gz") else name


def _view(owner, wanted: Optional[str]) -> dict:
    paths = _paths(owner)
    status = retrain_status(paths, owner.clock)
    evaluated = _evaluated(paths)
    name = wanted if wanted in evaluated else (status.get("candidate") if status.get("candidate") in evaluated
                                               else (evaluated[0] if evaluated else None))
    report = read_evaluation(paths.evaluations / name) if name else None
    verdict, settings_problem = None, None
    if report:
        try:
            verdict = check_promotion(report, load_loop_settings(owner.store_dir / "owner_loop.yml"))
        except LoopSettingsError as err:
            settings_problem = f"owner_loop.yml 有错误，无法做上线检查：{err}"
    live_now = _live_name(paths)
    compared = (report.get("live") or {}).get("name") if report else None
    stale = bool(report) and compared != live_now
    return {"job": status, "stages": _stage_rows(status), "report": report, "report_name": name, "verdict": verdict,
            "settings_problem": settings_problem, "evaluated": evaluated[:REPORTS_LISTED], "live_now": live_now,
            "stale": stale, "file_labels": FILE_LABELS, "changed_shown": CHANGED_SHOWN}


def _stage_rows(status: dict) -> list[dict]:
    """Every stage in order, with its state (waiting | running | done | failed) and seconds."""
    done = {stage["name"]: stage for stage in status.get("stages", [])}
    return [{"name": name, "state": done[name]["state"] if name in done else "waiting",
             "seconds": done[name].get("seconds") if name in done else None} for name in TRAINING_STAGES]


def _public_status(status: dict) -> dict:
    keys = ("state", "stage", "running", "elapsed_seconds", "candidate", "message", "log_tail", "started_at",
            "finished_at")
    return {**{k: status.get(k) for k in keys}, "stages": _stage_rows(status)}


@bp.get("/training")
@owner_required
async def training_page(request):
    view = await asyncio.to_thread(_view, request.app.ctx.owner, request.args.get("candidate"))
    return render(request, "owner/training.html", busy=None, **view)


@bp.get("/training/status")
@owner_required
async def training_status(request):
    status = await asyncio.to_thread(retrain_status, _paths(request.app.ctx.owner), request.app.ctx.owner.clock)
    return json(_public_status(status), headers={"Cache-Control": "no-store"})


@bp.post("/training/retrain")
@owner_required
async def retrain(request):
    owner = request.app.ctx.owner
    try:
        await asyncio.to_thread(start_retrain, _paths(owner), owner.retrain_command, owner.clock)
    except RetrainBusy as err:
        view = await asyncio.to_thread(_view, owner, None)
        return render(request, "owner/training.html", status=409, busy=str(err), **view)
    return redirect("/owner/training", status=303)


@bp.get("/training/files/<name>/<picture:path>")
@owner_required
async def evaluation_picture(request, name: str, picture: str):
    """A picture of an evaluation: only files inside results/evaluations/, only pictures."""
    root = _paths(request.app.ctx.owner).evaluations.resolve()
    if not REPORT_NAME.match(name):
        raise NotFound("没有这张图")
    path = (root / name / picture).resolve()
    if root not in path.parents or path.suffix not in SERVED_SUFFIXES or not path.is_file():
        raise NotFound("没有这张图")
    return await file(str(path), headers={"Cache-Control": "private, max-age=300"})

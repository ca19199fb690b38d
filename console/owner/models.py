"""The owner's models page (/owner/models): the live model and the one before it (rollback), the
candidates with their evaluation figures side by side and the guard's verdict, promotion through a
confirmation step (an override needs a typed reason), and the history of promotions, rollbacks and
refusals. The work is `tuning.ModelPromotion`'s; this module reads and presents."""
from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Optional

from sanic.response import redirect

from helpdesk import ModelEvent
from tuning import (ModelPromotion, ModelShelf, PromotionError, RasaServer, ShelfError, evaluation_report,
                    held_out_figures, load_loop_settings, model_name)

from . import bp
from .pages import owner_required, render

CANDIDATES_SHOWN = 10
HISTORY_SHOWN = 50
KIND_LABELS = {"promote": "上线", "rollback": "回滚", "refused": "拒绝上线"}


def promotion_of(owner) -> ModelPromotion:
    """The console's ModelPromotion: the one configured in OwnerServices, else one on the
    repository's models/ and results/ and the Rasa server the console talks to."""
    if owner.promotion is not None:
        return owner.promotion
    return ModelPromotion(ModelShelf(owner.root / "models"), owner.model_events,
                          RasaServer(owner.rasa_url, owner.rasa_token or ""), clock=owner.clock,
                          settings=lambda: load_loop_settings(owner.store_dir / "owner_loop.yml"),
                          evaluations_dir=owner.root / "results" / "evaluations",
                          labels=owner.review.decisions if owner.review is not None else None)


@dataclass
class ModelRow:
    name: str
    figures: dict                       # its own held-out figures (messages, correct, macro_f1)
    since: Optional[ModelEvent] = None  # the event that made it live


FILE_LABELS = {"combined": "留出集合计", "heldout": "heldout.yml", "real_register": "real_register.yml",
               "reviewed": "店主标注的例句"}


def side_by_side(report: Optional[dict]) -> list[dict]:
    """The report's figures per data set, live beside candidate: messages, correct, macro-F1."""
    if not report:
        return []
    sets = [("combined", report.get("combined"))] + list((report.get("files") or {}).items())
    sets.append(("reviewed", report.get("reviewed")))
    rows = []
    for key, figures in sets:
        if not isinstance(figures, dict):
            continue
        correct, f1 = figures.get("correct") or {}, figures.get("macro_f1") or {}
        rows.append({"label": FILE_LABELS.get(key, key), "messages": figures.get("messages"),
                     "correct_live": correct.get("live"), "correct_candidate": correct.get("candidate"),
                     "f1_live": f1.get("live"), "f1_candidate": f1.get("candidate")})
    return rows


def stories_text(report: Optional[dict]) -> str:
    stories = (report or {}).get("stories") or {}
    if not stories:
        return "—"
    text = f"{stories.get('passed', 0)}/{stories.get('total', 0)} 通过"
    return text + (f"，失败：{'、'.join(stories.get('failed_names') or [])}" if stories.get("failed") else "")


FIGURE_LABELS = {"messages": "留出集消息", "correct": "答对（上线 → 候选）", "macro_f1": "macro-F1（上线 → 候选）",
                 "stories": "测试对话", "intent_losses": "少答对的意图", "first_model": "第一个模型"}
NOT_SHOWN = {"candidate", "live", "limits", "rasa_after", "reasons", "overridden"}


def figures_text(figures: dict) -> str:
    """A recorded event's figures in one line for the history table."""
    parts = []
    for key, value in figures.items():
        if key in NOT_SHOWN or value in (None, {}, []):
            continue
        label = FIGURE_LABELS.get(key, key)
        if key == "rasa_before":
            parts.append(f"运行中的模型指纹 {str(value)[:8]} → {str(figures.get('rasa_after', ''))[:8]}")
        elif isinstance(value, dict) and {"live", "candidate"} <= set(value):
            parts.append(f"{label}: {value['live']} → {value['candidate']}")
        elif key == "stories" and isinstance(value, dict):
            parts.append(f"{label}: {value.get('passed')}/{value.get('total')} 通过")
        elif value is True:
            parts.append(label)
        elif isinstance(value, dict) and all(isinstance(v, (int, float)) for v in value.values()):
            parts.append(f"{label}: " + "、".join(f"{k} {v:+g}" for k, v in value.items()))
        else:
            shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
            parts.append(f"{label}: {shown[:120]}")
    return "；".join(parts)


@dataclass
class CandidateRow:
    name: str
    report: Optional[dict]              # tuning.evaluation's report (None: not evaluated yet)
    allowed: Optional[bool] = None
    reasons: list = field(default_factory=list)
    problem: Optional[str] = None       # why no verdict (no report yet, …)
    status: str = ""                    # 当前上线 / 曾上线 / ""

    @property
    def rows(self) -> list[dict]:
        return side_by_side(self.report)

    @property
    def stories(self) -> str:
        return stories_text(self.report)


def _row(path, events: list[ModelEvent], evaluations) -> Optional[ModelRow]:
    if path is None:
        return None
    name = model_name(path)
    since = next((e for e in events if e.kind in ("promote", "rollback") and e.model == name), None)
    return ModelRow(name, held_out_figures(evaluation_report(name, evaluations)), since)


def _candidate(promotion: ModelPromotion, path, live: Optional[str], kept: set) -> CandidateRow:
    name = model_name(path)
    status = "当前上线" if name == live else ("曾上线" if name in kept else "")
    try:
        report = evaluation_report(name, promotion.evaluations_dir)
    except PromotionError as err:
        return CandidateRow(name, None, problem=str(err), status=status)
    if status == "当前上线":
        return CandidateRow(name, report, status=status)
    if report is None and live is not None:
        return CandidateRow(name, None, problem="还没有评估：请在训练页面评估后再上线", status=status)
    try:
        verdict = promotion.verdict(path)
    except PromotionError as err:
        return CandidateRow(name, report, problem=str(err), status=status)
    return CandidateRow(name, report, verdict.allowed, list(verdict.reasons), status=status)


def _overview(promotion: ModelPromotion) -> dict:
    shelf, problem = promotion.shelf, None
    events = promotion.events.list(HISTORY_SHOWN)
    try:
        live_path, previous_path = shelf.live(), shelf.previous()
    except ShelfError as err:
        live_path = previous_path = None
        problem = str(err)
    live = _row(live_path, events, promotion.evaluations_dir)
    kept = {model_name(p) for p in shelf.kept()}
    candidates = [] if problem else [_candidate(promotion, p, live.name if live else None, kept)
                                     for p in shelf.candidates()[:CANDIDATES_SHOWN]]
    return {"live": live, "previous": _row(previous_path, events, promotion.evaluations_dir),
            "candidates": candidates, "problem": problem, "kinds": KIND_LABELS,
            "events": [(e, figures_text(e.figures)) for e in events]}


@bp.get("/models")
@owner_required
async def models_page(request):
    promotion = promotion_of(request.app.ctx.owner)
    view = await asyncio.to_thread(_overview, promotion)
    done = _done_event(view["events"], request.args.get("event"))
    return render(request, "owner/models.html", done=done, **view)


def _done_event(events: list, event_id: Optional[str]) -> Optional[ModelEvent]:
    if not event_id or not event_id.isdigit():
        return None
    return next((e for e, _ in events if e.id == int(event_id)), None)


def _confirmation(promotion: ModelPromotion, name: str) -> dict:
    path = promotion.shelf.find(name)
    live = promotion.shelf.live()
    verdict = promotion.verdict(path)
    report = evaluation_report(model_name(path), promotion.evaluations_dir)
    return {"model": model_name(path), "live": model_name(live) if live else None, "verdict": verdict,
            "rows": side_by_side(report), "stories": stories_text(report), "refused": False}


@bp.get("/models/promote/<name>")
@owner_required
async def confirm_promotion(request, name: str):
    promotion = promotion_of(request.app.ctx.owner)
    try:
        view = await asyncio.to_thread(_confirmation, promotion, name)
    except (ShelfError, PromotionError) as err:
        return render(request, "owner/models_confirm.html", status=409, error=str(err), model=name)
    return render(request, "owner/models_confirm.html", error=None, reason="", **view)


@bp.post("/models/promote/<name>")
@owner_required
async def promote(request, name: str):
    promotion = promotion_of(request.app.ctx.owner)
    reason = (request.form.get("override_reason") or "").strip() or None
    try:
        async with request.app.ctx.rasa.model_swap():  # shoppers wait for the new model meanwhile
            outcome = await asyncio.to_thread(promotion.promote, name, request.ctx.session.name, reason)
    except (ShelfError, PromotionError) as err:
        return render(request, "owner/models_confirm.html", status=409, error=str(err), model=name)
    if outcome.kind == "refused":
        view = await asyncio.to_thread(_confirmation, promotion, name)
        view["refused"] = True
        return render(request, "owner/models_confirm.html", status=409, error=None,
                      reason=request.form.get("override_reason") or "", **view)
    return redirect(f"/owner/models?event={outcome.event_id}", status=303)


def _rollback_view(promotion: ModelPromotion) -> dict:
    live, previous = promotion.shelf.live(), promotion.shelf.previous()
    if previous is None:
        raise PromotionError("没有上一个模型，无法回滚")
    events = promotion.events.list(HISTORY_SHOWN)
    return {"live": _row(live, events, promotion.evaluations_dir),
            "previous": _row(previous, events, promotion.evaluations_dir)}


@bp.get("/models/rollback")
@owner_required
async def confirm_rollback(request):
    promotion = promotion_of(request.app.ctx.owner)
    try:
        view = await asyncio.to_thread(_rollback_view, promotion)
    except (ShelfError, PromotionError) as err:
        return render(request, "owner/models_confirm.html", status=409, error=str(err), model="")
    return render(request, "owner/models_confirm.html", error=None, rollback=view, model="")


@bp.post("/models/rollback")
@owner_required
async def rollback(request):
    promotion = promotion_of(request.app.ctx.owner)
    try:
        async with request.app.ctx.rasa.model_swap():
            outcome = await asyncio.to_thread(promotion.rollback, request.ctx.session.name)
    except (ShelfError, PromotionError) as err:
        return render(request, "owner/models_confirm.html", status=409, error=str(err), model="")
    return redirect(f"/owner/models?event={outcome.event_id}", status=303)

"""The review queue (/owner/review): what shoppers said that the bot was unsure of, fell back on or
handed to a person, grouped, with a one-click choice of the right intent (or 不相关 / 忽略) that
goes through tuning's labelling (masking, held-out and duplicate checks, the owner's own file);
and one conversation from Rasa's tracker store (/owner/conversations/<id>)."""
from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Optional

from helpdesk import ReviewDecisions
from tuning import (LoopSettings, LoopSettingsError, OwnerLabels, Review, TrackerReader, intent_descriptions,
                    load_loop_settings, tracker_store_url)

from . import bp
from .pages import owner_required, render

SHOWN = 50          # groups on one page: the most frequent first
LIKELY = 3          # one-click buttons for the intents the model hesitated between
SELECTED = "__select__"


def _show(request, template: str, status: int = 200, **context):
    """Every name the templates use, defaults included (they render with StrictUndefined)."""
    for name, default in (("unavailable", False), ("result", None), ("problem", None), ("threshold", 0.6)):
        context.setdefault(name, default)
    return render(request, template, status=status, **context)


def _review(request):
    return getattr(request.app.ctx.owner, "review", None)


def _page(review, root):
    queue = review.queue()
    descriptions = intent_descriptions(root)
    intents = [(name, descriptions.get(name, "")) for name in review.labels.intents]
    groups = [{"group": g, "saved_as": review.labels.mask(g.text), "likely": g.candidate_intents[:LIKELY],
               "conversations": len({m.conversation_id for m in g.members}),
               "destination": review.labels.mask(g.entity("destination")), "weight": g.entity("weight")}
              for g in queue.groups[:SHOWN]]
    return {"queue": queue, "groups": groups, "intents": intents, "untrained": review.untrained_count(),
            "threshold": queue.threshold, "more": max(0, len(queue.groups) - SHOWN)}


@bp.get("/review")
@owner_required
async def review_page(request):
    review = _review(request)
    if review is None:
        return _show(request, "owner/review.html", unavailable=True)
    context = await asyncio.to_thread(_page, review, request.app.ctx.owner.root)
    return _show(request, "owner/review.html", **context)


def _decide(review, owner, form, author):
    choice = form.get("choice", "")
    if choice == SELECTED:
        choice = form.get("intent", "")
    if not choice:
        return None, "请选择一个意图"
    queue = review.queue()
    group = queue.find(form.get("key", ""))
    if group is None:
        return None, "这组句子已经处理过了（或已不在队列里）"
    marks = {"destination": form.get("destination", "").strip(), "weight": form.get("weight", "").strip()}
    return review.decide(group, choice, author, owner.clock(), marks=marks), None


@bp.post("/review")
@owner_required
async def review_decide(request):
    review = _review(request)
    if review is None:
        return _show(request, "owner/review.html", status=503, unavailable=True)
    form = {k: request.form.get(k, "") for k in ("key", "choice", "intent", "destination", "weight")}
    owner = request.app.ctx.owner
    result, problem = await asyncio.to_thread(_decide, review, owner, form, request.ctx.session.name)
    context = await asyncio.to_thread(_page, review, owner.root)
    status = 200 if result is not None and result.outcome != "refused" else 422
    return _show(request, "owner/review.html", status=status, result=result, problem=problem, **context)


@bp.get("/conversations/<conversation_id:str>")
@owner_required
async def conversation_page(request, conversation_id: str):
    review = _review(request)
    if review is None:
        return _show(request, "owner/conversation.html", status=503, unavailable=True,
                      conversation_id=conversation_id, turns=[])
    turns = await asyncio.to_thread(review.reader.conversation, conversation_id)
    return _show(request, "owner/conversation.html", status=200 if turns else 404,
                  conversation_id=conversation_id, turns=turns, threshold=review.threshold)


def build_review(db, root: Path, tracker_db_url: Optional[str] = None) -> Review:
    """The console's review queue: Rasa's tracker store, the decisions in the helpdesk database
    `db`, the owner's training file under `root`; the threshold read from owner_loop.yml at each
    queue (an unreadable file: the default, the settings page reports the error)."""
    settings_file = root / "store_config" / "owner_loop.yml"

    def threshold() -> float:
        try:
            return load_loop_settings(settings_file).review_confidence_below
        except LoopSettingsError:
            return LoopSettings().review_confidence_below

    return Review(TrackerReader(tracker_db_url or tracker_store_url(root)), ReviewDecisions(db),
                  OwnerLabels(root), threshold)

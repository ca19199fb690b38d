"""The owner's overview (/owner): per-day charts of what shoppers asked and how the bot and the
agents did, and the top questions waiting in the review queue."""
from __future__ import annotations

import asyncio
import datetime as dt

from sanic.response import json

from tuning import TrackerReader, chart_data, dashboard_days

from . import bp
from .pages import owner_required, render

DAYS = 14


def _days(ctx):
    now = ctx.owner.clock()
    since = (now - dt.timedelta(days=DAYS)).replace(hour=0, minute=0, second=0, microsecond=0)
    review = ctx.owner.review
    if review is not None:  # its reader keeps one engine (a connection pool) for the console's life
        figures = review.reader.daily_figures(since)
    else:
        reader = TrackerReader(ctx.owner.tracker_db_url)
        try:
            figures = reader.daily_figures(since)
        finally:
            reader.dispose()
    return dashboard_days(figures, ctx.tickets.timings(since), now, DAYS)


def _top_questions(ctx, limit: int = 8) -> list:
    review = getattr(ctx.owner, "review", None)
    return review.top_questions(limit) if review is not None and hasattr(review, "top_questions") else []


@bp.get("", strict_slashes=False)
@owner_required
async def overview(request):
    ctx = request.app.ctx
    days = await asyncio.to_thread(_days, ctx)
    top = await asyncio.to_thread(_top_questions, ctx)
    week = days[-7:]
    totals = {
        "conversations": sum(d.conversations for d in week),
        "shopper_messages": sum(d.shopper_messages for d in week),
        "fallbacks": round(100 * sum(d.fallback_rate * d.shopper_messages for d in week)
                           / max(1, sum(d.shopper_messages for d in week)), 1),
        "tickets": sum(d.tickets for d in week),
        "tickets_late": sum(d.tickets_late for d in week),
    }
    return render(request, "owner/dashboard.html", days=list(reversed(days)), totals=totals, top=top)


@bp.get("/dashboard.json")
@owner_required
async def overview_data(request):
    days = await asyncio.to_thread(_days, request.app.ctx)
    return json(chart_data(days))

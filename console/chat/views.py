"""The shopper's page and the JSON history; both identify the shopper by the cookie only."""
from __future__ import annotations

import logging

from sanic import Blueprint
from sanic.response import json

from .. import texts
from .session import COOKIE

bp = Blueprint("chat")
logger = logging.getLogger(__name__)


@bp.get("/")
async def page(request):
    ctx = request.app.ctx
    conversation = ctx.shopper_sessions.conversation_of(request.cookies.get(COOKIE))
    response = ctx.templates.render("chat/index.html", client_texts=texts.CLIENT)
    # Re-issued on every visit, so the month of validity counts from the last visit.
    ctx.shopper_sessions.set_cookie(response, conversation or ctx.shopper_sessions.new_conversation())
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/api/messages")
async def messages(request):
    ctx = request.app.ctx
    conversation = ctx.shopper_sessions.conversation_of(request.cookies.get(COOKIE))
    if conversation is None:
        return json({"error": "unauthorized"}, status=401)
    try:
        after = max(0, int(request.args.get("after", 0)))
    except ValueError:
        return json({"error": "after must be a message id"}, status=400)
    try:
        found = await ctx.chat.history(conversation, after)
    except Exception:  # the helpdesk database is down: say so, the page asks again later
        logger.warning("history unavailable", exc_info=True)
        return json({"error": "unavailable", "hint": ctx.chat.busy_text()}, status=503,
                    headers={"Cache-Control": "no-store"})
    return json({"messages": found}, headers={"Cache-Control": "no-store"})

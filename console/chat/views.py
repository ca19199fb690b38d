"""The shopper's page and the JSON history; both identify the shopper by the cookie only.

GET /api/messages?after=<id>|before=<id>&limit=<n>: a page of the conversation, oldest first,
with `more` when the history goes on (the page asks again from the last id it got). A cursor or
limit that is not a whole number in range is refused with 400 before any query."""
from __future__ import annotations

import logging

from sanic import Blueprint
from sanic.response import json

from .. import texts
from .input import message_id, page_size
from .paging import PageRequest, read_page
from .session import COOKIE

bp = Blueprint("chat")
logger = logging.getLogger(__name__)
NO_STORE = {"Cache-Control": "no-store"}


@bp.get("/")
async def page(request):
    ctx = request.app.ctx
    conversation = ctx.shopper_sessions.conversation_of(request.cookies.get(COOKIE))
    response = ctx.templates.render("chat/index.html", client_texts=texts.CLIENT)
    # Re-issued on every visit, so the month of validity counts from the last visit.
    ctx.shopper_sessions.set_cookie(response, conversation or ctx.shopper_sessions.new_conversation())
    response.headers["Cache-Control"] = "no-store"
    return response


def _bad(parameter: str, why: str):
    return json({"error": "bad_parameter", "parameter": parameter, "hint": why}, status=400, headers=NO_STORE)


def page_request(args, limits) -> tuple[PageRequest | None, object]:
    """(the request, None) or (None, the 400 response) from the query string."""
    cursors = {}
    for name in ("after", "before"):
        raw = args.get(name)
        if raw is None:
            cursors[name] = None
            continue
        cursors[name] = message_id(raw)
        if cursors[name] is None:
            return None, _bad(name, f"{name} must be a message id (a whole number, 0 to 2147483647)")
    limit = page_size(args.get("limit"), limits.page_default, limits.page_max)
    if limit is None:
        return None, _bad("limit", f"limit must be a whole number from 1 to {limits.page_max}")
    return PageRequest(cursors["after"], cursors["before"], limit), None


@bp.get("/api/messages")
async def messages(request):
    ctx = request.app.ctx
    conversation = ctx.shopper_sessions.conversation_of(request.cookies.get(COOKIE))
    if conversation is None:
        return json({"error": "unauthorized"}, status=401, headers=NO_STORE)
    wanted, refusal = page_request(request.args, ctx.chat_limits)
    if wanted is None:
        return refusal
    try:
        found = await read_page(ctx.messages, conversation, wanted)
    except Exception:  # the helpdesk database is down: say so, the page asks again later
        logger.warning("history unavailable", exc_info=True)
        return json({"error": "unavailable", "hint": ctx.chat.busy_text()}, status=503, headers=NO_STORE)
    return json(found, headers=NO_STORE)

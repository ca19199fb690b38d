"""The agent inbox: log in, see open tickets by due time, read the conversation, reply, close;
change one's password."""
from __future__ import annotations

import asyncio

from sanic import Blueprint
from sanic.response import redirect

from helpdesk import TicketClosed, TicketNotFound

from ..login_views import add_login_routes
from ..chat.input import clean_text
from ..chat.service import message_json
from ..chat.socket import room_of
from .auth import agent_required

bp = Blueprint("agent", url_prefix="/agent")
MAX_REPLY_CHARS = 2000
SYNC_WAIT_SECONDS = 2


def _page(request, name, status=200, **context):
    ctx = request.app.ctx
    session = getattr(request.ctx, "session", None)
    context.setdefault("csrf_token", ctx.agent_auth.csrf_token(session) if session else "")
    return ctx.templates.render(name, status=status, session=session, **context)


add_login_routes(bp, "agent", agent_required, _page)


@bp.get("", strict_slashes=False)
@agent_required
async def inbox(request):
    ctx = request.app.ctx
    active = await asyncio.to_thread(ctx.tickets.list_active)
    return _page(request, "agent/inbox.html", now=ctx.clock(),
                 waiting=[t for t in active if t.status == "open"],
                 answered=[t for t in active if t.status == "answered"])


async def _load_ticket(request, ticket_id: int):
    try:
        return await asyncio.to_thread(request.app.ctx.tickets.get, ticket_id)
    except TicketNotFound:
        return None


async def _ticket_view(request, ticket, status=200, sent=False, reply_error=None, draft=""):
    """The conversation from the message record, split where the ticket was opened."""
    ctx = request.app.ctx
    history = await asyncio.to_thread(ctx.messages.since, ticket.conversation_id)
    return _page(request, "agent/ticket.html", status=status, ticket=ticket, now=ctx.clock(),
                 before=[m for m in history if m.created_at <= ticket.created_at],
                 after=[m for m in history if m.created_at > ticket.created_at],
                 unsynced=[m for m in history if m.pending_sync],
                 sent=sent, max_reply=MAX_REPLY_CHARS, reply_error=reply_error, draft=draft)


def _not_found(request):
    return _page(request, "agent/error.html", status=404, message="没有这个工单。")


@bp.get("/tickets/<ticket_id:int>")
@agent_required
async def ticket_page(request, ticket_id: int):
    ticket = await _load_ticket(request, ticket_id)
    if ticket is None:
        return _not_found(request)
    return await _ticket_view(request, ticket, sent=request.args.get("sent") == "1")


@bp.post("/tickets/<ticket_id:int>/reply")
@agent_required
async def reply(request, ticket_id: int):
    ctx = request.app.ctx
    ticket = await _load_ticket(request, ticket_id)
    if ticket is None:
        return _not_found(request)
    text = clean_text(request.form.get("text"))
    if not text or len(text) > MAX_REPLY_CHARS:
        error = "回复不能为空。" if not text else f"回复不能超过{MAX_REPLY_CHARS}字。"
        return await _ticket_view(request, ticket, status=400, reply_error=error,
                                  draft=request.form.get("text") or "")
    try:
        message = await asyncio.to_thread(ctx.tickets.answer, ticket_id, request.ctx.session.user, text, ctx.clock())
    except TicketClosed:
        return _page(request, "agent/error.html", status=409, message="这个工单已经关闭，不能再回复。")
    # Live to the shopper's open pages; a shopper who is away gets it from the history on return.
    await ctx.sio.emit("message", message_json(message), room=room_of(message.conversation_id))
    # Into Rasa's history too; waited for briefly so the next page shows the real sync state.
    await asyncio.wait({ctx.background.spawn(ctx.rasa_sync.push_pending())}, timeout=SYNC_WAIT_SECONDS)
    return redirect(f"/agent/tickets/{ticket_id}?sent=1", status=303)


@bp.post("/tickets/<ticket_id:int>/close")
@agent_required
async def close(request, ticket_id: int):
    ctx = request.app.ctx
    try:
        await asyncio.to_thread(ctx.tickets.close, ticket_id, ctx.clock())
    except TicketNotFound:
        return _not_found(request)
    return redirect("/agent", status=303)

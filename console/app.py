"""The console app factory: everything it talks to is passed in, so tests give it fakes."""
from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path
from typing import Callable, Optional

import socketio
from sanic import Sanic
from sanic.response import json

from handoff import HandoffService
from helpdesk import Accounts, MessageStore, TicketStore
from ops import RetentionSchedule
from store import Store, china_now

from .agent.views import bp as agent_bp
from .attempt_log import attempt_log_for
from .auth import AGENT_AREA, OWNER_AREA, Auth, SessionLimits
from .background import Background
from .chat.answer_lease import LEASE_SECONDS, TABLE as ANSWER_LEASES, AnswerLeases
from .chat.packet_guard import polling_post_guard
from .chat.rate_limit import ChatLimits
from .chat.service import UNANSWERED_WINDOW, ChatService
from .chat.session import ShopperSessions
from .chat.socket import ChatSocketServer, register_socket_events, room_of, socket_manager, stop_socket_manager
from .chat.views import bp as chat_bp
from .client_errors import protocol_logger
from .leases import ConversationLeases
from .login_throttle import LoginThrottle
from .metrics import add_metrics
from .owner import bp as owner_bp
from .owner.services import OwnerServices
from .rasa_client import RasaClient
from .rasa_sync import RasaSync, SyncClaims
from .security import add_security_headers
from .trusted_proxies import TrustedProxies
from .settings import Settings
from .signing import Signer
from .static_guard import static_file_guard
from .templating import Templates

STATIC_DIR = Path(__file__).parent / "static"


def create_app(settings: Settings, *, tickets: TicketStore, messages: MessageStore, rasa: RasaClient,
               handoff: HandoffService, store: Callable[[], Store], accounts: Accounts, owner: OwnerServices,
               clock: Callable[[], dt.datetime] = china_now, name: str = "console",
               sync_interval: Optional[float] = None, sync_claims: Optional[SyncClaims] = None,
               unanswered_window: dt.timedelta = UNANSWERED_WINDOW,
               chat_limits: Optional[ChatLimits] = None,
               retention: Optional[RetentionSchedule] = None) -> Sanic:
    app = Sanic(name, configure_logging=False)  # logging is set up by the caller (console/__main__)
    app.config.REQUEST_MAX_SIZE = 1_000_000
    # Same-origin only (python-socketio's default): another site cannot open a socket with the
    # shopper's cookie. Rooms span the console instances through Redis when REDIS_URL is set.
    sio = ChatSocketServer(async_mode="sanic",
                           client_manager=socket_manager(settings.redis_url, settings.redis_timeout),
                           logger=protocol_logger(), engineio_logger=protocol_logger())
    sio.attach(app)

    async def notify(conversation_id: str, event: str, payload: dict) -> None:
        await sio.emit(event, payload, room=room_of(conversation_id))

    signer = Signer(settings.secret)
    ctx = app.ctx
    ctx.settings, ctx.sio, ctx.clock = settings, sio, clock
    ctx.tickets, ctx.messages, ctx.rasa = tickets, messages, rasa
    ctx.templates = Templates(store_name=lambda: store().config.store.name)  # live, like every answer
    ctx.shopper_sessions = ShopperSessions(signer, settings.cookie_secure)
    ctx.accounts, ctx.owner = accounts, owner
    ctx.background = Background()
    # Claims in the helpdesk database: one instance pushes each agent reply into Rasa, one
    # answers a conversation's shopper messages (and takes over when that one died).
    claims = sync_claims or SyncClaims.open(settings.db_url, settings.rasa_timeout)
    # Failed logins and ended sessions: shared by every instance (Redis when REDIS_URL is set, else the helpdesk database).
    attempts = attempt_log_for(settings.redis_url, claims.database, timeout=settings.redis_timeout)
    throttle = LoginThrottle(attempts)  # one for both logins: a guesser cannot switch doors to go faster
    ctx.proxies = TrustedProxies(settings.trusted_proxies)
    limits = SessionLimits(settings.session_idle_seconds, settings.session_max_seconds)
    ctx.agent_auth, ctx.owner_auth = (
        Auth(signer, accounts, area, settings.cookie_secure, throttle, limits=limits, ended=attempts,
             proxies=ctx.proxies) for area in (AGENT_AREA, OWNER_AREA))
    # On the app's clock, like the messages' times it is compared with (tests move it).
    answer_leases = ConversationLeases(claims.database, ANSWER_LEASES, LEASE_SECONDS, lambda: clock().timestamp())
    ctx.chat = ChatService(messages, rasa, handoff, clock, notify, ctx.background,
                           busy_text=lambda: store().replies.render("system_busy_retry")[0],
                           leases=AnswerLeases(answer_leases), unanswered_window=unanswered_window)
    ctx.rasa_sync = RasaSync(messages, rasa, sync_interval or settings.sync_interval, claims)
    ctx.chat_limits = chat_limits or ChatLimits.from_env()
    register_socket_events(sio, ctx.chat, ctx.shopper_sessions, ctx.chat_limits,
                           too_fast_text=lambda seconds: store().replies.render("too_fast", seconds=seconds)[0])

    app.blueprint(chat_bp)
    app.blueprint(agent_bp)
    app.blueprint(owner_bp)
    app.static("/static", str(STATIC_DIR), name="static")
    app.add_route(health, "/health", methods=["GET"])
    add_metrics(app)  # GET /metrics (METRICS_TOKEN) and the request counter
    app.register_middleware(add_security_headers, "response")
    app.register_middleware(polling_post_guard(sio.eio), "request")  # before engine.io reads them
    app.register_middleware(static_file_guard(STATIC_DIR), "request")  # before Sanic's static handler
    ctx.stopping = False
    app.register_middleware(_refuse_while_stopping, "request")

    async def start(app, _loop):
        await rasa.start()

    async def started(app, _loop):
        ctx.sync_loop = asyncio.create_task(ctx.rasa_sync.run_forever())
        # the personal-data retention purge (PIPL), when this instance runs it (console/__main__)
        ctx.retention_loop = asyncio.create_task(retention.run_forever()) if retention else None

    async def stopping(app, _loop):
        ctx.stopping = True  # from here on only the messages in flight are finished
        ctx.sync_loop.cancel()
        if ctx.retention_loop:
            ctx.retention_loop.cancel()
        await ctx.chat.close()
        await ctx.background.drain()
        await _close_sockets(sio)
        await stop_socket_manager(sio)

    async def stopped(app, _loop):
        await rasa.close()
        if sync_claims is None:
            claims.close()

    app.register_listener(start, "before_server_start")
    app.register_listener(started, "after_server_start")
    app.register_listener(stopping, "before_server_stop")
    app.register_listener(stopped, "after_server_stop")
    return app


async def _close_sockets(sio: socketio.AsyncServer) -> None:
    """Tell the shoppers' pages to reconnect (they resync from their last message id) and stop
    socket.io's timers, so a shutdown leaves no pending tasks behind. No waiting for the close
    to be delivered: a long-polling page that is gone would hold the shutdown."""
    for socket in list(sio.eio.sockets.values()):
        await socket.close(wait=False)
    await sio.shutdown()
    for task in asyncio.all_tasks():  # engine.io leaves each closed socket's ping timer asleep
        if getattr(task.get_coro(), "__qualname__", "") == "AsyncSocket._send_ping":
            task.cancel()


async def _refuse_while_stopping(request):
    """A stopping console refuses new requests and socket connections (503) while it finishes the
    messages in flight: a page that reconnects at once would otherwise keep Sanic's graceful
    shutdown waiting for its new socket; it reconnects to the next start and syncs there."""
    if request.app.ctx.stopping:
        return json({"error": "stopping"}, status=503, headers={"Retry-After": "1"})


async def health(request):
    return json({"status": "ok"})

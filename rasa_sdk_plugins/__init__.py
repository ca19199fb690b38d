"""Action-server hardening: localhost by default and a token check on every request. rasa-sdk imports this package if it is importable and calls
init_hooks(); the hook adds middleware so `python -m rasa_sdk --actions actions` stays the
start command. Rasa sends ACTION_SERVER_TOKEN in the X-Action-Token header (endpoints.yml).
A second plugin adds /metrics (metrics.py)."""
from __future__ import annotations

import hmac
import logging
import os

import pluggy
from sanic import Sanic, response

import exact_cors
from .metrics import Metrics

hookimpl = pluggy.HookimplMarker("rasa_sdk")
logger = logging.getLogger(__name__)
OPEN_PATHS = {"/health", "/metrics"}   # /metrics has its own rule (metrics.py: METRICS_TOKEN)


class TokenCheck:
    @hookimpl
    def attach_sanic_app_extensions(self, app: Sanic) -> None:
        token = os.environ.get("ACTION_SERVER_TOKEN", "")
        if not token:
            logger.warning("ACTION_SERVER_TOKEN is not set: the action server accepts any caller. "
                           "Keep it on localhost (SANIC_HOST=127.0.0.1).")
            return

        @app.middleware("request")
        async def require_token(request):
            if request.path in OPEN_PATHS:
                return None
            given = request.headers.get("x-action-token", "")
            if not hmac.compare_digest(given.encode(), token.encode()):
                return response.json({"error": "unauthorized"}, status=401)
            return None


def init_hooks(manager: pluggy.PluginManager) -> None:
    # rasa-sdk reads SANIC_HOST after the plugins are attached: default to localhost, so the
    # plain `python -m rasa_sdk --actions actions` is not reachable from other machines.
    os.environ.setdefault("SANIC_HOST", "127.0.0.1")
    exact_cors.install()  # CORS only for the exact origins in CORS_ORIGINS (none by default)
    manager.register(TokenCheck())
    manager.register(Metrics())

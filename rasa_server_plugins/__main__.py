"""`python -m rasa_server_plugins run --model … --endpoints …`: `rasa run` with the product's
extensions (see the package docstring). Every process that serves shoppers starts Rasa this way."""
from __future__ import annotations

import sys
from typing import Callable

import rasa.core.run
from sanic import Sanic

import exact_cors

from . import (action_calls, action_result_check, event_types, gc_freeze, log_privacy, tracker_cache,
               tracker_session_by_id, tracker_store_guard)
from .metrics import add_metrics

# Each extension gets the Sanic app Rasa built, before it starts serving.
# The store guard wraps the webhook after the action-call check: a store failure's 503 wins.
APP_EXTENSIONS: list[Callable[[Sanic], None]] = [
    action_calls.answer_502_when_an_action_failed,
    tracker_store_guard.refuse_webhook_replies_on_store_failure, add_metrics]


def _install() -> None:
    log_privacy.install()  # before rasa.__main__ binds configure_structlog
    tracker_store_guard.install()  # before Rasa builds its agent and stores
    tracker_session_by_id.install()  # a session read by event id: the wall clock may step back
    event_types.install()  # each stored event's class by a dictionary: long sessions stay cheap to read
    tracker_cache.install()  # a session's decoded events kept, checked against the database on each read
    gc_freeze.install()  # the loaded model out of the garbage collector's full passes
    action_result_check.install()
    action_calls.install()
    exact_cors.install()  # CORS_ORIGINS, checked before Rasa loads anything
    configure_app = rasa.core.run.configure_app

    def configure_app_with_extensions(*args, **kwargs) -> Sanic:
        app = configure_app(*args, **kwargs)
        for extend in APP_EXTENSIONS:
            extend(app)
        return app

    rasa.core.run.configure_app = configure_app_with_extensions  # serve_application looks it up here


def main() -> None:
    _install()
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()

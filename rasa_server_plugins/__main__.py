"""`python -m rasa_server_plugins run --model … --endpoints …`: `rasa run` with the product's
extensions (see the package docstring). Every process that serves shoppers starts Rasa this way."""
from __future__ import annotations

import sys
from typing import Callable

import rasa.core.run
from sanic import Sanic

from . import action_result_check, tracker_store_guard
from .metrics import add_metrics

# Each extension gets the Sanic app Rasa built, before it starts serving.
APP_EXTENSIONS: list[Callable[[Sanic], None]] = [
    tracker_store_guard.refuse_webhook_replies_on_store_failure, add_metrics]


def _install() -> None:
    tracker_store_guard.install()  # before Rasa builds its agent and stores
    action_result_check.install()
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

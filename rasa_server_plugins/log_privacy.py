"""Rasa's structured log lines without what shoppers wrote or what the servers' headers hold.

Rasa 3.6 writes some events through structlog with the shopper's words as a field (the REST
channel's `rest.message.received.failure` carries `text=`), and outside a terminal renders an
exception's traceback with every frame's local variables (`structlog.processors.dict_tracebacks`
shows locals): a failed action call then logs the request headers, the action server's token
among them. Installed by the entry point before Rasa configures its logging, this keeps Rasa's
configuration and changes two steps: text-bearing fields are withheld, and tracebacks are
rendered without locals. Logs carry conversation ids, never message text or secrets."""
from __future__ import annotations

import functools
from typing import Any

import rasa.utils.log_utils
import structlog
from structlog.tracebacks import ExceptionDictTransformer

# Fields of Rasa's structlog events (INFO and above) that carry a shopper's or the bot's words.
TEXT_FIELDS = frozenset({"text", "response_text", "response", "rasa_event", "event_info",
                         "user_message", "parse_data", "tracker"})
WITHHELD = "[withheld]"

_tracebacks_without_locals = structlog.processors.ExceptionRenderer(ExceptionDictTransformer(show_locals=False))


def withhold_text(_logger: Any, _name: str, event: dict) -> dict:
    for field in TEXT_FIELDS.intersection(event):
        event[field] = WITHHELD
    return event


def private_processors(processors: list) -> list:
    """Rasa's processors with tracebacks rendered without locals, and text withheld before any
    renderer sees it."""
    kept = [_tracebacks_without_locals if p is structlog.processors.dict_tracebacks else p for p in processors]
    return [withhold_text, *kept]


def _private(configure):
    @functools.wraps(configure)
    def configure_private(*args, **kwargs) -> None:
        configure(*args, **kwargs)
        structlog.configure(processors=private_processors(structlog.get_config()["processors"]))
    configure_private.private = True
    return configure_private


def install() -> None:
    """Before `rasa.__main__` is imported: it binds `configure_structlog` by name."""
    if not getattr(rasa.utils.log_utils.configure_structlog, "private", False):
        rasa.utils.log_utils.configure_structlog = _private(rasa.utils.log_utils.configure_structlog)

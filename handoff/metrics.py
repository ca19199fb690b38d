"""Handoffs counted where they happen, in whichever process hands off (the action server for the
bot's handoffs, the console for "bot unavailable"): `handoffs_total{reason, ticket}`, ticket being
opened (a new ticket), added (to the conversation's open one) or not_stored (the database failed).
Each process shows it at its own /metrics. Created on first use, so it comes after the process
has emptied its multiprocess directory (metrics_export.start_multiprocess_dir)."""
from __future__ import annotations

import functools

from prometheus_client import Counter


@functools.lru_cache(maxsize=None)
def _handoffs() -> Counter:
    return Counter("handoffs", "Conversations handed to a person, by reason and what became of the ticket",
                   ["reason", "ticket"])


def count_handoff(reason: str, ticket: str) -> None:
    _handoffs().labels(reason, ticket).inc()

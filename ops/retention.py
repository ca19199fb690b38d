"""The retention purge (PIPL): conversations whose last message is older than the owner's
`privacy.retention_days` (store_config/store.yml) are erased from Rasa's events and the
helpdesk's messages and tickets. A conversation with a ticket not closed yet (or closed within
the period) is kept: an agent is still working on it; it goes in the first purge after that.

The review queue is read from Rasa's events, so its items go with them; the owner's review
decisions and labelled examples hold only masked text and stay (`make forget` removes them for
one shopper). Logs carry conversation ids and counts, never text."""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Callable

from .personal_data import Erased, PersonalData

logger = logging.getLogger(__name__)
BATCH = 200   # conversations looked at per query: short transactions next to Rasa's writes


@dataclass
class PurgeReport:
    cutoff: dt.datetime
    erased: list = field(default_factory=list)        # conversation ids
    kept_for_work: set = field(default_factory=set)   # old, but a ticket is still being worked
    totals: Erased = field(default_factory=lambda: Erased("*"))


def purge_expired(data: PersonalData, retention_days: int, now: dt.datetime, batch: int = BATCH,
                  keepalive: Callable[[], None] = lambda: None) -> PurgeReport:
    """`keepalive` is called after each batch (the scheduler extends its lease there)."""
    if retention_days < 1:
        raise ValueError("retention_days must be at least 1")
    report = PurgeReport(now - dt.timedelta(days=retention_days))
    cutoff = report.cutoff
    for stale in (data.tracker.stale_senders, data.messages.stale_conversations):
        after = ""
        while page := stale(cutoff, after=after, limit=batch):
            after = page[-1]
            recent = data.tracker.active_since(page, cutoff) | data.messages.active_since(page, cutoff)
            working = data.tickets.kept_for_work(page, cutoff)
            report.kept_for_work |= working - recent
            erased_now = []
            for conversation_id in page:
                if conversation_id in recent or conversation_id in working:
                    continue
                report.totals.add(data.erase(conversation_id))
                erased_now.append(conversation_id)
            if erased_now:
                logger.info("retention purge: erased %d conversations older than %s: %s",
                            len(erased_now), cutoff.isoformat(timespec="seconds"), " ".join(erased_now))
            report.erased += erased_now
            keepalive()
    totals = report.totals
    logger.info("retention purge done (%d days, before %s): %d conversations, %d events, %d messages, "
                "%d tickets erased; %d kept while a ticket is worked", retention_days,
                cutoff.isoformat(timespec="seconds"), len(report.erased), totals.events, totals.messages,
                len(totals.tickets), len(report.kept_for_work))
    return report

"""The retention purge (ops.purge_expired) as the console's scheduled job: the owner's
`privacy.retention_days` read live from store_config/ at each run, one console instance at a
time through a lease in the helpdesk database (ops.RetentionSchedule explains why here)."""
from __future__ import annotations

import datetime as dt
from typing import Callable

from helpdesk import Database
from ops import PersonalData, RetentionSchedule, TrackerEvents, purge_expired
from store import Store

from .leases import ConversationLeases

LEASE_TABLE = "console_job_leases"   # one row per scheduled job, keyed by the job's name
LEASE_SECONDS = 600.0   # extended after every batch of the purge


def retention_schedule(db: Database, tracker_url: str, store: Callable[[], Store],
                       clock: Callable[[], dt.datetime]) -> RetentionSchedule:
    data = PersonalData(TrackerEvents(tracker_url), db)

    def purge(keepalive: Callable[[], None]):
        return purge_expired(data, store().config.privacy.retention_days, clock(), keepalive=keepalive)

    return RetentionSchedule(purge, ConversationLeases(db, LEASE_TABLE, LEASE_SECONDS))

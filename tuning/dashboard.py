"""The owner's dashboard, per day (China time): conversations, shopper messages, what they asked
(intents), fallback and handoff rates from Rasa's tracker store, and from the helpdesk the tickets
answered late and the median time to an agent's first reply."""
from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from dataclasses import dataclass, field
from typing import Optional, Sequence

from store import CHINA


@dataclass(frozen=True)
class DashboardDay:
    day: dt.date
    conversations: int = 0
    shopper_messages: int = 0
    fallback_rate: float = 0.0
    handoff_rate: float = 0.0
    intents: Counter = field(default_factory=Counter)
    tickets: int = 0
    tickets_late: int = 0                 # first reply after the promised time (or none yet, past it)
    median_reply_minutes: Optional[float] = None


def dashboard_days(figures: Sequence, timings: Sequence, now: dt.datetime, days: int = 14) -> list[DashboardDay]:
    """The last `days` days up to `now`, oldest first, quiet days included (a chart's axis has
    no gaps). `figures`: tracker DayFigures; `timings`: helpdesk TicketTimings."""
    today = now.astimezone(CHINA).date()
    window = [today - dt.timedelta(days=n) for n in range(days - 1, -1, -1)]
    by_day = {f.day: f for f in figures}
    tickets: dict[dt.date, list] = {}
    for timing in timings:
        tickets.setdefault(timing.created_at.astimezone(CHINA).date(), []).append(timing)
    result = []
    for day in window:
        f, opened = by_day.get(day), tickets.get(day, [])
        waits = [(t.first_reply_at - t.created_at).total_seconds() / 60 for t in opened if t.first_reply_at]
        result.append(DashboardDay(
            day=day,
            conversations=f.conversations if f else 0,
            shopper_messages=f.shopper_messages if f else 0,
            fallback_rate=f.fallback_rate if f else 0.0,
            handoff_rate=f.handoff_rate if f else 0.0,
            intents=Counter(f.intents) if f else Counter(),
            tickets=len(opened),
            tickets_late=sum(t.late(now) for t in opened),
            median_reply_minutes=round(statistics.median(waits), 1) if waits else None,
        ))
    return result


def chart_data(days: Sequence[DashboardDay], top_intents: int = 6) -> dict:
    """What the dashboard's charts draw (JSON): one series per figure, the busiest intents."""
    total = Counter()
    for d in days:
        total.update({k: v for k, v in d.intents.items() if k})
    busiest = [name for name, _ in total.most_common(top_intents)]
    return {
        "labels": [f"{d.day.month}/{d.day.day}" for d in days],
        "conversations": [d.conversations for d in days],
        "shopper_messages": [d.shopper_messages for d in days],
        "fallback_rate": [round(100 * d.fallback_rate, 1) for d in days],
        "handoff_rate": [round(100 * d.handoff_rate, 1) for d in days],
        "tickets": [d.tickets for d in days],
        "tickets_late": [d.tickets_late for d in days],
        "median_reply_minutes": [d.median_reply_minutes for d in days],
        "intents": {name: [d.intents.get(name, 0) for d in days] for name in busiest},
    }

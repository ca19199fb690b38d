"""When a handed-off question is due: within a fraction of a working day (store-policy §7)."""
from __future__ import annotations

import datetime as dt
from typing import Optional

from .business_time import CHINA, day_name
from .config import Span
from .shipping_calendar import ShippingCalendar


def _intervals(hours: Span, lunch: Optional[Span]) -> list[tuple[dt.time, dt.time]]:
    if lunch is None or lunch.end <= hours.start or lunch.start >= hours.end:
        return [(hours.start, hours.end)]
    parts = [(hours.start, max(hours.start, lunch.start)), (min(hours.end, lunch.end), hours.end)]
    return [(a, b) for a, b in parts if a < b]


def _minutes(a: dt.time, b: dt.time) -> float:
    return (dt.datetime.combine(dt.date.min, b) - dt.datetime.combine(dt.date.min, a)).total_seconds() / 60


def working_minutes_per_day(hours: Span, lunch: Optional[Span] = None) -> float:
    return sum(_minutes(a, b) for a, b in _intervals(hours, lunch))


def reply_due(created: dt.datetime, calendar: ShippingCalendar, hours: Span,
              lunch: Optional[Span] = None, fraction: float = 0.5) -> dt.datetime:
    """`created` plus `fraction` of a working day, counted inside working hours only:
    17:30 with 09:00–18:00 → 13:00 on the next working day."""
    if created.tzinfo is None:
        raise ValueError("created must be timezone-aware")
    local = created.astimezone(CHINA)
    remaining = dt.timedelta(minutes=working_minutes_per_day(hours, lunch) * fraction)
    day = local.date()
    for _ in range(400):
        if calendar.is_open(day):
            for start, end in _intervals(hours, lunch):
                begin = max(dt.datetime.combine(day, start, CHINA), local)
                finish = dt.datetime.combine(day, end, CHINA)
                if begin >= finish:
                    continue
                if begin + remaining <= finish:
                    return begin + remaining
                remaining -= finish - begin
        day += dt.timedelta(days=1)
    raise ValueError("no working time within 400 days: check the working hours and closed days")


OVERDUE = "尽快"  # a ticket already past its due time when the shopper writes again


def describe_due(due: dt.datetime, now: dt.datetime) -> str:
    """今天13:00前 / 明天10:30前 / 12月3日10:30前 (Asia/Shanghai); 尽快 once it has passed."""
    due, now = due.astimezone(CHINA), now.astimezone(CHINA)
    if due <= now:
        return OVERDUE
    return f"{day_name(due.date(), now.date())}{due:%H:%M}前"

"""When an order ships and roughly when it arrives (store-policy §4)."""
from __future__ import annotations

import datetime as dt
import enum
import re
from dataclasses import dataclass
from typing import Optional

from .business_time import CHINA, RELATIVE_DAYS, day_name
from .shipping_calendar import ShippingCalendar
from .text import normalize

WEEKDAY_NAMES = "一二三四五六日"


@dataclass(frozen=True)
class ArrivalEstimate:
    order_time: dt.datetime
    ship_date: dt.date
    earliest: dt.date
    latest: dt.date
    remote: bool          # the zone adds extra days


def ship_date(order_time: dt.datetime, calendar: ShippingCalendar, cutoff: dt.time) -> dt.date:
    """Same day before the cut-off on a shipping day, else the next shipping day."""
    if order_time.tzinfo is None:
        raise ValueError("order_time must be timezone-aware")
    local = order_time.astimezone(CHINA)
    today = local.date()
    if local.time() < cutoff and calendar.is_open(today):
        return today
    return calendar.next_open_day(today)


def estimate_arrival(order_time: dt.datetime, calendar: ShippingCalendar, cutoff: dt.time,
                     arrival_days: tuple[int, int], extra_days: tuple[int, int] = (0, 0)) -> ArrivalEstimate:
    shipped = ship_date(order_time, calendar, cutoff)
    return ArrivalEstimate(
        order_time=order_time,
        ship_date=shipped,
        earliest=shipped + dt.timedelta(days=arrival_days[0] + extra_days[0]),
        latest=shipped + dt.timedelta(days=arrival_days[1] + extra_days[1]),
        remote=extra_days != (0, 0),
    )


_WEEKDAY = re.compile(r"(下下|下个?|这个?|本)?(?:周|星期|礼拜)([一二三四五六日天1-7])")
_MONTH_DAY = re.compile(r"(?:(\d{1,2})月)?(\d{1,2})[号日]")


def _mentions(norm: str, today: dt.date):
    """(position, date) of every day named in the text."""
    for word, days in RELATIVE_DAYS.items():
        for match in re.finditer(f"(?<!大){word}" if word == "后天" else word, norm):
            yield match.start(), today + dt.timedelta(days=days)
    for match in _WEEKDAY.finditer(norm):
        prefix, name = match.groups()
        wanted = 6 if name in "日天7" else int(name) - 1 if name.isdigit() else "一二三四五六".index(name)
        if prefix and prefix.startswith("下"):  # 下周五: the Friday of next week
            weeks = 2 if prefix.startswith("下下") else 1
            ahead = (7 - today.weekday()) + 7 * (weeks - 1) + wanted
        else:
            ahead = (wanted - today.weekday()) % 7
        yield match.start(), today + dt.timedelta(days=ahead)
    for match in _MONTH_DAY.finditer(norm):
        day = int(match.group(2))
        if match.group(1):
            month, year = int(match.group(1)), today.year
            if (month, day) < (today.month, today.day):
                year += 1
        else:  # "3号": this month's, or next month's when already past
            month, year = today.month, today.year
            if day < today.day:
                month, year = (1, year + 1) if month == 12 else (month + 1, year)
        try:
            yield match.start(), dt.date(year, month, day)
        except ValueError:
            continue


def parse_target_date(text: str, today: dt.date) -> Optional[dt.date]:
    """The day a shopper names ("周五前能到吗", "明天能到吗", "12月3号"); with several
    ("今天下单明天能到吗") the last one, which is the one asked about. None when there is none."""
    mentions = sorted(_mentions(normalize(text), today))
    return mentions[-1][1] if mentions else None


_ARRIVAL_CUE = re.compile(r"到|收到|送达|到货")


def arrival_deadline(text: str, today: dt.date) -> Optional[dt.date]:
    """The day a shopper wants the parcel by ("周五前能到吗"), but not a ship-day question
    ("今天能发货吗"): a day is only a deadline when the message asks about arriving."""
    norm = normalize(text)
    target = parse_target_date(norm, today)
    if target is None or not _ARRIVAL_CUE.search(norm):
        return None
    return target


def format_day(day: dt.date, today: dt.date) -> str:
    """今天 / 明天 / 后天 / 12月3日, always with the weekday: 明天（周四）."""
    return f"{day_name(day, today)}（周{WEEKDAY_NAMES[day.weekday()]}）"


class ArrivalVerdict(enum.Enum):
    """How an estimate compares with the day the shopper wants the parcel by (never a promise)."""
    LIKELY = "likely"        # even the latest usual day is in time
    POSSIBLE = "possible"    # in time only if it comes early in the window
    UNLIKELY = "unlikely"    # even the earliest usual day is too late


def arrival_verdict(estimate: ArrivalEstimate, target: dt.date) -> ArrivalVerdict:
    if estimate.latest <= target:
        return ArrivalVerdict.LIKELY
    if estimate.earliest > target:
        return ArrivalVerdict.UNLIKELY
    return ArrivalVerdict.POSSIBLE

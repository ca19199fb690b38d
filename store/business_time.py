"""Business time: every date and time the store promises is in Asia/Shanghai (store-policy §4, §7)."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

CHINA = ZoneInfo("Asia/Shanghai")

# Words for days relative to today, as shoppers write them and as replies name them.
RELATIVE_DAYS = {"今天": 0, "今日": 0, "明天": 1, "明日": 1, "后天": 2, "大后天": 3}
_NAMES = {0: "今天", 1: "明天", 2: "后天"}


def china_now() -> dt.datetime:
    """The current time in Asia/Shanghai: the one clock every process uses unless a test gives its own."""
    return dt.datetime.now(CHINA)


def day_name(day: dt.date, today: dt.date) -> str:
    """今天 / 明天 / 后天, else 12月3日."""
    return _NAMES.get((day - today).days, f"{day.month}月{day.day}日")

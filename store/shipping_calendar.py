"""Which days the store ships and staff work: every day except statutory holidays and the
owner's extra days (store-policy §4, §9)."""
from __future__ import annotations

import datetime as dt
import logging
from typing import Iterable

import chinese_calendar

logger = logging.getLogger(__name__)


class ShippingCalendar:
    def __init__(self, statutory_holidays: bool = True, extra_days: Iterable[dt.date] = ()) -> None:
        self._statutory = statutory_holidays
        self._extra = frozenset(extra_days)
        self._warned_years: set[int] = set()

    def is_statutory_holiday(self, day: dt.date) -> bool:
        """A day of a statutory holiday period (not a make-up working day). Years the
        chinesecalendar package does not know yet count as having none: the owner lists them."""
        try:
            on_holiday, name = chinese_calendar.get_holiday_detail(day)
        except NotImplementedError:
            if day.year not in self._warned_years:
                self._warned_years.add(day.year)
                logger.warning("no statutory holiday data for %s: only weekends-as-usual and the "
                               "owner's extra_non_shipping_days apply; list that year's holidays in "
                               "store_config/store.yml", day.year)
            return False
        return bool(on_holiday and name)

    def is_open(self, day: dt.date) -> bool:
        """True when the store ships and staff work on `day`."""
        if day in self._extra:
            return False
        return not (self._statutory and self.is_statutory_holiday(day))

    def next_open_day(self, after: dt.date) -> dt.date:
        day = after + dt.timedelta(days=1)
        for _ in range(366):
            if self.is_open(day):
                return day
            day += dt.timedelta(days=1)
        raise ValueError("no open day within a year: check extra_non_shipping_days")

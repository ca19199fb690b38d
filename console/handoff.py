"""When staff will reply to a handed-off conversation: half a working day inside the store's
working hours and open days (store-policy §7), computed by the shared domain code."""
from __future__ import annotations

import datetime as dt

from actions.store.calendar import ShippingCalendar
from actions.store.config import StoreConfig
from actions.store.working_hours import reply_due


class DueTimes:
    def __init__(self, config: StoreConfig) -> None:
        self._calendar = ShippingCalendar(config.shipping.statutory_holidays,
                                          config.shipping.extra_non_shipping_days)
        self._rules = config.handoff

    def due(self, created: dt.datetime) -> dt.datetime:
        return reply_due(created, self._calendar, self._rules.working_hours, self._rules.lunch_break,
                         self._rules.reply_within_working_fraction)

"""The dashboard's days: quiet days kept, rates and reply times per day, late tickets counted."""
import datetime as dt
from collections import Counter
from dataclasses import dataclass

from helpdesk import TicketTiming
from store import CHINA
from tuning import chart_data, dashboard_days

NOW = dt.datetime(2026, 11, 30, 15, 0, tzinfo=CHINA)


@dataclass
class Figures:  # the tracker reader's DayFigures, as far as the dashboard reads it
    day: dt.date
    conversations: int
    shopper_messages: int
    intents: Counter
    fallback_rate: float
    handoff_rate: float


def test_days_figures_and_tickets_line_up_by_china_day():
    figures = [Figures(dt.date(2026, 11, 29), 4, 10, Counter(ask_shipping_fee=6, greet=4), 0.1, 0.25)]
    opened = dt.datetime(2026, 11, 29, 10, 0, tzinfo=CHINA)
    timings = [TicketTiming(opened, opened + dt.timedelta(hours=4), opened + dt.timedelta(minutes=30)),
               TicketTiming(opened, opened + dt.timedelta(hours=4), opened + dt.timedelta(minutes=90)),
               TicketTiming(opened, opened + dt.timedelta(hours=1), None)]
    days = dashboard_days(figures, timings, NOW, days=3)
    assert [d.day.day for d in days] == [28, 29, 30], "quiet days are on the axis"
    sunday = days[1]
    assert (sunday.conversations, sunday.shopper_messages, sunday.handoff_rate) == (4, 10, 0.25)
    assert (sunday.tickets, sunday.tickets_late, sunday.median_reply_minutes) == (3, 1, 60.0)
    data = chart_data(days)
    assert data["labels"] == ["11/28", "11/29", "11/30"] and data["fallback_rate"] == [0, 10.0, 0]
    assert data["intents"]["ask_shipping_fee"] == [0, 6, 0] and data["median_reply_minutes"][0] is None

"""What shoppers said, read from Rasa's own tracker store (the `events` table of its
SQLTrackerStore: id, sender_id, type_name, timestamp, intent_name, action_name, data JSON).

Read-only, with SQLAlchemy Core: Rasa owns the table, we never write to it. Only the event types
a review or a dashboard needs are fetched (`type_name` filtered in SQL) and streamed one
conversation at a time, so a big store is never loaded whole. Used by the review queue, the
owner's conversation page and the dashboard."""
from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterator, Mapping, Optional

import yaml
from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text, create_engine, select
from sqlalchemy.engine import URL, Engine, make_url

from store import CHINA

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_TRACKER_DB = "var/rasa-tracker.db"   # scripts/env.sh: RASA_TRACKER_DB

# The dialogue's own names (domain.yml, config.yml, actions/): fallbacks and handoffs.
FALLBACK_INTENT = "nlu_fallback"                                   # FallbackClassifier
FALLBACK_ACTIONS = frozenset({"action_default_fallback", "action_fallback"})  # Rasa's, ours
HANDOFF_ACTIONS = frozenset({"action_handoff"})                    # actions/handoff.py
HANDOFF_INTENTS = frozenset({"request_human"})
# actions/fallback.py: the second nlu_fallback in a row goes to a person.
FALLBACKS_BEFORE_HANDOFF = 2
_NOT_A_REPLY = frozenset({"action_listen", "action_session_start", "action_unlikely_intent"})

_meta = MetaData()
events = Table(   # rasa/core/tracker_store.py: SQLTrackerStore.SQLEvent
    "events", _meta,
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255), nullable=False),
    Column("type_name", String(255), nullable=False),
    Column("timestamp", Float),
    Column("intent_name", String(255)),
    Column("action_name", String(255)),
    Column("data", Text),
)


@dataclass(frozen=True)
class ShopperMessage:
    """One shopper message and what the bot made of it. `intent`/`confidence` are the model's
    best real intent even when the FallbackClassifier replaced it with nlu_fallback."""
    conversation_id: str
    event_id: int
    time: dt.datetime                     # aware, China time
    text: str
    intent: Optional[str]
    confidence: float
    entities: tuple = ()                  # Rasa's entity dicts: entity, value, start, end
    fell_back: bool = False               # nlu_fallback, or a fallback action answered it
    handed_off_here: bool = False         # this message sent the conversation to a person
    conversation_handed_off: bool = False
    bot_actions: tuple = ()               # the actions that answered it, in order


@dataclass(frozen=True)
class Turn:
    """One line of a conversation as the owner's conversation page shows it."""
    event_id: int
    time: dt.datetime
    sender: str                           # shopper | bot
    text: str
    intent: Optional[str] = None
    confidence: Optional[float] = None
    action: Optional[str] = None          # the action that sent a bot line


@dataclass
class DayFigures:
    """The dashboard's figures for one day (China time)."""
    day: dt.date
    conversations: int = 0
    shopper_messages: int = 0
    intents: Counter = field(default_factory=Counter)
    fallbacks: int = 0
    handoffs: int = 0          # conversations handed to a person that day

    @property
    def fallback_rate(self) -> float:
        return self.fallbacks / self.shopper_messages if self.shopper_messages else 0.0

    @property
    def handoff_rate(self) -> float:
        return self.handoffs / self.conversations if self.conversations else 0.0


def _substitute(value: str, environ: Mapping[str, str]) -> str:
    return re.sub(r"\$\{(\w+)\}", lambda m: environ.get(m.group(1), ""), str(value))


def tracker_store_url(root: Path = ROOT, environ: Mapping[str, str] = os.environ) -> str:
    """Where Rasa keeps conversations: RASA_TRACKER_URL when set, else the SQL `tracker_store`
    of endpoints.yml (${VARS} from the environment; SQLite's file relative to the repository,
    as scripts/run.sh starts Rasa there), else var/rasa-tracker.db."""
    if environ.get("RASA_TRACKER_URL"):
        return environ["RASA_TRACKER_URL"]
    config = {}
    endpoints = root / "endpoints.yml"
    if endpoints.exists():
        config = (yaml.safe_load(endpoints.read_text(encoding="utf8")) or {}).get("tracker_store") or {}
    dialect = _substitute(config.get("dialect", "sqlite"), environ) or "sqlite"
    db = _substitute(config.get("db", "${RASA_TRACKER_DB}"), environ) or environ.get("RASA_TRACKER_DB") or DEFAULT_TRACKER_DB
    if str(config.get("type", "SQL")).upper() != "SQL":
        raise ValueError(f"对话记录不在 SQL 数据库中（endpoints.yml tracker_store.type = {config.get('type')}）")
    if dialect == "sqlite":
        path = Path(db)
        return f"sqlite:///{path if path.is_absolute() else root / path}"
    port = _substitute(config.get("port", ""), environ)
    return URL.create(dialect, username=_substitute(config.get("username", ""), environ) or None,
                      password=_substitute(config.get("password", ""), environ) or None,
                      host=_substitute(config.get("url", config.get("host", "")), environ) or None,
                      port=int(port) if port else None, database=db).render_as_string(hide_password=False)


def _epoch(value: dt.datetime) -> float:
    if value.tzinfo is None:
        raise ValueError("datetimes must be timezone-aware")
    return value.timestamp()


def _best_real_intent(parse: dict) -> tuple[Optional[str], float]:
    ranking = [r for r in parse.get("intent_ranking") or [] if r.get("name") != FALLBACK_INTENT]
    if ranking:
        return ranking[0]["name"], float(ranking[0].get("confidence") or 0.0)
    intent = parse.get("intent") or {}
    return intent.get("name"), float(intent.get("confidence") or 0.0)


class TrackerReader:
    """Reads a Rasa SQL tracker store by URL. A SQLite file that does not exist yet is an empty
    store (Rasa creates it on the first conversation); it is opened read-only."""

    _TYPES = ("user", "action", "bot")

    def __init__(self, url: Optional[str] = None) -> None:
        self.url = url or tracker_store_url()
        parsed = make_url(self.url)
        self._sqlite_file: Optional[Path] = None
        if parsed.get_backend_name() == "sqlite":
            self._sqlite_file = Path(parsed.database or "")
        self._engine: Optional[Engine] = None

    def _connect(self):
        if self._engine is None:
            if self._sqlite_file is not None:
                ro = f"sqlite:///file:{self._sqlite_file}?mode=ro&uri=true"
                self._engine = create_engine(ro, future=True)
            else:
                self._engine = create_engine(self.url, future=True, pool_pre_ping=True)
        return self._engine.connect()

    def _exists(self) -> bool:
        return self._sqlite_file is None or self._sqlite_file.exists()

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()

    def _rows(self, since: Optional[dt.datetime], sender_id: Optional[str] = None) -> Iterator:
        if not self._exists():
            return
        query = select(events.c.id, events.c.sender_id, events.c.type_name, events.c.timestamp,
                       events.c.action_name, events.c.data).where(events.c.type_name.in_(self._TYPES))
        if since is not None:
            query = query.where(events.c.timestamp >= _epoch(since))
        if sender_id is not None:
            query = query.where(events.c.sender_id == sender_id)
        query = query.order_by(events.c.sender_id, events.c.id)
        with self._connect() as conn:
            if not conn.dialect.has_table(conn, "events"):
                return
            yield from conn.execution_options(stream_results=True, yield_per=500).execute(query)

    def _handed_off_conversations(self, since: Optional[dt.datetime]) -> set[str]:
        if not self._exists():
            return set()
        query = select(events.c.sender_id).distinct().where(
            events.c.type_name == "action", events.c.action_name.in_(sorted(HANDOFF_ACTIONS)))
        if since is not None:
            query = query.where(events.c.timestamp >= _epoch(since))
        with self._connect() as conn:
            if not conn.dialect.has_table(conn, "events"):
                return set()
            return {row.sender_id for row in conn.execute(query)}

    def _conversations(self, since, sender_id=None) -> Iterator[tuple[str, list]]:
        current, rows = None, []
        for row in self._rows(since, sender_id):
            if row.sender_id != current and rows:
                yield current, rows
                rows = []
            current = row.sender_id
            rows.append(row)
        if rows:
            yield current, rows

    def shopper_messages(self, since: Optional[dt.datetime] = None,
                         conversation_id: Optional[str] = None) -> list[ShopperMessage]:
        """Every shopper message since `since` (all when None), by conversation then time."""
        handed = self._handed_off_conversations(since)
        found: list[ShopperMessage] = []
        for sender, rows in self._conversations(since, conversation_id):
            mine = list(_messages_of(sender, rows))
            handed_off = sender in handed or any(m.handed_off_here for m in mine)
            found.extend(replace(m, conversation_handed_off=handed_off) for m in mine)
        return found

    def conversation(self, conversation_id: str) -> list[Turn]:
        """The shopper's and the bot's lines of one conversation, oldest first."""
        turns, last_action = [], None
        for row in self._rows(None, conversation_id):
            data = json.loads(row.data or "{}")
            when = dt.datetime.fromtimestamp(row.timestamp or 0, CHINA)
            if row.type_name == "user":
                intent, confidence = _best_real_intent(data.get("parse_data") or {})
                turns.append(Turn(row.id, when, "shopper", data.get("text") or "", intent, confidence))
            elif row.type_name == "action":
                last_action = row.action_name
            elif row.type_name == "bot" and data.get("text"):
                turns.append(Turn(row.id, when, "bot", data["text"], action=last_action))
        return turns

    def daily_figures(self, since: Optional[dt.datetime] = None) -> list[DayFigures]:
        """Per day (China time), oldest first: conversations, shopper messages, intents,
        fallbacks, conversations handed to a person."""
        return daily_figures(self.shopper_messages(since))


def _messages_of(sender: str, rows: list) -> Iterator[ShopperMessage]:
    fallbacks_in_a_row = 0
    for i, row in enumerate(rows):
        if row.type_name != "user":
            continue
        data = json.loads(row.data or "{}")
        parse = data.get("parse_data") or {}
        recorded = (parse.get("intent") or {}).get("name")
        intent, confidence = _best_real_intent(parse)
        actions = []
        for later in rows[i + 1:]:
            if later.type_name == "user":
                break
            if later.type_name == "action" and later.action_name not in _NOT_A_REPLY:
                actions.append(later.action_name)
        fell_back = recorded == FALLBACK_INTENT or any(a in FALLBACK_ACTIONS for a in actions)
        fallbacks_in_a_row = fallbacks_in_a_row + 1 if recorded == FALLBACK_INTENT else 0
        handed_here = (any(a in HANDOFF_ACTIONS for a in actions)
                       or (recorded in HANDOFF_INTENTS)
                       or ("action_fallback" in actions and fallbacks_in_a_row >= FALLBACKS_BEFORE_HANDOFF))
        yield ShopperMessage(
            conversation_id=sender, event_id=row.id,
            time=dt.datetime.fromtimestamp(row.timestamp or data.get("timestamp") or 0, CHINA),
            text=data.get("text") or "", intent=intent, confidence=confidence,
            entities=tuple(e for e in parse.get("entities") or [] if isinstance(e, dict)),
            fell_back=fell_back, handed_off_here=handed_here, bot_actions=tuple(actions))


def daily_figures(messages: list[ShopperMessage]) -> list[DayFigures]:
    days: dict[dt.date, DayFigures] = {}
    seen: dict[dt.date, set[str]] = {}
    handed: dict[dt.date, set[str]] = {}
    for m in messages:
        day = m.time.astimezone(CHINA).date()
        figures = days.setdefault(day, DayFigures(day))
        figures.shopper_messages += 1
        figures.intents[FALLBACK_INTENT if m.fell_back and m.intent is None else m.intent] += 1
        figures.fallbacks += m.fell_back
        seen.setdefault(day, set()).add(m.conversation_id)
        if m.handed_off_here:
            handed.setdefault(day, set()).add(m.conversation_id)
    for day, figures in days.items():
        figures.conversations = len(seen[day])
        figures.handoffs = len(handed.get(day, ()))
    return [days[d] for d in sorted(days)]

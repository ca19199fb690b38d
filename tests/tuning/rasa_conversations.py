"""Real conversations in a real Rasa SQLite tracker store, for the review-queue tests.

Rasa's own `SQLTrackerStore` saves `DialogueStateTracker`s whose `UserUttered` events carry parse
data in the form Rasa's NLU pipeline writes it (intent, intent_ranking, entities with offsets and
extractor; the FallbackClassifier's nlu_fallback on top of the ranking), followed by the actions
and bot lines the rules run. No row is written by hand: the table and its columns are Rasa's.
Imported by tests/tuning and tests/console (sys.path, as test directories have no __init__)."""
from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from store import CHINA

FALLBACK_THRESHOLD = 0.4   # config.yml FallbackClassifier
# Monday 2026-11-23 10:00 China time: the conversations start here, a minute apart.
START = dt.datetime(2026, 11, 23, 10, 0, tzinfo=CHINA)


@dataclass
class Said:
    """One shopper message, what the model read, and what the bot did."""
    text: str
    intent: str
    confidence: float
    entities: dict = field(default_factory=dict)     # entity → value (found in text)
    actions: tuple = ()                               # the bot's actions after it
    bot: tuple = ()                                   # bot lines (after the first action)
    runner_up: str = "out_of_scope"


def parse_data(said: Said) -> dict:
    """The parse data Rasa's pipeline records for `said`."""
    entities = []
    for entity, value in said.entities.items():
        start = said.text.index(value)
        entities.append({"entity": entity, "start": start, "end": start + len(value), "value": value,
                         "confidence_entity": 0.998, "extractor": "DIETClassifier"})
    rest = round((1 - said.confidence) * 0.8, 6)
    ranking = [{"name": said.intent, "confidence": said.confidence},
               {"name": said.runner_up, "confidence": rest},
               {"name": "greet", "confidence": round((1 - said.confidence) * 0.2, 6)}]
    intent = dict(ranking[0])
    if said.confidence < FALLBACK_THRESHOLD:   # what FallbackClassifier does
        intent = {"name": "nlu_fallback", "confidence": FALLBACK_THRESHOLD}
        ranking = [intent] + ranking
    return {"intent": intent, "entities": entities, "text": said.text, "message_id": uuid.uuid4().hex,
            "metadata": {}, "intent_ranking": ranking}


def tracker_of(sender_id: str, turns: list[Said], start: dt.datetime) -> DialogueStateTracker:
    stamp = start.timestamp()
    events = [ActionExecuted("action_session_start", timestamp=stamp), SessionStarted(timestamp=stamp),
              ActionExecuted("action_listen", timestamp=stamp)]
    for n, said in enumerate(turns):
        t = stamp + 10 * (n + 1)
        parse = parse_data(said)
        events.append(UserUttered(said.text, parse["intent"], parse["entities"], parse, timestamp=t,
                                  input_channel="rest", message_id=parse["message_id"]))
        for i, action in enumerate(said.actions):
            events.append(ActionExecuted(action, timestamp=t + 0.1 + i * 0.1))
            if i == 0:
                events.extend(BotUttered(line, timestamp=t + 0.15) for line in said.bot)
        events.append(ActionExecuted("action_listen", timestamp=t + 1))
    return DialogueStateTracker.from_events(sender_id, events)


def fill_tracker_store(path: Path, conversations: dict[str, list[Said]],
                       start: Optional[dt.datetime] = None) -> Path:
    """Saves each conversation (id → turns) through Rasa's SQLTrackerStore into SQLite `path`,
    one minute apart from `start`."""
    store = SQLTrackerStore(dialect="sqlite", db=str(path))
    start = start or START
    for n, (sender_id, turns) in enumerate(conversations.items()):
        asyncio.run(store.save(tracker_of(sender_id, turns, start + dt.timedelta(minutes=n))))
    store.engine.dispose()
    return path


FEE = ("action_quote_fee",)
HANDOFF = ("action_handoff",)


def shop_day() -> dict[str, list[Said]]:
    """A morning in the shop: confident answers, unsure ones, fallbacks and handoffs, and the
    same questions from several shoppers in slightly different words."""
    return {
        "c-sure": [Said("寄到乌鲁木齐运费多少", "ask_shipping_fee", 0.99, {"destination": "乌鲁木齐"}, FEE,
                        ("亲，寄到新疆1公斤以内运费18元，发韵达。",))],
        "c-unsure-1": [Said("东西寄到乌鲁木齐 两公斤要给多少邮费呀", "ask_shipping_fee", 0.52,
                            {"destination": "乌鲁木齐", "weight": "两公斤"}, FEE, ("亲，寄到新疆…",), "bargain")],
        "c-unsure-2": [Said("东西寄到乌鲁木齐 两公斤要给多少邮费啊", "ask_shipping_fee", 0.55,
                            {"destination": "乌鲁木齐", "weight": "两公斤"}, FEE, ("亲，寄到新疆…",), "bargain")],
        "c-unsure-3": [Said("东西寄到乌鲁木齐两公斤要给多少邮费", "bargain", 0.47,
                            {"destination": "乌鲁木齐", "weight": "两公斤"}, ("action_bargain",), ("亲，小店…",),
                            "ask_shipping_fee")],
        "c-fallback": [Said("你们家那个紫色的还有货没呀", "ask_tracking", 0.31, {}, ("action_fallback",),
                            ("亲，没太明白您的意思，能换个说法吗？",)),
                       Said("就是紫色那款 有没有货", "ask_tracking", 0.28, {}, ("action_fallback",),
                            ("抱歉，这个问题需要人工客服…",))],
        "c-handoff": [Said("我手机13812345678 收件地址北京市朝阳区建国路88号 帮我改一下", "request_human", 0.66,
                           {}, HANDOFF, ("已为您转人工客服，工单号20261123-0001",), "ask_tracking")],
        "c-late": [Said("等了一周了还没到 你们怎么回事", "complain", 0.93, {}, ("utter_complain_apology",) + HANDOFF,
                        ("非常抱歉给您带来不便",))],
        "c-known": [Said("包邮吗", "ask_shipping_fee", 0.45, {}, FEE, ("亲，…",))],
    }

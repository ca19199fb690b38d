"""Was every message answered exactly once, in order? Decided per conversation from what the
shopper's socket received, then cross-checked against the two records the servers keep.

The console answers one conversation's messages one at a time, in the order it stored them, and
brackets each exchange with `typing` on … off; the bot's replies come as `message` events inside
the bracket. So the k-th bracket is the answer to the k-th question. That attribution is checked,
not assumed: Rasa's tracker holds each question with its record id (`helpdesk_message_id`) and the
bot's replies after it, and the k-th bracket's texts must be those replies (an answer given to the
wrong question, or twice, or a question Rasa was asked twice, shows there). The helpdesk record
must hold each client_msg_id once and exactly the bot messages the socket delivered.

Pure functions over plain data: the unit tests feed them event lists; `soak.records` reads the
databases."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

ANSWERED_BY_BOT = "bot"
ANSWERED_BY_SYSTEM = "system"   # the console's own "bot unavailable" ticket or "please retry": an error here


@dataclass
class Question:
    client_msg_id: str
    scheduled: float                 # when the load meant to send it (open loop: latency counts from here)
    ack_id: Optional[int] = None     # the record id in the acknowledgement; None when not acknowledged
    ack_error: Optional[str] = None


@dataclass
class Event:
    at: float
    kind: str        # message | typing | notice | disconnect
    data: dict


@dataclass
class Answer:
    question: Question
    first_at: float
    done_at: Optional[float]
    bot_ids: list = field(default_factory=list)
    bot_texts: list = field(default_factory=list)
    system_texts: list = field(default_factory=list)

    @property
    def latency_ms(self) -> float:
        return (self.first_at - self.question.scheduled) * 1000


@dataclass
class Verdict:
    """One conversation: its answers in order, and what went wrong as (kind, detail) pairs (empty
    when nothing did)."""
    questions: list = field(default_factory=list)
    answers: list = field(default_factory=list)
    problems: list = field(default_factory=list)

    @property
    def sent(self) -> int:
        return len(self.questions)

    @property
    def answered(self) -> int:
        return sum(1 for a in self.answers if a.bot_texts and not a.system_texts)

    @property
    def record_ids(self) -> list:
        return [q.ack_id for q in self.questions if q.ack_id is not None]


def _brackets(events: list[Event], problems: list) -> list[dict]:
    """The exchanges the socket saw: {start, first, done, bot: [(id, text)], system: [text]}."""
    found, current = [], None
    for event in events:
        if event.kind == "typing":
            if event.data.get("on"):
                if current is not None:
                    problems.append(("out of order", "an exchange began before the previous one ended"))
                    found.append(current)
                current = {"start": event.at, "first": None, "done": None, "bot": [], "system": []}
            elif current is not None:
                current["done"] = event.at
                found.append(current)
                current = None
        elif event.kind == "message" and event.data.get("sender") in (ANSWERED_BY_BOT, ANSWERED_BY_SYSTEM):
            if current is None:
                problems.append(("out of order", f"a {event.data.get('sender')} message outside an exchange: id {event.data.get('id')}"))
                continue
            if current["first"] is None:
                current["first"] = event.at
            if event.data["sender"] == ANSWERED_BY_BOT:
                current["bot"].append((event.data.get("id"), event.data.get("text")))
            else:
                current["system"].append(event.data.get("text"))
        elif event.kind == "notice":
            problems.append(("notice", str(event.data.get("text", ""))[:40]))
        elif event.kind == "disconnect":
            problems.append(("disconnected", ""))
    if current is not None:   # still answering when the run ended
        found.append(current)
    return found


def check_conversation(questions: list[Question], events: list[Event],
                       tracker_replies: Optional[dict] = None) -> Verdict:
    """`questions` in the order they were sent; `events` in the order the socket received them;
    `tracker_replies` {record id: [bot texts], in the tracker's order} when Rasa's tracker is read."""
    verdict = Verdict(questions=list(questions))
    problems = verdict.problems
    for q in questions:
        if q.ack_id is None:
            problems.append(("not acknowledged", f"{q.client_msg_id}: {q.ack_error}"))
    acked = [q for q in questions if q.ack_id is not None]
    ids = [q.ack_id for q in acked]
    if ids != sorted(ids) or len(set(ids)) != len(ids):
        problems.append(("out of order", f"questions stored out of order or merged: {ids}"))
    echoes: dict[str, list] = {}
    for event in events:
        if event.kind == "message" and event.data.get("sender") == "shopper":
            echoes.setdefault(event.data.get("client_msg_id"), []).append(event)
    for q in acked:
        seen = echoes.get(q.client_msg_id, [])
        if len(seen) != 1:
            problems.append(("answered twice" if len(seen) > 1 else "not shown", f"{q.client_msg_id} shown {len(seen)} times"))
    brackets = []
    for bracket in _brackets(events, problems):
        if bracket["first"] is None and bracket["done"] is not None:
            # the console gave the exchange up (another answers it, or a notice follows): the
            # question is answered by a later exchange, or reported unanswered below
            problems.append(("abandoned exchange", f"typing on and off with no reply, at {bracket['start']:.1f}"))
        else:
            brackets.append(bracket)
    if len(brackets) > len(acked):
        problems.append(("answered twice", f"{len(brackets) - len(acked)} answers more than questions"))
    for q, bracket in zip(acked, brackets):
        echo = echoes.get(q.client_msg_id)
        if echo and bracket["start"] < echo[0].at:
            problems.append(("out of order", f"{q.client_msg_id} answered before it was shown"))
        if bracket["first"] is None:
            problems.append(("not answered", f"{q.client_msg_id}: an exchange with no reply"))
            continue
        answer = Answer(q, bracket["first"], bracket["done"], [i for i, _ in bracket["bot"]],
                        [t for _, t in bracket["bot"]], bracket["system"])
        verdict.answers.append(answer)
        if answer.system_texts:
            problems.append(("console answered", f"{q.client_msg_id}: {answer.system_texts[0][:30]}"))
        if answer.done_at is None:
            problems.append(("not answered", f"{q.client_msg_id}: the answer did not finish"))
        # (when the console answered for the bot, Rasa's late replies were never shown: counted above)
        if tracker_replies is not None and not answer.system_texts and answer.bot_texts != tracker_replies.get(q.ack_id):
            problems.append(("out of order", f"{q.client_msg_id}: the socket's answer is not Rasa's answer to it: "
                                            f"{_short(answer.bot_texts)} vs {_short(tracker_replies.get(q.ack_id))}"))
    for q in acked[len(brackets):]:
        problems.append(("not answered", q.client_msg_id))
    return verdict


def _short(texts) -> str:
    return "None" if texts is None else "[" + ", ".join(str(t)[:12] for t in texts) + "]"


def check_tracker(record_ids: list[int], tracker_order: list[int]) -> list[tuple[str, str]]:
    """Rasa asked about each question once, in the order they were stored."""
    problems = []
    if len(set(tracker_order)) != len(tracker_order):
        problems.append(("answered twice", "a question reached Rasa twice"))
    if tracker_order != sorted(tracker_order):
        later, earlier = next((a, b) for a, b in zip(tracker_order, tracker_order[1:]) if b < a)
        problems.append(("out of order", f"questions reached Rasa out of order: record id {earlier} after {later}"))
    missing = set(record_ids) - set(tracker_order)
    if missing:
        problems.append(("not answered", f"{len(missing)} questions never reached Rasa"))
    return problems


def check_record(verdict: Verdict, client_msg_ids_stored: list[str], bot_ids_stored: list[int]) -> list[tuple[str, str]]:
    """The helpdesk record of the conversation agrees with the socket: each question stored once,
    the same bot messages."""
    problems = []
    sent = [q.client_msg_id for q in verdict.questions if q.ack_id is not None]
    if sorted(client_msg_ids_stored) != sorted(sent):
        problems.append(("record differs", f"questions: {len(client_msg_ids_stored)} stored, {len(sent)} acknowledged"))
    delivered = [i for a in verdict.answers for i in a.bot_ids]
    if sorted(bot_ids_stored) != sorted(delivered):
        problems.append(("record differs", f"bot messages: {len(bot_ids_stored)} stored, {len(delivered)} delivered"))
    return problems


PROBLEM_KINDS = ("not acknowledged", "not shown", "not answered", "abandoned exchange", "answered twice", "out of order",
                 "console answered", "notice", "disconnected", "record differs")


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (as the benchmark's figures): nan for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def growth(samples: list[tuple[float, float]], from_s: float, window_s: float = 60.0) -> Optional[float]:
    """Memory growth as a fraction: the mean of the last `window_s` of samples against the mean of
    the `window_s` starting at `from_s` (means, so one sample's noise does not decide). None when
    the run is too short to have both windows apart."""
    if not samples:
        return None
    end = samples[-1][0]
    base = [v for t, v in samples if from_s <= t < from_s + window_s]
    last = [v for t, v in samples if t > end - window_s and t >= from_s + window_s]
    if not base or not last:
        return None
    start_mean = sum(base) / len(base)
    return (sum(last) / len(last) - start_mean) / start_mean

"""The review queue (an NLU inbox): shopper messages the model was unsure of (confidence below the
owner's threshold), that the bot fell back on, or that sent the conversation to a person; near
duplicates grouped; and the owner's decision on a group (an intent, out_of_scope, or ignore).

Grouping: character 2-grams of the normalised text (tuning.message_key), Jaccard ≥ 0.6 with the
group's first message. 2-grams rather than the 3-grams of the held-out check because shoppers'
messages are short: 在吗 has no 3-gram at all and 运费多少 only two, while 2-grams put 运费多少 and
运费多少钱 together (0.75) and keep 寄到拉萨运费多少 apart from 寄到乌鲁木齐运费多少 (0.33): different
places are different examples worth labelling. Messages already decided, already training
examples, or (nearly) copying a held-out message are left out: nothing the owner could add."""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Iterable, Optional, Union

from helpdesk import REVIEW_IGNORE, ReviewDecisions

from .labels import LabelResult, OwnerLabels
from .nlu_files import key
from .tracker_reader import ShopperMessage, TrackerReader

DEFAULT_THRESHOLD = 0.6
GROUP_JACCARD = 0.6
LOW_CONFIDENCE, FELL_BACK, HANDED_OFF = "低置信度", "兜底回复", "转人工"
IGNORE = REVIEW_IGNORE


def bigrams(text: str) -> frozenset:
    k = key(text)
    return frozenset(k[i:i + 2] for i in range(len(k) - 1))


def reasons_for(message: ShopperMessage, threshold: float) -> tuple[str, ...]:
    found = []
    # 1 means "review everything new": a model can be fully sure (confidence exactly 1.0).
    if message.confidence < threshold or threshold >= 1:
        found.append(LOW_CONFIDENCE)
    if message.fell_back:
        found.append(FELL_BACK)
    if message.handed_off_here:
        found.append(HANDED_OFF)
    return tuple(found)


@dataclass
class QueueGroup:
    """Near-duplicate messages. `key` is the representative's message key (the group's id)."""
    key: str
    text: str
    members: list[ShopperMessage] = field(default_factory=list)
    member_keys: list[str] = field(default_factory=list)   # parallel to members
    reasons: tuple = ()

    @property
    def count(self) -> int:
        return len(self.members)

    @property
    def keys(self) -> list[str]:
        return list(dict.fromkeys(self.member_keys))

    @property
    def intent(self) -> Optional[str]:
        """The intent the model predicted most often for the group."""
        return Counter(m.intent for m in self.members).most_common(1)[0][0]

    @property
    def mean_confidence(self) -> float:
        return sum(m.confidence for m in self.members) / len(self.members)

    @property
    def min_confidence(self) -> float:
        return min(m.confidence for m in self.members)

    @property
    def last_time(self) -> dt.datetime:
        return max(m.time for m in self.members)

    @property
    def latest(self) -> ShopperMessage:
        return max(self.members, key=lambda m: m.time)

    @property
    def candidate_intents(self) -> list[str]:
        """The intents the model predicted for the members, most frequent first."""
        return [i for i, _ in Counter(m.intent for m in self.members if m.intent).most_common()]

    def entity(self, name: str) -> str:
        """What the model found as entity `name` in the representative text ("" if nothing)."""
        for m, k in zip(self.members, self.member_keys):
            if k == self.key:
                for e in m.entities:
                    if e.get("entity") == name and isinstance(e.get("start"), int):
                        return m.text[e["start"]:e["end"]]
        return ""


@dataclass
class Queue:
    groups: list[QueueGroup]
    threshold: float
    messages_read: int = 0
    left_out_known: int = 0      # already a training example or a held-out message

    def find(self, group_key: str) -> Optional[QueueGroup]:
        return next((g for g in self.groups if g.key == group_key or group_key in g.keys), None)


def build_queue(messages: Iterable[ShopperMessage], threshold: float = DEFAULT_THRESHOLD,
                decided: Iterable[str] = (), unlabelable=None, keyer=key,
                similarity: float = GROUP_JACCARD) -> Queue:
    """`decided`: message keys the owner decided already; `unlabelable(text)`: True for a text
    that cannot become a training example (already one, or a held-out copy); `keyer(text)`: the
    message key (Review uses the key of the masked text, so no phone or order number is kept in
    the decisions and 取消订单 4028… and 取消订单 5531… are one message)."""
    decided = set(decided)
    messages = list(messages)
    groups: list[QueueGroup] = []
    grams_of: list[frozenset] = []
    by_gram: dict[str, set[int]] = {}
    by_key: dict[str, int] = {}
    left_out, verdicts = 0, {}
    for message in sorted(messages, key=lambda m: (m.time, m.event_id)):
        k = keyer(message.text)
        why = reasons_for(message, threshold)
        if not why or not k or k in decided:
            continue
        if unlabelable is not None:
            if k not in verdicts:
                verdicts[k] = unlabelable(message.text)
            if verdicts[k]:
                left_out += 1
                continue
        mine = bigrams(k)
        index = by_key.get(k)
        if index is None and mine:
            for i in sorted(set().union(*(by_gram.get(g, set()) for g in mine))):
                if len(mine & grams_of[i]) / len(mine | grams_of[i]) >= similarity:
                    index = i
                    break
        if index is None:
            index = len(groups)
            groups.append(QueueGroup(k, message.text))
            grams_of.append(mine)
            for g in mine:
                by_gram.setdefault(g, set()).add(index)
        by_key.setdefault(k, index)
        group = groups[index]
        group.members.append(message)
        group.member_keys.append(k)
        group.reasons = tuple(r for r in (LOW_CONFIDENCE, FELL_BACK, HANDED_OFF) if r in set(group.reasons) | set(why))
    for group in groups:   # the most frequent wording represents the group (the latest on a tie)
        counts = Counter(group.member_keys)
        best = max(zip(group.members, group.member_keys), key=lambda mk: (counts[mk[1]], mk[0].time))
        group.key, group.text = best[1], best[0].text
    groups.sort(key=lambda g: (-g.count, -g.last_time.timestamp()))
    return Queue(groups, threshold, len(messages), left_out)


class Review:
    """The queue from the tracker store and the owner's decisions on it: the one place the
    console and the command line both go through."""

    def __init__(self, reader: TrackerReader, decisions: ReviewDecisions, labels: OwnerLabels,
                 threshold: Union[float, Callable[[], float]] = DEFAULT_THRESHOLD) -> None:
        """`threshold`: a number, or a callable read at each queue (the console passes one that
        reads store_config/owner_loop.yml, so the owner's edit applies at once)."""
        self.reader, self.decisions, self.labels, self._threshold = reader, decisions, labels, threshold

    @property
    def threshold(self) -> float:
        return self._threshold() if callable(self._threshold) else self._threshold

    def top_questions(self, limit: int = 8) -> list[dict]:
        """The largest groups, for the dashboard: text, count, intent, confidence."""
        return [{"key": g.key, "text": g.text, "count": g.count, "intent": g.intent,
                 "confidence": g.min_confidence} for g in self.queue().groups[:limit]]

    def untrained_count(self) -> int:
        """Labelled examples no live model was trained on yet (for the retrain page)."""
        return self.decisions.untrained_count()

    def queue(self, since: Optional[dt.datetime] = None, threshold: Optional[float] = None) -> Queue:
        known = self.labels.known_examples()

        def unlabelable(text: str) -> bool:
            return self.message_key(text) in known or self.labels.is_heldout(text)

        return build_queue(self.reader.shopper_messages(since),
                           self.threshold if threshold is None else threshold,
                           self.decisions.decided_keys(), unlabelable, self.message_key)

    def message_key(self, text: str) -> str:
        """The key decisions are stored under: the masked text's."""
        return key(self.labels.mask(text))

    def decide(self, group: QueueGroup, choice: str, author: str, now: dt.datetime,
               marks: Optional[dict] = None, text: Optional[str] = None) -> LabelResult:
        """Applies the owner's choice to every message of the group: `ignore`, or an intent
        (out_of_scope included) for `text` (the group's representative unless given)."""
        text = text or group.text
        if choice == IGNORE:
            masked = self.labels.mask(text)
            self.decisions.record(group.keys, IGNORE, masked, [], False, author, now)
            return LabelResult("ignored", IGNORE, masked, f"已忽略（{group.count} 条）")
        result = self.labels.label(text, choice, marks)
        if result.outcome in ("added", "exists"):
            entities = [{"entity": e, "value": v} for e, v in (marks or {}).items() if v]
            self.decisions.record(group.keys, choice, result.text, entities, result.added, author, now)
        return result

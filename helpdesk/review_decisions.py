"""The owner's decisions on review-queue messages: per normalised message text, the intent it was
labelled with (out_of_scope included) or `ignore`, the masked text, the entities marked, who and
when. A decided message leaves the queue; labelled ones not yet in a live model are counted for
the retrain page. Each write commits before the method returns."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Iterable, Optional

from sqlalchemy import delete, func, insert, select, update

from .db import Database
from .schema import review_decisions

IGNORE = "ignore"


@dataclass(frozen=True)
class ReviewDecision:
    id: int
    message_key: str
    decision: str                # an intent name, or "ignore"
    masked_text: str
    entities: list               # [{"entity": "destination", "value": "乌鲁木齐"}]
    added: bool                  # written to the owner's training file
    author: str
    created_at: dt.datetime
    trained_at: Optional[dt.datetime]


def _aware(value: dt.datetime) -> None:
    if value.tzinfo is None:
        raise ValueError("datetimes must be timezone-aware")


class ReviewDecisions:
    def __init__(self, db: Database) -> None:
        self._db = db

    def _decision(self, row) -> ReviewDecision:
        zone = self._db.zone
        return ReviewDecision(row.id, row.message_key, row.decision, row.masked_text, list(row.entities),
                              bool(row.added), row.author, row.created_at.astimezone(zone),
                              row.trained_at.astimezone(zone) if row.trained_at else None)

    def record(self, message_keys: Iterable[str], decision: str, masked_text: str, entities: list,
               added: bool, author: str, now: dt.datetime) -> int:
        """Records one decision for each key (a group of near-duplicates shares it); a key decided
        before keeps its first decision. Returns how many keys were new."""
        _aware(now)
        keys = [k for k in dict.fromkeys(message_keys) if k]
        new = 0
        with self._db.write() as conn:
            known = {r.message_key for r in conn.execute(
                select(review_decisions.c.message_key).where(review_decisions.c.message_key.in_(keys)))}
            for key in keys:
                if key in known:
                    continue
                conn.execute(insert(review_decisions).values(
                    message_key=key, decision=decision, masked_text=masked_text, entities=list(entities),
                    added=added, author=author, created_at=now))
                new += 1
        return new

    def decided_keys(self) -> set[str]:
        with self._db.read() as conn:
            return {r.message_key for r in conn.execute(select(review_decisions.c.message_key))}

    def get(self, message_key: str) -> Optional[ReviewDecision]:
        with self._db.read() as conn:
            row = conn.execute(select(review_decisions).where(review_decisions.c.message_key == message_key)).first()
        return self._decision(row) if row else None

    def list(self, limit: int = 50) -> list[ReviewDecision]:
        with self._db.read() as conn:
            rows = conn.execute(select(review_decisions).order_by(review_decisions.c.id.desc()).limit(limit)).all()
        return [self._decision(r) for r in rows]

    def untrained_count(self) -> int:
        """Examples written to the owner's file that no live model has been trained on yet."""
        with self._db.read() as conn:
            # a group's keys share one example: count the examples, not the keys
            return conn.execute(select(func.count(func.distinct(review_decisions.c.masked_text))).where(
                review_decisions.c.added.is_(True), review_decisions.c.trained_at.is_(None))).scalar_one()

    def mark_trained(self, now: dt.datetime, labelled_before: Optional[dt.datetime] = None) -> int:
        """Called when a model trained on the owner's file goes live: the examples labelled before
        it was trained (all, when that time is unknown) are in it. Returns how many messages."""
        _aware(now)
        query = update(review_decisions).where(review_decisions.c.added.is_(True),
                                               review_decisions.c.trained_at.is_(None))
        if labelled_before is not None:
            _aware(labelled_before)
            query = query.where(review_decisions.c.created_at <= labelled_before)
        with self._db.write() as conn:
            return conn.execute(query.values(trained_at=now)).rowcount

    def forget(self, message_keys: Iterable[str]) -> int:
        """Deletes the decisions on these message keys (a shopper asked to be forgotten: the
        decision keeps their masked words). Returns how many there were."""
        keys = [k for k in dict.fromkeys(message_keys) if k]
        with self._db.write() as conn:
            return conn.execute(delete(review_decisions).where(review_decisions.c.message_key.in_(keys))).rowcount

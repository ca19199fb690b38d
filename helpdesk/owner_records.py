"""The owner's records: console accounts (owners and agents), saved versions of owner-edited
files, and model promotions and rollbacks. Each write commits before the method returns."""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Optional

from sqlalchemy import delete, insert, select, update

from .db import Database
from .schema import MAX_ID, accounts, config_versions, model_events

ROLES = ("owner", "agent")


def _aware(value: dt.datetime) -> None:
    if value.tzinfo is None:
        raise ValueError("datetimes must be timezone-aware")


@dataclass(frozen=True)
class Account:
    name: str
    role: str
    password_hash: str
    updated_at: dt.datetime


class Accounts:
    def __init__(self, db: Database) -> None:
        self._db = db

    def get(self, name: str) -> Optional[Account]:
        with self._db.read() as conn:
            row = conn.execute(select(accounts).where(accounts.c.name == name)).first()
        return Account(row.name, row.role, row.password_hash, row.updated_at.astimezone(self._db.zone)) if row else None

    def all(self) -> list[Account]:
        with self._db.read() as conn:
            rows = conn.execute(select(accounts).order_by(accounts.c.role, accounts.c.name)).all()
        return [Account(r.name, r.role, r.password_hash, r.updated_at.astimezone(self._db.zone)) for r in rows]

    def add(self, name: str, role: str, password_hash: str, now: dt.datetime) -> bool:
        """Adds the account unless the name exists (returns False then: a configured account never
        overwrites a password its owner has changed since)."""
        if role not in ROLES:
            raise ValueError(f"role must be one of {ROLES}")
        _aware(now)
        with self._db.write() as conn:
            if conn.execute(select(accounts.c.name).where(accounts.c.name == name)).first():
                return False
            conn.execute(insert(accounts).values(name=name, role=role, password_hash=password_hash, updated_at=now))
        return True

    def set_password(self, name: str, password_hash: str, now: dt.datetime) -> None:
        _aware(now)
        with self._db.write() as conn:
            done = conn.execute(update(accounts).where(accounts.c.name == name)
                                .values(password_hash=password_hash, updated_at=now)).rowcount
        if not done:
            raise LookupError(name)

    def remove(self, name: str) -> None:
        with self._db.write() as conn:
            conn.execute(delete(accounts).where(accounts.c.name == name))


@dataclass(frozen=True)
class ConfigVersion:
    id: int
    file: str
    text: str
    sha256: str
    author: str
    changes: list
    created_at: dt.datetime


def _version(row, zone) -> ConfigVersion:
    return ConfigVersion(row.id, row.file, row.text, row.sha256, row.author, list(row.changes),
                         row.created_at.astimezone(zone))


class ConfigHistory:
    """Every saved version of an owner-edited file (store.yml, replies.yml), newest first."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def record(self, file: str, text: str, author: str, changes: list[str], now: dt.datetime) -> int:
        _aware(now)
        with self._db.write() as conn:
            return conn.execute(insert(config_versions).values(
                file=file, text=text, sha256=hashlib.sha256(text.encode()).hexdigest(), author=author,
                changes=list(changes), created_at=now)).inserted_primary_key[0]

    def list(self, file: Optional[str] = None, limit: int = 50) -> list[ConfigVersion]:
        query = select(config_versions).order_by(config_versions.c.id.desc()).limit(limit)
        if file is not None:
            query = query.where(config_versions.c.file == file)
        with self._db.read() as conn:
            return [_version(r, self._db.zone) for r in conn.execute(query)]

    def get(self, version_id: int) -> Optional[ConfigVersion]:
        if not 0 < version_id <= MAX_ID:
            return None
        with self._db.read() as conn:
            row = conn.execute(select(config_versions).where(config_versions.c.id == version_id)).first()
        return _version(row, self._db.zone) if row else None


@dataclass(frozen=True)
class ModelEvent:
    id: int
    kind: str
    model: str
    previous: Optional[str]
    author: str
    figures: dict
    reason: Optional[str]
    created_at: dt.datetime


class ModelEvents:
    """Every promotion, rollback and refused promotion: who, when, which model, the figures."""

    KINDS = ("promote", "rollback", "refused")

    def __init__(self, db: Database) -> None:
        self._db = db

    def record(self, kind: str, model: str, previous: Optional[str], author: str, figures: dict,
               now: dt.datetime, reason: Optional[str] = None) -> int:
        if kind not in self.KINDS:
            raise ValueError(f"kind must be one of {self.KINDS}")
        _aware(now)
        with self._db.write() as conn:
            return conn.execute(insert(model_events).values(
                kind=kind, model=model, previous=previous, author=author, figures=dict(figures),
                reason=reason, created_at=now)).inserted_primary_key[0]

    def list(self, limit: int = 50) -> list[ModelEvent]:
        with self._db.read() as conn:
            rows = conn.execute(select(model_events).order_by(model_events.c.id.desc()).limit(limit)).all()
        return [ModelEvent(r.id, r.kind, r.model, r.previous, r.author, dict(r.figures), r.reason,
                           r.created_at.astimezone(self._db.zone)) for r in rows]

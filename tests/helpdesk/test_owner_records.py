"""Console accounts, saved file versions and model events: written, read back, in the zone."""
import datetime as dt

import pytest

from helpdesk import Accounts, ConfigHistory, ModelEvents
from store import CHINA

NOW = dt.datetime(2026, 11, 30, 10, 0, tzinfo=CHINA)


def test_an_account_is_added_once_and_its_password_changes(db):
    accounts = Accounts(db)
    assert accounts.add("laoban", "owner", "hash-1", NOW)
    assert not accounts.add("laoban", "agent", "hash-2", NOW), "a configured account never overwrites"
    accounts.set_password("laoban", "hash-3", NOW + dt.timedelta(hours=1))
    got = accounts.get("laoban")
    assert (got.role, got.password_hash, got.updated_at) == ("owner", "hash-3", NOW + dt.timedelta(hours=1))
    assert accounts.get("nobody") is None
    with pytest.raises(LookupError):
        accounts.set_password("nobody", "x", NOW)
    with pytest.raises(ValueError):
        accounts.add("x", "admin", "h", NOW)


def test_config_versions_come_back_newest_first_by_file(db):
    history = ConfigHistory(db)
    first = history.record("store.yml", "a: 1\n", "laoban", ["新藏 首重 18 → 20"], NOW)
    history.record("replies.yml", "b: 2\n", "laoban", [], NOW)
    second = history.record("store.yml", "a: 2\n", "laoban", ["新疆 移到 新疆"], NOW + dt.timedelta(minutes=5))
    assert [v.id for v in history.list("store.yml")] == [second, first]
    version = history.get(first)
    assert (version.text, version.changes, version.created_at) == ("a: 1\n", ["新藏 首重 18 → 20"], NOW)
    assert len(version.sha256) == 64 and history.get(9999) is None


def test_model_events_keep_figures_and_the_override_reason(db):
    events = ModelEvents(db)
    events.record("promote", "m2", "m1", "laoban", {"correct": [1200, 1210]}, NOW, reason="新意图")
    events.record("rollback", "m1", "m2", "laoban", {}, NOW + dt.timedelta(minutes=1))
    latest, first = events.list()
    assert (latest.kind, latest.model, latest.previous) == ("rollback", "m1", "m2")
    assert (first.figures, first.reason, first.created_at) == ({"correct": [1200, 1210]}, "新意图", NOW)
    with pytest.raises(ValueError):
        events.record("delete", "m", None, "x", {}, NOW)

"""Promotion and rollback: the guard's decision recorded, the override with its typed reason, the
pointers and the running server kept in step (put back when the swap fails), and the command line.
The real swap in a running Rasa and the guard on a real worse model: test_promotion_live.py."""
from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
from pathlib import Path

import pytest
from test_model_shelf import fake_model

from helpdesk import ModelEvents, open_database
from store import CHINA
from tuning import (GuardVerdict, ModelPromotion, ModelShelf, Pointers, PromotionError, RasaApiError,
                    RasaStatus, RasaUnreachable, model_id_of, model_name)
from tuning.models_cli import run_promote, run_rollback

NOW = dt.datetime(2026, 11, 30, 10, 15, tzinfo=CHINA)
FIGURES = {"correct": {"live": 500, "candidate": 490}}


class FakeRasa:
    """The running server as promotion uses it: which model it serves, and loading another."""

    def __init__(self, model_id: str = "none", up: bool = True, fail_load: bool = False) -> None:
        self.model_id, self.up, self.fail_load, self.loaded = model_id, up, fail_load, []

    def status(self) -> RasaStatus:
        if not self.up:
            raise RasaUnreachable("Rasa 服务没有运行")
        return RasaStatus(self.model_id, "x.tar.gz")

    def load_model(self, path: Path, expected_model_id: str) -> RasaStatus:
        self.loaded.append(Path(path).name)
        if self.fail_load:
            self.fail_load = False  # the old model loads again
            raise RasaApiError("LoadingError")
        self.model_id = model_id_of(path)
        return self.status()


class Guard:
    def __init__(self, allowed: bool = True) -> None:
        self.allowed, self.reports = allowed, []

    def __call__(self, report, settings) -> GuardVerdict:
        self.reports.append(report)
        return GuardVerdict(self.allowed, [] if self.allowed else ["候选模型答对的消息比上线模型少 10 条"], dict(FIGURES))


class World:
    def __init__(self, tmp_path: Path, allowed: bool = True, rasa: FakeRasa = None) -> None:
        self.shelf = ModelShelf(tmp_path / "models")
        self.events = ModelEvents(open_database(f"sqlite:///{tmp_path / 'helpdesk.db'}", zone=CHINA))
        self.rasa = rasa or FakeRasa()
        self.guard = Guard(allowed)
        self.evaluations = tmp_path / "evaluations"
        self.promotion = ModelPromotion(self.shelf, self.events, self.rasa, clock=lambda: NOW,
                                        evaluations_dir=self.evaluations, guard=self.guard)

    def candidate(self, stamp: str, model_id: str, compared_with: str = None) -> Path:
        path = fake_model(self.shelf.candidates_dir / "partial.tar.gz", model_id)
        from tuning.model_shelf import sha256_of
        named = path.rename(path.with_name(f"20261130-{stamp}-{sha256_of(path)[:8]}.tar.gz"))
        report = self.evaluations / model_name(named) / "report.json"
        report.parent.mkdir(parents=True)
        report.write_text(json.dumps({"candidate": {"name": model_name(named)},
                                      "live": {"name": compared_with} if compared_with else None}))
        return named

    def first_live(self) -> Path:
        first = self.candidate("090000", "m-first")
        allowed, self.guard.allowed = self.guard.allowed, True  # the real guard allows a first model
        self.promotion.promote(first, "setup")
        self.guard.allowed = allowed
        return self.shelf.live()


def test_the_first_model_goes_live_without_a_comparison_and_is_recorded(tmp_path):
    world = World(tmp_path, rasa=FakeRasa(up=False))
    first = fake_model(tmp_path / "store.tar.gz", "m-first")  # e.g. make run's first training, no report
    outcome = world.promotion.promote(first, "setup")
    assert (outcome.kind, outcome.previous, outcome.swapped) == ("promote", None, False)
    assert "Rasa 没有运行" in outcome.server_note
    assert model_id_of(world.shelf.live()) == "m-first"
    [event] = world.events.list()
    assert (event.kind, event.model, event.author, event.created_at) == ("promote", outcome.model, "setup", NOW)


def test_a_refused_candidate_is_recorded_with_the_reasons_and_nothing_changes(tmp_path):
    world = World(tmp_path, allowed=False)
    live = world.first_live()
    world.rasa.model_id = "m-first"
    candidate = world.candidate("101500", "m-worse", compared_with=model_name(live))
    outcome = world.promotion.promote(candidate, "owner")
    assert outcome.kind == "refused" and outcome.reasons == ["候选模型答对的消息比上线模型少 10 条"]
    assert world.shelf.pointers() == Pointers(live, None)
    assert world.rasa.model_id == "m-first" and world.rasa.loaded == [live.name], "only the first model was loaded"
    refused = world.events.list()[0]
    assert (refused.kind, refused.model, refused.previous, refused.author) == ("refused", model_name(candidate),
                                                                                model_name(live), "owner")
    assert refused.figures["correct"] == FIGURES["correct"] and "少 10 条" in refused.reason
    assert not (world.shelf.kept_dir / candidate.name).exists()


def test_an_override_needs_a_typed_reason_which_is_recorded_and_logged(tmp_path, caplog):
    world = World(tmp_path, allowed=False)
    live = world.first_live()
    candidate = world.candidate("101500", "m-worse", compared_with=model_name(live))
    assert world.promotion.promote(candidate, "owner", override_reason="   ").kind == "refused"
    with caplog.at_level(logging.WARNING, logger="tuning.promotion"):
        outcome = world.promotion.promote(candidate, "owner", override_reason="大促前必须上线新的活动问法")
    assert outcome.kind == "promote" and outcome.swapped and world.rasa.model_id == "m-worse"
    assert world.shelf.pointers() == Pointers(world.shelf.kept_dir.resolve() / candidate.name, live)
    event = world.events.list()[0]
    assert (event.kind, event.reason) == ("promote", "大促前必须上线新的活动问法")
    assert event.figures["overridden"] == ["候选模型答对的消息比上线模型少 10 条"]
    assert event.figures["rasa_before"] == "m-first" and event.figures["rasa_after"] == "m-worse"
    assert "大促前必须上线新的活动问法" in caplog.text


def test_a_candidate_without_a_report_cannot_replace_the_live_model(tmp_path):
    world = World(tmp_path)
    world.first_live()
    bare = fake_model(world.shelf.candidates_dir / "20261130-101500-00000000.tar.gz", "m-bare")
    with pytest.raises(PromotionError, match="还没有评估报告"):
        world.promotion.promote(bare, "owner")
    assert len(world.events.list()) == 1


def test_a_report_against_another_live_model_must_be_redone(tmp_path):
    world = World(tmp_path)
    world.first_live()
    candidate = world.candidate("101500", "m-new", compared_with="20261129-090000-deadbeef")
    outcome = world.promotion.promote(candidate, "owner")
    assert outcome.kind == "refused" and "请重新评估" in outcome.reasons[-1]


def test_when_the_server_refuses_the_model_the_pointers_are_put_back(tmp_path):
    world = World(tmp_path)
    live = world.first_live()
    world.rasa.fail_load = True
    candidate = world.candidate("101500", "m-new", compared_with=model_name(live))
    with pytest.raises(PromotionError, match="指针已恢复原状"):
        world.promotion.promote(candidate, "owner")
    assert world.shelf.pointers() == Pointers(live, None)
    assert world.rasa.model_id == "m-first"               # asked to load the old model again
    assert [e.kind for e in world.events.list()] == ["promote"]  # only the first promotion


def test_rollback_swaps_live_and_previous_in_the_server_and_is_recorded(tmp_path):
    world = World(tmp_path)
    first = world.first_live()
    candidate = world.candidate("101500", "m-new", compared_with=model_name(first))
    world.promotion.promote(candidate, "owner")
    second = world.shelf.live()
    outcome = world.promotion.rollback("owner2")
    assert (outcome.kind, outcome.model, outcome.previous) == ("rollback", model_name(first), model_name(second))
    assert world.shelf.pointers() == Pointers(first, second)
    assert world.rasa.model_id == "m-first"
    assert [(e.kind, e.author) for e in world.events.list()] == [("rollback", "owner2"), ("promote", "owner"),
                                                                   ("promote", "setup")]


def test_rollback_without_a_previous_model_is_refused(tmp_path):
    world = World(tmp_path)
    world.first_live()
    with pytest.raises(PromotionError, match="没有上一个模型"):
        world.promotion.rollback("owner")


def _args(**values) -> argparse.Namespace:
    return argparse.Namespace(**{"candidate": None, "reason": None, "yes": False, "author": "cli-owner", **values})


def test_the_command_line_promotes_the_newest_candidate_and_asks_first(tmp_path, capsys, monkeypatch):
    world = World(tmp_path)
    live = world.first_live()
    world.candidate("101500", "m-old", compared_with=model_name(live))
    newest = world.candidate("111500", "m-new", compared_with=model_name(live))
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    assert run_promote(_args(), world.promotion) == 1          # no terminal, no --yes: nothing happens
    assert "需要确认" in capsys.readouterr().err
    assert run_promote(_args(yes=True), world.promotion) == 0
    assert model_name(world.shelf.live()) == model_name(newest)
    assert "已上线" in capsys.readouterr().out
    assert run_rollback(_args(yes=True), world.promotion) == 0
    assert world.shelf.live() == live
    assert world.events.list()[0].author == "cli-owner"


def test_the_command_line_prints_the_refusal_and_how_to_override(tmp_path, capsys):
    world = World(tmp_path, allowed=False)
    live = world.first_live()
    world.candidate("101500", "m-worse", compared_with=model_name(live))
    assert run_promote(_args(yes=True), world.promotion) == 1
    out = capsys.readouterr().out
    assert "拒绝上线" in out and "少 10 条" in out and "--reason" in out
    assert world.shelf.live() == live


def test_a_promoted_model_counts_the_labels_made_before_its_training_as_trained(tmp_path):
    from helpdesk import ReviewDecisions
    world = World(tmp_path)
    live = world.first_live()
    world.rasa.model_id = "m-first"
    decisions = ReviewDecisions(world.events._db)
    early, late = dt.datetime(2026, 11, 30, 9, 30, tzinfo=CHINA), dt.datetime(2026, 11, 30, 10, 20, tzinfo=CHINA)
    decisions.record(["k1"], "ask_shipping_fee", "寄到新疆多少钱", [], True, "owner", early)
    decisions.record(["k2"], "ask_payment", "能用花呗吗", [], True, "owner", late)
    world.promotion.labels = decisions
    world.promotion.promote(world.candidate("101500", "m-new", compared_with=model_name(live)), "owner")
    assert decisions.untrained_count() == 1, "the label made after the 10:15 training is still to train"

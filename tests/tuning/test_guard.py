"""The promotion guard, on reports built from per-message predictions: each refusal rule at its
threshold and one past it, the first model, and the figures kept for the record."""
from __future__ import annotations

from tuning import GuardVerdict, LoopSettings, check_promotion
from tuning.evaluation import side_by_side

DEFAULTS = LoopSettings()   # max_fewer_correct 0, max_intent_loss 2, stories_must_pass True
PASSED = {"total": 3, "passed": 3, "failed": 0, "failed_names": []}


def predictions(rows: list[tuple[str, str, int]]) -> list[dict]:
    """(expected, predicted, how many) → per-message predictions."""
    return [{"text": f"{expected}-{guess}-{i}", "expected": expected, "intent": guess, "confidence": 0.9}
            for expected, guess, count in rows for i in range(count)]


LIVE = [("ask_tracking", "ask_tracking", 10), ("ask_return", "ask_return", 10), ("greet", "greet", 5),
        ("greet", "thank", 5)]


def report(candidate_rows, live_rows=LIVE, stories=PASSED) -> dict:
    live = predictions(live_rows) if live_rows is not None else None
    return {"candidate": {"name": "20261130-101500-aaaaaaaa"},
            "live": {"name": "20261129-090000-bbbbbbbb"} if live_rows is not None else None,
            "combined": side_by_side(predictions(candidate_rows), live), "stories": stories}


def shifted(rows, intent, lost, to="complain"):
    """LIVE with `lost` messages of `intent` now read as `to`."""
    out = []
    for expected, guess, count in rows:
        if expected == intent and guess == intent:
            out += [(expected, guess, count - lost), (expected, to, lost)]
        else:
            out.append((expected, guess, count))
    return out


def test_the_same_model_is_allowed():
    verdict = check_promotion(report(LIVE), DEFAULTS)
    assert isinstance(verdict, GuardVerdict) and verdict.allowed
    assert verdict.figures["correct"] == {"candidate": 25, "live": 25}


def test_the_first_model_is_allowed_and_says_so():
    verdict = check_promotion(report(LIVE, live_rows=None), DEFAULTS)
    assert verdict.allowed
    assert "第一个模型" in verdict.reasons[0]
    assert verdict.figures["first_model"] is True


def test_one_fewer_correct_message_is_refused_by_default():
    worse = shifted(LIVE, "ask_tracking", 1)
    verdict = check_promotion(report(worse), DEFAULTS)
    assert not verdict.allowed
    assert verdict.reasons == ["留出测试集共 30 条消息：候选模型答对 24 条，比上线模型（25 条）少 1 条（不允许更少）"]


def test_fewer_correct_within_the_configured_limit_is_allowed():
    worse = shifted(LIVE, "ask_tracking", 1)
    assert check_promotion(report(worse), LoopSettings(max_fewer_correct=1)).allowed
    assert not check_promotion(report(shifted(worse, "ask_return", 1)), LoopSettings(max_fewer_correct=1)).allowed


def test_an_intent_losing_more_than_two_messages_is_refused_even_when_the_total_improves():
    # ask_tracking loses 3, greet gains 5: more right overall, but one intent got worse
    rows = shifted(LIVE, "ask_tracking", 3)
    rows = [r for r in rows if r[:2] != ("greet", "thank")] + [("greet", "greet", 5)]
    verdict = check_promotion(report(rows), DEFAULTS)
    assert not verdict.allowed
    assert verdict.figures["intent_losses"] == {"ask_tracking": -3}
    assert verdict.reasons == ["意图 ask_tracking 在留出测试集上少答对 3 条（10 → 7，共 10 条；最多允许少 2 条）"]


def test_an_intent_losing_exactly_the_limit_is_allowed():
    rows = shifted(LIVE, "ask_tracking", 2)
    rows = [r for r in rows if r[:2] != ("greet", "thank")] + [("greet", "greet", 3), ("greet", "thank", 2)]
    verdict = check_promotion(report(rows), DEFAULTS)
    assert verdict.allowed, verdict.reasons
    assert not check_promotion(report(rows), LoopSettings(max_intent_loss=1)).allowed


def test_a_failed_test_story_is_refused_with_its_name():
    failed = {"total": 3, "passed": 2, "failed": 1, "failed_names": ["转人工 goes to a person"]}
    verdict = check_promotion(report(LIVE, stories=failed), DEFAULTS)
    assert not verdict.allowed
    assert verdict.reasons == ["测试对话有 1 条未通过（共 3 条）：转人工 goes to a person"]
    assert check_promotion(report(LIVE, stories=failed), LoopSettings(stories_must_pass=False)).allowed


def test_stories_that_did_not_run_are_refused():
    assert not check_promotion(report(LIVE, stories=None), DEFAULTS).allowed


def test_every_broken_rule_is_named():
    worse = shifted(LIVE, "ask_tracking", 3)
    failed = {"total": 3, "passed": 2, "failed": 1, "failed_names": ["x"]}
    verdict = check_promotion(report(worse, stories=failed), DEFAULTS)
    assert len(verdict.reasons) == 3
    assert verdict.figures["limits"] == {"max_fewer_correct": 0, "max_intent_loss": 2, "stories_must_pass": True}

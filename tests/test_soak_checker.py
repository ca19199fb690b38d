"""`make soak`'s checker: what a shopper's socket received, decided per conversation — answered
exactly once, in order, agreeing with Rasa's tracker and the helpdesk record; and memory growth."""
from __future__ import annotations

from soak.checker import (Event, Question, check_conversation, check_record, check_tracker, growth,
                          percentile)


def _questions(*ids):
    return [Question(f"c{n}", scheduled=float(n), ack_id=record_id) for n, record_id in enumerate(ids)]


def _echo(at, n, record_id):
    return Event(at, "message", {"sender": "shopper", "client_msg_id": f"c{n}", "id": record_id})


def _exchange(at, *replies, sender="bot"):
    """typing on, the replies (record id, text), typing off."""
    events = [Event(at, "typing", {"on": True})]
    events += [Event(at + 0.1 * (i + 1), "message", {"sender": sender, "id": rid, "text": text})
               for i, (rid, text) in enumerate(replies)]
    return events + [Event(at + 0.5, "typing", {"on": False})]


def _kinds(verdict_or_problems):
    problems = getattr(verdict_or_problems, "problems", verdict_or_problems)
    return {kind for kind, _ in problems}


TRACKER = {10: ["运费10元"], 12: ["亲，在的", "请问有什么可以帮您"]}


def test_two_questions_answered_once_each_in_order_pass():
    events = [_echo(0.05, 0, 10), *_exchange(0.1, (11, "运费10元")),
              _echo(1.05, 1, 12), *_exchange(1.1, (13, "亲，在的"), (14, "请问有什么可以帮您"))]
    verdict = check_conversation(_questions(10, 12), events, TRACKER)
    assert verdict.problems == []
    assert verdict.answered == 2
    assert [round(a.latency_ms) for a in verdict.answers] == [200, 200]   # from the scheduled send time
    assert check_tracker(verdict.record_ids, [10, 12]) == []
    assert check_record(verdict, ["c0", "c1"], [11, 13, 14]) == []


def test_overlapping_questions_are_still_attributed_to_their_own_answers():
    """The second question is sent before the first is answered (open loop): still in order."""
    events = [_echo(0.05, 0, 10), _echo(0.08, 1, 12), *_exchange(0.1, (13, "运费10元")),
              *_exchange(1.1, (14, "亲，在的"), (15, "请问有什么可以帮您"))]
    verdict = check_conversation(_questions(10, 12), events, TRACKER)
    assert verdict.problems == [] and verdict.answered == 2


def test_answers_swapped_between_questions_are_out_of_order():
    events = [_echo(0.05, 0, 10), _echo(0.08, 1, 12),
              *_exchange(0.1, (13, "亲，在的"), (14, "请问有什么可以帮您")), *_exchange(1.1, (15, "运费10元"))]
    assert "out of order" in _kinds(check_conversation(_questions(10, 12), events, TRACKER))
    assert "out of order" in _kinds(check_tracker([10, 12], [12, 10]))


def test_an_answer_given_twice_is_caught_on_the_socket_and_in_the_tracker():
    events = [_echo(0.05, 0, 10), *_exchange(0.1, (11, "运费10元")), *_exchange(0.7, (12, "运费10元"))]
    assert "answered twice" in _kinds(check_conversation(_questions(10), events, {10: ["运费10元"]}))
    assert "answered twice" in _kinds(check_tracker([10], [10, 10]))


def test_a_question_never_answered_is_missing():
    events = [_echo(0.05, 0, 10), *_exchange(0.1, (11, "运费10元")), _echo(1.05, 1, 12)]
    verdict = check_conversation(_questions(10, 12), events, TRACKER)
    assert ("not answered", "c1") in verdict.problems and verdict.answered == 1
    assert "not answered" in _kinds(check_tracker([10, 12], [10]))


def test_the_consoles_bot_unavailable_ticket_and_notices_are_errors():
    events = [_echo(0.05, 0, 10), *_exchange(0.1, (11, "抱歉，智能助手暂时无法回复"), sender="system"),
              Event(0.9, "notice", {"text": "请稍后再试"}), Event(1.0, "disconnect", {})]
    verdict = check_conversation(_questions(10), events, {10: []})
    assert {"console answered", "notice", "disconnected"} <= _kinds(verdict)
    assert verdict.answered == 0


def test_an_unacknowledged_or_twice_shown_question_is_an_error():
    questions = [Question("c0", 0.0, ack_error="TimeoutError"), Question("c1", 1.0, ack_id=12)]
    events = [_echo(1.05, 1, 12), _echo(1.06, 1, 12), *_exchange(1.1, (13, "亲，在的"), (14, "请问有什么可以帮您"))]
    assert {"not acknowledged", "answered twice"} <= _kinds(check_conversation(questions, events, TRACKER))


def test_the_record_must_hold_what_the_socket_delivered():
    events = [_echo(0.05, 0, 10), *_exchange(0.1, (11, "运费10元"))]
    verdict = check_conversation(_questions(10), events, {10: ["运费10元"]})
    assert _kinds(check_record(verdict, ["c0", "c0"], [11])) == {"record differs"}
    assert _kinds(check_record(verdict, ["c0"], [11, 12])) == {"record differs"}


def test_memory_growth_compares_the_last_minute_with_the_minute_from_the_start_point():
    flat_then_grow = [(t, 100.0 if t < 600 else 100.0 + (t - 600) / 60) for t in range(0, 1801, 10)]
    assert abs(growth(flat_then_grow, from_s=300) - 0.195) < 0.01
    warm_up_ignored = [(t, 50.0 if t < 300 else 100.0) for t in range(0, 1801, 10)]
    assert growth(warm_up_ignored, from_s=300) == 0.0
    assert growth([(0, 1.0), (10, 1.0)], from_s=300) is None   # too short to tell


def test_percentile_is_nearest_rank():
    assert percentile(list(range(1, 101)), 95) == 96
    assert percentile([], 99) != percentile([], 99)   # nan


def test_an_exchange_given_up_is_an_error_but_does_not_shift_the_answers_after_it():
    events = [_echo(0.05, 0, 10), _echo(0.08, 1, 12), Event(0.1, "typing", {"on": True}),
              Event(0.2, "typing", {"on": False}), *_exchange(0.3, (13, "运费10元")),
              *_exchange(1.1, (14, "亲，在的"), (15, "请问有什么可以帮您"))]
    verdict = check_conversation(_questions(10, 12), events, TRACKER)
    assert _kinds(verdict) == {"abandoned exchange"} and verdict.answered == 2


def test_recovery_counts_from_the_resume_to_the_first_question_after_the_last_bad_one():
    from soak.stall import recovery_s
    resumed = 55.0
    assert recovery_s([(10, True), (50, False), (70, False), (71, True), (90, True)], resumed) == 71 - resumed
    assert recovery_s([(50, False), (56, True), (90, True)], resumed) == 0.0   # good from the resume on
    assert recovery_s([(10, True), (40, False)], resumed) == 0.0     # nothing bad after the resume
    assert recovery_s([(60, True), (80, False)], resumed) is None    # still failing at the end

"""The promotion guard: may this candidate replace the live model? Decided in messages, not in
F1 (a few flips move a small intent's F1 a lot), from the evaluation report (tuning.evaluation):

- refused when the candidate gets more than `max_fewer_correct` fewer held-out messages right
  than the live model (both held-out files together);
- refused when any intent loses more than `max_intent_loss` messages net on the held-out files;
- refused when a test story fails (`stories_must_pass`), or the stories did not run.

Nothing live yet: allowed (the first model), with that noted. The limits are the owner's
(store_config/owner_loop.yml, `tuning.load_loop_settings`). Overriding a refusal (with a typed
reason) is the promotion's business, not the guard's. Reasons are in Chinese: owners read them."""
from __future__ import annotations

from dataclasses import dataclass, field

from .loop_settings import LoopSettings


@dataclass(frozen=True)
class GuardVerdict:
    allowed: bool
    reasons: list[str] = field(default_factory=list)
    figures: dict = field(default_factory=dict)   # what the decision was based on, for the record


def check_promotion(report: dict, settings: LoopSettings) -> GuardVerdict:
    combined = report.get("combined") or {}
    stories = report.get("stories")
    candidate = _name(report.get("candidate"))
    limits = {"max_fewer_correct": settings.max_fewer_correct, "max_intent_loss": settings.max_intent_loss,
              "stories_must_pass": settings.stories_must_pass}
    figures = {"candidate": candidate, "live": _name(report.get("live")), "messages": combined.get("messages"),
               "correct": combined.get("correct"), "macro_f1": combined.get("macro_f1"),
               "stories": {k: stories[k] for k in ("total", "passed", "failed")} if stories else None,
               "limits": limits}
    story_problem = _story_problem(stories)

    if not report.get("live"):
        reasons = ["还没有上线模型：这是第一个模型，没有可比较的对象，可以上线"]
        if story_problem:
            reasons.append(f"注意：{story_problem}")
        return GuardVerdict(True, reasons, {**figures, "first_model": True})

    reasons = []
    mine, theirs = combined["correct"]["candidate"], combined["correct"]["live"]
    if theirs - mine > settings.max_fewer_correct:
        allowed = f"最多允许少 {settings.max_fewer_correct} 条" if settings.max_fewer_correct else "不允许更少"
        reasons.append(f"留出测试集共 {combined['messages']} 条消息：候选模型答对 {mine} 条，"
                       f"比上线模型（{theirs} 条）少 {theirs - mine} 条（{allowed}）")
    losses = {intent: row["net"] for intent, row in sorted(combined.get("intents", {}).items())
              if row.get("net") is not None and -row["net"] > settings.max_intent_loss}
    for intent, net in losses.items():
        row = combined["intents"][intent]
        reasons.append(f"意图 {intent} 在留出测试集上少答对 {-net} 条（{row['correct']['live']} → "
                       f"{row['correct']['candidate']}，共 {row['support']} 条；最多允许少 {settings.max_intent_loss} 条）")
    if settings.stories_must_pass and story_problem:
        reasons.append(story_problem)
    figures["intent_losses"] = losses
    if not reasons:
        return GuardVerdict(True, [f"候选模型答对 {mine} 条（上线模型 {theirs} 条），没有意图少答对超过 "
                                   f"{settings.max_intent_loss} 条，测试对话"
                                   + ("全部通过" if not story_problem else "未要求通过")], figures)
    return GuardVerdict(False, reasons, figures)


def _story_problem(stories) -> str:
    if not stories:
        return "没有测试对话的结果（测试对话没有运行）"
    if stories.get("failed"):
        names = "、".join(stories.get("failed_names") or [])
        return f"测试对话有 {stories['failed']} 条未通过（共 {stories['total']} 条）" + (f"：{names}" if names else "")
    return ""


def _name(model) -> str | None:
    if isinstance(model, dict):
        return model.get("name")
    return model or None

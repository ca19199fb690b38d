"""`python -m tuning retrain` (the background job's own process, or a retrain in a terminal) and
`python -m tuning evaluate [CANDIDATE]` (`make evaluate`): the candidate against the live model,
the report printed, Rasa's standard `intent_report.json` and `intent_confusion_matrix.png`
copied to results/."""
from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from .evaluation import EvaluationError, evaluate
from .guard import check_promotion
from .loop_settings import LoopSettingsError, load_loop_settings
from .model_shelf import ModelShelf, ShelfError, model_name
from .training_job import DONE, RetrainBusy, TrainingPaths, lower_priority, run_retrain

ROOT = Path(__file__).resolve().parents[1]


def add_commands(subparsers) -> None:
    retrain = subparsers.add_parser("retrain", help="训练一个候选模型并评估（在前台运行；网页上的按钮在后台运行它）")
    retrain.add_argument("--lock-fd", type=int, default=None, help=argparse.SUPPRESS)  # from start_retrain
    retrain.set_defaults(run=run_retrain_command)
    evaluate_ = subparsers.add_parser("evaluate", help="评估候选模型，与上线模型对比")
    evaluate_.add_argument("candidate", nargs="?", help="候选模型的名字或路径（默认：最新的候选模型）")
    evaluate_.set_defaults(run=run_evaluate)


def run_retrain_command(args) -> int:
    paths = TrainingPaths(ROOT)
    lower_priority()
    try:
        status = run_retrain(paths, lock_fd=args.lock_fd)
    except RetrainBusy as err:
        print(err, file=sys.stderr)
        return 1
    print(status["message"])
    if status.get("log_tail") and status["stage"] != DONE:
        print(status["log_tail"], file=sys.stderr)
    return 0 if status["stage"] == DONE else 1


def run_evaluate(args) -> int:
    shelf, paths = ModelShelf(ROOT / "models"), TrainingPaths(ROOT)
    try:
        candidate = shelf.find(args.candidate) if args.candidate else _newest_candidate(shelf)
        live = paths.live_model if paths.live_model.exists() else None
        settings = load_loop_settings()
    except (ShelfError, LoopSettingsError) as err:
        print(f"无法评估：{err}", file=sys.stderr)
        return 2
    out = paths.evaluations / model_name(candidate)
    print(f"评估 {model_name(candidate)}" + (f"，对比上线模型 {model_name(live.resolve())}" if live else
                                             "（还没有上线模型：单独评估，没有可比较的对象）") + " ……", flush=True)
    try:
        report = evaluate(candidate, live, out)
    except EvaluationError as err:
        print(f"评估失败：{err}\n{err.detail}", file=sys.stderr)
        return 1
    for name in ("intent_report.json", "intent_confusion_matrix.png"):   # Rasa's standard places
        if (out / "nlu" / name).is_file():
            shutil.copy2(out / "nlu" / name, ROOT / "results" / name)
    print(format_report(report, out))
    verdict = check_promotion(report, settings)
    print(("上线检查：通过" if verdict.allowed else "上线检查：不通过") + "\n" + "\n".join(f"  - {r}" for r in verdict.reasons))
    return 0


def _newest_candidate(shelf: ModelShelf) -> Path:
    candidates = shelf.candidates()
    if not candidates:
        raise ShelfError("models/candidates/ 里没有候选模型：先训练一个（训练页面，或 python -m tuning retrain）")
    return candidates[0]


def _pair(figures: dict, key: str, digits: int = 3) -> str:
    mine, theirs = figures[key]["candidate"], figures[key]["live"]
    shown = (lambda v: f"{v:.{digits}f}") if isinstance(mine, float) else str
    return shown(mine) + (f"（上线 {shown(theirs)}）" if theirs is not None else "")


def format_report(report: dict, out: Path) -> str:
    """The report as text, in the same figures as the training page."""
    lines = [f"候选模型 {report['candidate']['name']}" + (f"，上线模型 {report['live']['name']}" if report["live"] else
                                                        "，没有上线模型可比较"), ""]
    for name, figures in [*report["files"].items(), ("合计", report["combined"])]:
        lines.append(f"{name}: {figures['messages']} 条，答对 {_pair(figures, 'correct')}，"
                     f"macro-F1 {_pair(figures, 'macro_f1')}")
    lines += ["", "意图（两个留出集合计）       F1 候选 / 上线    答对 候选 / 上线   变化"]
    for intent, row in report["combined"]["intents"].items():
        live_f1 = f"{row['f1']['live']:.2f}" if row["f1"]["live"] is not None else "-"
        live_ok = row["correct"]["live"] if row["correct"]["live"] is not None else "-"
        net = f"{row['net']:+d}" if row["net"] is not None else ""
        lines.append(f"  {intent:<24} {row['f1']['candidate']:.2f} / {live_f1:<8} {row['correct']['candidate']:>4} / "
                     f"{live_ok!s:<6} {net}")
    stories = report["stories"]
    lines += ["", f"测试对话：{stories['passed']} / {stories['total']} 通过"
              + (f"，未通过：{'、'.join(stories['failed_names'])}" if stories["failed"] else "")]
    if report["reviewed"]:
        lines.append(f"店主标注的例子：{report['reviewed']['messages']} 条，答对 {_pair(report['reviewed'], 'correct')}")
    changed = report["changed"]
    if report["live"]:
        lines.append(f"预测改变的消息：留出集 {len(changed['held_out'])} 条，店主标注 {len(changed['reviewed'])} 条")
        for row in (changed["held_out"] + changed["reviewed"])[:30]:
            lines.append(f"  [{row['file']}] {row['text']}  应为 {row['expected']}：{row['live']['intent']} "
                         f"{row['live']['confidence']:.2f} → {row['candidate']['intent']} {row['candidate']['confidence']:.2f}")
    lines += ["", f"报告：{out / 'report.json'}",
              *(f"图：{out / path}" for path in report["pictures"].values())]
    return "\n".join(lines)

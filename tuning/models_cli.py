"""`python -m tuning promote [CANDIDATE] [--reason TEXT] [--yes]` and `python -m tuning rollback`
(`make promote` / `make rollback`): the same guard, swap and record as the models page.

The author is `$USER` unless `--author` says otherwise. Without `--yes` the command asks for
confirmation on a terminal and refuses to go on without one (nothing is promoted by a script
by accident). Rasa is reached at RASA_URL (default http://127.0.0.1:$RASA_PORT, 5005) with RASA_TOKEN, else
the token in .run/secrets.env that `make run` generated.
"""
from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path
from typing import Optional

from helpdesk import ModelEvents, ReviewDecisions, database_url_from_env, open_database
from store import CHINA

from .model_shelf import ModelShelf, ShelfError, model_name
from .promotion import ModelPromotion, Outcome, PromotionError
from .rasa_server import RasaServer

ROOT = Path(__file__).resolve().parents[1]


def add_commands(subparsers) -> None:
    promote = subparsers.add_parser("promote", help="上线候选模型（先过回归检查）")
    promote.add_argument("candidate", nargs="?", help="候选模型的名字或路径（默认：最新的候选模型）")
    promote.add_argument("--reason", help="检查不通过时仍要上线的理由（会被记录）")
    promote.add_argument("--yes", action="store_true", help="不再询问确认")
    promote.add_argument("--author", default=None, help="记录的操作人（默认 $USER）")
    promote.set_defaults(run=run_promote)
    rollback = subparsers.add_parser("rollback", help="回滚到上一个模型")
    rollback.add_argument("--yes", action="store_true", help="不再询问确认")
    rollback.add_argument("--author", default=None, help="记录的操作人（默认 $USER）")
    rollback.set_defaults(run=run_rollback)


def _author(args) -> str:
    if args.author:
        return args.author
    try:
        return os.environ.get("USER") or getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _rasa_token(root: Path) -> str:
    token = os.environ.get("RASA_TOKEN", "")
    secrets = root / ".run" / "secrets.env"
    if not token and secrets.is_file():
        for line in secrets.read_text().splitlines():
            if line.startswith("RASA_TOKEN="):
                token = line.split("=", 1)[1].strip()
    return token


def build_promotion(root: Path = ROOT) -> ModelPromotion:
    db = open_database(database_url_from_env(), zone=CHINA)
    url = os.environ.get("RASA_URL") or f"http://127.0.0.1:{os.environ.get('RASA_PORT') or 5005}"
    rasa = RasaServer(url, _rasa_token(root))
    return ModelPromotion(ModelShelf(root / "models"), ModelEvents(db), rasa, labels=ReviewDecisions(db))


def _confirm(question: str, yes: bool) -> bool:
    if yes:
        return True
    if not sys.stdin.isatty():
        print("需要确认：在终端里运行，或加 --yes（make 命令：YES=1）", file=sys.stderr)
        return False
    return input(f"{question} [y/N] ").strip().lower() in ("y", "yes", "是")


def _print_figures(figures: dict) -> None:
    for key, value in figures.items():
        print(f"  {key}: {value}")


def _print_outcome(outcome: Outcome) -> int:
    if outcome.kind == "refused":
        print(f"拒绝上线 {outcome.model}（已记录）：")
        for reason in outcome.reasons:
            print(f"  - {reason}")
        _print_figures(outcome.figures)
        print("确实要上线：加 --reason \"理由\"（make promote REASON=\"理由\"），理由会被记录。")
        return 1
    action = "已上线" if outcome.kind == "promote" else "已回滚到"
    print(f"{action} {outcome.model}（上一个：{outcome.previous or '无'}，操作人 {outcome.author}）")
    if outcome.override_reason:
        print(f"  未通过的检查已被覆盖，理由：{outcome.override_reason}")
    print(f"  {outcome.server_note}")
    return 0


def run_promote(args, promotion: Optional[ModelPromotion] = None) -> int:
    promotion = promotion or build_promotion()
    shelf = promotion.shelf
    try:
        if args.candidate:
            candidate = shelf.find(args.candidate)
        else:
            candidates = shelf.candidates()
            if not candidates:
                print("没有候选模型（models/candidates/ 是空的）：先训练一个（make train 或训练页面）", file=sys.stderr)
                return 1
            candidate = candidates[0]
        live = shelf.live()
        verdict = promotion.verdict(candidate)
    except (ShelfError, PromotionError) as err:
        print(f"promote: {err}", file=sys.stderr)
        return 1
    print(f"候选模型：{model_name(candidate)}    上线模型：{model_name(live) if live else '（无）'}")
    _print_figures(verdict.figures)
    print("回归检查：" + ("通过" if verdict.allowed else "不通过"))
    for reason in verdict.reasons:
        print(f"  - {reason}")
    if (verdict.allowed or args.reason) and not _confirm(f"上线 {model_name(candidate)}？", args.yes):
        print("没有上线。")
        return 1
    try:
        return _print_outcome(promotion.promote(candidate, _author(args), override_reason=args.reason))
    except (ShelfError, PromotionError) as err:
        print(f"promote: {err}", file=sys.stderr)
        return 1


def run_rollback(args, promotion: Optional[ModelPromotion] = None) -> int:
    promotion = promotion or build_promotion()
    try:
        live, previous = promotion.shelf.live(), promotion.shelf.previous()
    except ShelfError as err:
        print(f"rollback: {err}", file=sys.stderr)
        return 1
    if previous is None:
        print("rollback: 没有上一个模型，无法回滚", file=sys.stderr)
        return 1
    print(f"上线模型：{model_name(live) if live else '（无）'}    回滚到：{model_name(previous)}")
    if not _confirm(f"回滚到 {model_name(previous)}？", args.yes):
        print("没有回滚。")
        return 1
    try:
        return _print_outcome(promotion.rollback(_author(args)))
    except (ShelfError, PromotionError) as err:
        print(f"rollback: {err}", file=sys.stderr)
        return 1

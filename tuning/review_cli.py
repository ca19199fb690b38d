"""`python -m tuning review export FILE.csv|FILE.yml`, `python -m tuning review import FILE` and
`python -m tuning review auto FILE` (`make review`): the review queue as a file the owner fills in
(one row per group of near-duplicates, the column 标注 for the choice), applied back through the
same labelling code as the console. A row's 标注: an intent name (see docs/intents.md),
不相关 / out_of_scope, 忽略 / ignore, or empty to leave the group for later.

The exported text is already masked (no phone, order number or address leaves the database);
the owner may edit it before importing. CSV is written with a BOM so spreadsheet programs read
the Chinese correctly."""
from __future__ import annotations

import csv
import datetime as dt
import getpass
import os
import sys
from pathlib import Path
from typing import Optional

import yaml

from helpdesk import ReviewDecisions, database_url_from_env, open_database
from store import CHINA

from .labels import ROOT, OwnerLabels
from .loop_settings import load_loop_settings
from .review_queue import IGNORE, QueueGroup, Review
from .tracker_reader import TrackerReader

# (field, the column the owner sees)
COLUMNS = (("key", "编号"), ("count", "次数"), ("text", "句子"), ("predicted", "模型意图"),
           ("confidence", "最低置信度"), ("why", "原因"), ("last", "最近一次"),
           ("conversation", "对话"), ("destination", "目的地"), ("weight", "重量"), ("label", "标注"))
HEADERS = dict(COLUMNS)
_CHOICE_WORDS = {"忽略": IGNORE, "ignore": IGNORE, "不相关": "out_of_scope"}


def add_commands(subparsers) -> None:
    review = subparsers.add_parser("review", help="审核队列：导出待标注的句子，或导入标注结果")
    actions = review.add_subparsers(dest="review_command", required=True)
    for name, help_text, run in (
            ("export", "把审核队列导出到文件（.csv 或 .yml）", run_export),
            ("import", "导入填好「标注」列的文件，写入 data/nlu/owner_labelled.yml", run_import),
            ("auto", "文件不存在或还没填：导出；已填好：导入（make review）", run_auto)):
        command = actions.add_parser(name, help=help_text)
        command.add_argument("file", type=Path)
        command.add_argument("--threshold", type=float, default=None,
                             help="置信度低于多少进入队列（默认 store_config/owner_loop.yml）")
        command.add_argument("--author", default=None, help="记录的标注人（默认 $USER）")
        command.set_defaults(run=run)


def build_review(root: Path = ROOT, threshold: Optional[float] = None) -> Review:
    settings = load_loop_settings(root / "store_config" / "owner_loop.yml")
    db = open_database(database_url_from_env(), CHINA)
    return Review(TrackerReader(), ReviewDecisions(db), OwnerLabels(root),
                  settings.review_confidence_below if threshold is None else threshold)


def _author(args) -> str:
    try:
        return args.author or os.environ.get("USER") or getpass.getuser()
    except (KeyError, OSError):
        return "命令行"


def group_row(group: QueueGroup, review: Review) -> dict:
    latest = group.latest
    return {"key": group.key, "count": group.count, "text": review.labels.mask(group.text),
            "predicted": group.intent or "", "confidence": f"{group.min_confidence:.2f}",
            "why": "、".join(group.reasons), "last": latest.time.strftime("%Y-%m-%d %H:%M"),
            "conversation": latest.conversation_id,
            "destination": review.labels.mask(group.entity("destination")),
            "weight": group.entity("weight"), "label": ""}


def write_rows(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() in (".yml", ".yaml"):
        body = [{HEADERS[f]: row[f] for f, _ in COLUMNS} for row in rows]
        path.write_text("# 审核队列：在「标注」填意图名（见 docs/intents.md）、不相关 或 忽略，留空表示以后再看。\n"
                        + yaml.safe_dump(body, allow_unicode=True, sort_keys=False), encoding="utf8")
        return
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow([h for _, h in COLUMNS])
        for row in rows:
            writer.writerow([row[f] for f, _ in COLUMNS])


def read_rows(path: Path) -> list[dict]:
    """Rows as {field: value}; accepts the Chinese column names (and the field names)."""
    by_header = {h: f for f, h in COLUMNS} | {f: f for f, _ in COLUMNS}
    if path.suffix.lower() in (".yml", ".yaml"):
        raw = yaml.safe_load(path.read_text(encoding="utf8")) or []
    else:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            raw = list(csv.DictReader(handle))
    return [{by_header[k]: ("" if v is None else str(v)).strip() for k, v in item.items() if k in by_header}
            for item in raw if isinstance(item, dict)]


def export_queue(review: Review, path: Path) -> int:
    queue = review.queue()
    write_rows(path, [group_row(g, review) for g in queue.groups])
    return len(queue.groups)


def import_rows(review: Review, rows: list[dict], author: str, now: dt.datetime) -> list[tuple[dict, str, str]]:
    """Applies every filled-in row; returns (row, outcome, message) for each."""
    queue = review.queue()
    results = []
    for row in rows:
        choice = _CHOICE_WORDS.get(row.get("label", ""), row.get("label", ""))
        if not choice:
            continue
        text = row.get("text", "")
        group = queue.find(row.get("key", "")) or queue.find(review.message_key(text))
        if group is None:
            if not text or review.decisions.get(row.get("key", "") or review.message_key(text)):
                results.append((row, "skipped", "已处理过（或不在队列里了），跳过"))
                continue
            group = QueueGroup(review.message_key(text), text, member_keys=[review.message_key(text)])
        marks = {"destination": row.get("destination", ""), "weight": row.get("weight", "")}
        result = review.decide(group, choice, author, now, marks=marks, text=text)
        results.append((row, result.outcome, result.message))
    return results


def _print_results(results) -> None:
    names = {"added": "加入", "exists": "已有", "refused": "拒绝", "ignored": "忽略", "skipped": "跳过"}
    for row, outcome, message in results:
        print(f"[{names.get(outcome, outcome)}] {row.get('text', '')} → {message}")
    counts = {o: sum(1 for _, oc, _ in results if oc == o) for o in names}
    print(f"共处理 {len(results)} 组：加入 {counts['added']}，已有 {counts['exists']}，忽略 {counts['ignored']}，"
          f"拒绝 {counts['refused']}，跳过 {counts['skipped']}。")
    if counts["added"]:
        print("下一步：重新训练候选模型并评估（店主后台「模型」页，或 make train 之后 python -m tuning evaluate）。")


def run_export(args) -> int:
    review = build_review(threshold=args.threshold)
    count = export_queue(review, args.file)
    print(f"审核队列共 {count} 组，已导出到 {args.file}。")
    print(f"下一步：在「标注」列填意图名（见 docs/intents.md）、不相关 或 忽略，保存后运行 "
          f"python -m tuning review import {args.file}（或再次 make review）。")
    return 0


def run_import(args) -> int:
    if not args.file.exists():
        print(f"找不到文件 {args.file}", file=sys.stderr)
        return 2
    review = build_review(threshold=args.threshold)
    results = import_rows(review, read_rows(args.file), _author(args), dt.datetime.now(CHINA))
    _print_results(results)
    return 0


def run_auto(args) -> int:
    """Export unless the file is there with choices filled in; after an import the file is
    renamed (…-imported-<time>) so the next run exports a fresh queue."""
    if args.file.exists() and any(r.get("label") for r in read_rows(args.file)):
        code = run_import(args)
        done = args.file.with_name(f"{args.file.stem}-imported-{dt.datetime.now(CHINA):%Y%m%d-%H%M%S}{args.file.suffix}")
        args.file.rename(done)
        print(f"已导入的文件改名为 {done}；再运行 make review 导出新的队列。")
        return code
    return run_export(args)

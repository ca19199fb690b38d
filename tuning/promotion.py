"""Promote a candidate model and roll back: the guard, the shelf's pointers, the swap in the
running Rasa, and the record of who did what when, with the figures.

Order of a promotion: the guard decides from the candidate's evaluation report (refused → recorded
as `refused`, nothing changes; an owner may override with a typed reason, which is recorded and
logged). Then the model is kept, the pointers move (live → candidate, previous → old live), the
running Rasa loads it through `PUT /model` (production: every instance pulls it from the model
store, RasaFleet) and must report its fingerprint in `GET /status`. If
the server refuses or reports another model, the pointers are put back (and the server is asked
to load the old model again), so the pointer file and the server never disagree. If Rasa is not
running, the pointer alone changes: it is what `make run` loads next.

One promotion or rollback at a time, across processes (the console and `make promote`): a lock
file in models/.
"""
from __future__ import annotations

import datetime as dt
import fcntl
import json
import logging
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Optional

from store import CHINA, china_now

from .guard import GuardVerdict, check_promotion
from .loop_settings import LoopSettings, LoopSettingsError, load_loop_settings
from .model_shelf import ModelShelf, Pointers, ShelfError, model_id_of, model_name
from .rasa_server import RasaApiError, RasaServer, RasaUnreachable, serving_rasa

ROOT = Path(__file__).resolve().parents[1]
EVALUATIONS_DIR = ROOT / "results" / "evaluations"
logger = logging.getLogger("tuning.promotion")


class PromotionError(RuntimeError):
    """The promotion or rollback could not happen and nothing changed; the message (Chinese)
    says why and what to do."""


def trained_at(name: str) -> Optional[dt.datetime]:
    """When a candidate was trained, from its name (YYYYMMDD-HHMMSS-<hash>, China time); None for
    a model named otherwise."""
    try:
        return dt.datetime.strptime(name[:15], "%Y%m%d-%H%M%S").replace(tzinfo=CHINA)
    except ValueError:
        return None


@dataclass(frozen=True)
class Outcome:
    """What a promotion or rollback did. `kind`: promote | rollback | refused."""
    kind: str
    model: str
    previous: Optional[str]
    author: str
    figures: dict
    reasons: list = field(default_factory=list)   # the guard's, when refused or overridden
    override_reason: Optional[str] = None
    swapped: bool = False                          # the running Rasa now serves `model`
    server_note: str = ""                          # what happened to the running Rasa (Chinese)
    event_id: Optional[int] = None


def evaluation_report_path(name: str, evaluations_dir: Path = EVALUATIONS_DIR) -> Path:
    return evaluations_dir / name / "report.json"


def evaluation_report(name: str, evaluations_dir: Path = EVALUATIONS_DIR) -> Optional[dict]:
    path = evaluation_report_path(name, evaluations_dir)
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf8"))
    except (OSError, ValueError) as err:
        raise PromotionError(f"评估报告 {path} 无法读取：{err}；请重新评估")


def report_live_name(report: dict) -> Optional[str]:
    """The live model the report compared against (None: evaluated alone, nothing was live)."""
    live = report.get("live")   # {name, path} (tuning.evaluation's report) or None
    if isinstance(live, dict):
        live = live.get("name")
    return model_name(Path(live)) if live else None


def held_out_figures(report: Optional[dict]) -> dict:
    """A model's own held-out figures from the report of its evaluation as a candidate (the
    `combined` section of tuning.evaluation's report): messages, correct, macro-F1."""
    combined = (report or {}).get("combined") or {}
    if not combined:
        return {}
    return {"messages": combined.get("messages"), "correct": _candidate_side(combined.get("correct")),
            "macro_f1": _candidate_side(combined.get("macro_f1"))}


def _candidate_side(value):
    return value.get("candidate") if isinstance(value, dict) else value




class ModelPromotion:
    """`events`: helpdesk.ModelEvents; `rasa`: the running server, or None when there is none
    to swap (tests of the pointer logic)."""

    def __init__(self, shelf: ModelShelf, events, rasa: Optional[RasaServer],
                 clock: Callable[[], dt.datetime] = china_now,
                 settings: Callable[[], LoopSettings] = load_loop_settings,
                 evaluations_dir: Path = EVALUATIONS_DIR,
                 guard: Callable[[dict, LoopSettings], GuardVerdict] = check_promotion,
                 labels=None) -> None:
        """`labels`: the owner's review decisions (helpdesk.ReviewDecisions); a promoted model
        marks the examples labelled before it was trained as trained (the review page counts
        the rest as still to train)."""
        self.shelf, self.events = shelf, events
        self.rasa = serving_rasa(rasa)  # production: every instance of RASA_INSTANCE_URLS
        self.clock, self.settings, self.evaluations_dir, self.guard = clock, settings, evaluations_dir, guard
        self.labels = labels

    # --- the guard, also for the models page ------------------------------------------------
    def verdict(self, candidate: Path) -> GuardVerdict:
        """The guard on the candidate's report against the current live model."""
        name = model_name(candidate)
        live = self.shelf.live()
        report = evaluation_report(name, self.evaluations_dir)
        if report is None:
            if live is None:
                return GuardVerdict(True, ["还没有上线模型：这是第一个模型，没有可比较的对象"], {"first_model": True})
            raise PromotionError(f"候选模型 {name} 还没有评估报告：先评估（make evaluate CANDIDATE={name}"
                                 f" 或训练页面），再上线")
        try:
            settings = self.settings()
        except LoopSettingsError as err:
            raise PromotionError(f"回归检查的设置（store_config/owner_loop.yml）有误：{err}")
        verdict = self.guard(report, settings)
        compared = report_live_name(report)
        if live is not None and compared != model_name(live):
            stale = (f"评估报告比较的是 {compared or '（没有上线模型）'}，现在上线的是 {model_name(live)}："
                     f"请重新评估后再上线")
            return GuardVerdict(False, [*(verdict.reasons if not verdict.allowed else []), stale], verdict.figures)
        return verdict

    # --- promote and rollback -------------------------------------------------------------
    def promote(self, candidate, author: str, override_reason: Optional[str] = None) -> Outcome:
        override_reason = (override_reason or "").strip() or None
        with self._one_at_a_time():
            candidate = self.shelf.find(str(candidate))
            model_id_of(candidate)  # a readable Rasa model, or nothing happens (ShelfError)
            name = model_name(candidate)
            live = self.shelf.live()
            if live is not None and model_name(live) == name:
                raise PromotionError(f"{name} 已经是上线模型")
            verdict = self.verdict(candidate)
            figures = dict(verdict.figures)
            if not verdict.allowed and override_reason is None:
                event_id = self.events.record("refused", name, model_name(live) if live else None, author,
                                              {**figures, "reasons": verdict.reasons}, self.clock(),
                                              reason="；".join(verdict.reasons))
                return Outcome("refused", name, model_name(live) if live else None, author, figures,
                               reasons=verdict.reasons, event_id=event_id)
            if not verdict.allowed:
                logger.warning("promotion of %s by %s overrides the guard (%s): %s",
                               name, author, "; ".join(verdict.reasons), override_reason)
                figures["overridden"] = verdict.reasons
            kept = self.shelf.keep(candidate)
            before = self.shelf.set_live(kept)
            return self._swap_and_record("promote", kept, before, author, figures, override_reason,
                                         verdict.reasons if not verdict.allowed else [])

    def rollback(self, author: str) -> Outcome:
        with self._one_at_a_time():
            try:
                before = self.shelf.swap_with_previous()
            except ShelfError as err:
                raise PromotionError(str(err))
            now_live = before.previous
            figures = held_out_figures(evaluation_report(model_name(now_live), self.evaluations_dir))
            return self._swap_and_record("rollback", now_live, before, author, figures, None, [])

    def _swap_and_record(self, kind: str, kept: Path, before: Pointers, author: str, figures: dict,
                         override_reason: Optional[str], overridden: list) -> Outcome:
        name, previous = model_name(kept), model_name(before.live) if before.live else None
        try:
            swapped, note, server = self._swap(kept, before)
        except Exception:
            self.shelf.restore(before)
            raise
        figures = {**figures, **server}
        event_id = self.events.record(kind, name, previous, author, figures, self.clock(), reason=override_reason)
        if kind == "promote" and self.labels is not None:
            self.labels.mark_trained(self.clock(), labelled_before=trained_at(name))
        logger.info("%s: %s live (previous %s) by %s; %s", kind, name, previous, author, note)
        return Outcome(kind, name, previous, author, figures, reasons=overridden, override_reason=override_reason,
                       swapped=swapped, server_note=note, event_id=event_id)

    def _swap(self, kept: Path, before: Pointers) -> tuple[bool, str, dict]:
        """Loads `kept` into the running Rasa. Returns (swapped, note, fingerprints before/after).
        Raises PromotionError after asking the server to load the old model again."""
        if self.rasa is None:
            return False, "没有配置 Rasa 服务：指针已更新，下次启动时加载", {}
        expected = model_id_of(kept)
        try:
            status_before = self.rasa.status()
        except RasaUnreachable:
            return False, "Rasa 没有运行：指针已更新，下次 make run 启动时加载这个模型", {}
        except RasaApiError as err:
            raise PromotionError(f"无法读取运行中的 Rasa 状态，什么都没有改：{err}")
        try:
            status_after = self.rasa.load_model(kept, expected)
        except (RasaApiError, RasaUnreachable) as err:
            self.shelf.restore(before)  # first: instances that pull from the model store follow it
            if before.live is not None:
                try:
                    self.rasa.load_model(before.live, model_id_of(before.live))
                except (RasaApiError, RasaUnreachable) as again:
                    logger.error("could not load the previous model %s back: %s", before.live.name, again)
            raise PromotionError(f"运行中的 Rasa 没有切换到 {model_name(kept)}，指针已恢复原状：{err}")
        note = f"运行中的 Rasa 已切换：指纹 {status_before.model_id} → {status_after.model_id}，无需重启，对话保留"
        return True, note, {"rasa_before": status_before.model_id, "rasa_after": status_after.model_id}

    @contextmanager
    def _one_at_a_time(self) -> Iterator[None]:
        self.shelf.dir.mkdir(parents=True, exist_ok=True)
        with open(self.shelf.dir / ".promotion.lock", "w") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise PromotionError("另一个上线或回滚正在进行，请稍后再试")
            try:
                yield
            except ShelfError as err:
                raise PromotionError(str(err))
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

"""The owner's models page: the live and previous model, the candidates with their figures and the
guard's verdict, promotion through a confirmation step (an override needs a typed reason), rollback,
and the history. Promotion itself is tuning's (tests/tuning/test_promotion*.py); here a fake
running Rasa and a fixed guard stand in."""
from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest

from tuning import GuardVerdict, ModelPromotion, ModelShelf, RasaStatus, model_id_of, model_name
from tuning.model_shelf import sha256_of

ROOT = Path(__file__).resolve().parents[2]
REFUSAL = "候选模型在留出集上答对的消息比上线模型少 12 条"


def fake_model(path: Path, model_id: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    body = json.dumps({"model_id": model_id}).encode()
    with tarfile.open(path, "w:gz") as archive:
        info = tarfile.TarInfo("metadata.json")
        info.size = len(body)
        archive.addfile(info, io.BytesIO(body))
    return path


class RunningRasa:
    def __init__(self) -> None:
        self.model_id = "m-first"

    def status(self) -> RasaStatus:
        return RasaStatus(self.model_id, "x.tar.gz")

    def load_model(self, path, expected_model_id: str) -> RasaStatus:
        self.model_id = model_id_of(path)
        return self.status()


class Models:
    """A models/ and results/evaluations/ in tmp_path, wired into the console's OwnerServices."""

    def __init__(self, root: Path, owner) -> None:
        self.shelf = ModelShelf(root / "models")
        self.evaluations = root / "results" / "evaluations"
        self.rasa = RunningRasa()
        self.refuse = set()
        owner.promotion = ModelPromotion(self.shelf, owner.model_events, self.rasa, clock=owner.clock,
                                         evaluations_dir=self.evaluations, guard=self.guard)
        self.first = self.candidate("090000", "m-first", None, correct=512)
        owner.promotion.promote(self.first, "setup")

    def guard(self, report: dict, settings) -> GuardVerdict:
        if report["candidate"]["name"] in self.refuse:
            return GuardVerdict(False, [REFUSAL], {"correct": {"live": 512, "candidate": 500}})
        return GuardVerdict(True, [], {"correct": {"live": 512, "candidate": 520}})

    def candidate(self, stamp: str, model_id: str, live: str | None, correct: int) -> str:
        path = fake_model(self.shelf.candidates_dir / "partial.tar.gz", model_id)
        name = f"20261130-{stamp}-{sha256_of(path)[:8]}"
        path.rename(self.shelf.candidates_dir / f"{name}.tar.gz")
        out = self.evaluations / name
        out.mkdir(parents=True)
        figures = {"messages": 539, "correct": {"candidate": correct, "live": 512 if live else None},
                   "macro_f1": {"candidate": 0.93, "live": 0.935 if live else None}, "intents": {}}
        (out / "report.json").write_text(json.dumps({
            "candidate": {"name": name}, "live": {"name": live} if live else None, "time": "2026-11-30T10:15:00+08:00",
            "combined": figures, "files": {"heldout": figures},
            "stories": {"total": 30, "passed": 30, "failed": 0, "failed_names": []}}), encoding="utf8")
        return name


def repository(root: Path) -> Path:
    """A repository for the owner pages: its own models/ and results/, the real domain."""
    root.mkdir()
    (root / "domain.yml").symlink_to(ROOT / "domain.yml")
    return root


@pytest.fixture
async def models(start_console, tmp_path):
    root = repository(tmp_path / "repo")
    console = await start_console(root=root)
    return console, Models(root, console.app.ctx.owner)


async def _page(client, path: str) -> tuple[int, str]:
    async with client.get(path) as resp:
        return resp.status, await resp.text()


async def test_the_page_shows_live_candidates_with_figures_and_the_history(models):
    console, shelf = models
    better = shelf.candidate("101500", "m-better", shelf.first, correct=520)
    owner = await console.owner()
    status, page = await _page(owner, "/owner/models")
    assert status == 200
    assert shelf.first in page and "setup" in page and "留出集：539 条消息答对 512 条" in page
    assert better in page and "回归检查通过" in page and f"/owner/models/promote/{better}" in page
    assert "(+8)" in page.replace("（", "(").replace("）", ")")
    assert "/owner/training" in page and "上线记录" in page


async def test_promotion_asks_for_confirmation_then_swaps_and_is_recorded(models):
    console, shelf = models
    better = shelf.candidate("101500", "m-better", shelf.first, correct=520)
    owner = await console.owner()
    status, page = await _page(owner, f"/owner/models/promote/{better}")
    assert status == 200 and "确认上线" in page and model_name(shelf.shelf.live()) == shelf.first
    status, path, page = await console.post_form(owner, f"/owner/models/promote/{better}",
                                                 f"/owner/models/promote/{better}", {})
    assert (status, path) == (200, "/owner/models")
    assert model_name(shelf.shelf.live()) == better and shelf.rasa.model_id == "m-better"
    assert "运行中的机器人已切换到这个模型" in page
    event = console.app.ctx.owner.model_events.list()[0]
    assert (event.kind, event.model, event.previous, event.author) == ("promote", better, shelf.first, "owner")


async def test_a_refused_candidate_shows_the_reasons_and_an_override_needs_a_typed_reason(models):
    console, shelf = models
    worse = shelf.candidate("101500", "m-worse", shelf.first, correct=500)
    shelf.refuse.add(worse)
    owner = await console.owner()
    status, page = await _page(owner, "/owner/models")
    assert REFUSAL in page and "回归检查不通过" in page
    status, page = await _page(owner, f"/owner/models/promote/{worse}")
    assert REFUSAL in page and 'name="override_reason"' in page and "仍然上线" in page
    status, _, page = await console.post_form(owner, f"/owner/models/promote/{worse}",
                                              f"/owner/models/promote/{worse}", {"override_reason": "  "})
    assert status == 409 and "已记录" in page
    assert model_name(shelf.shelf.live()) == shelf.first
    assert console.app.ctx.owner.model_events.list()[0].kind == "refused"
    status, path, page = await console.post_form(owner, f"/owner/models/promote/{worse}",
                                                 f"/owner/models/promote/{worse}",
                                                 {"override_reason": "双十二活动问法必须今天上线"})
    assert (status, path) == (200, "/owner/models") and model_name(shelf.shelf.live()) == worse
    assert "双十二活动问法必须今天上线" in page


async def test_rollback_with_confirmation(models):
    console, shelf = models
    better = shelf.candidate("101500", "m-better", shelf.first, correct=520)
    console.app.ctx.owner.promotion.promote(better, "owner")
    owner = await console.owner()
    status, page = await _page(owner, "/owner/models")
    assert "/owner/models/rollback" in page
    status, page = await _page(owner, "/owner/models/rollback")
    assert status == 200 and "确认回滚" in page and shelf.first in page
    status, path, page = await console.post_form(owner, "/owner/models/rollback", "/owner/models/rollback", {})
    assert (status, path) == (200, "/owner/models")
    assert model_name(shelf.shelf.live()) == shelf.first and shelf.rasa.model_id == "m-first"
    assert console.app.ctx.owner.model_events.list()[0].kind == "rollback"


async def test_promotion_without_the_csrf_token_is_refused(models):
    console, shelf = models
    better = shelf.candidate("101500", "m-better", shelf.first, correct=520)
    owner = await console.owner()
    async with owner.post(f"/owner/models/promote/{better}", data={}) as resp:
        assert resp.status == 403
    assert model_name(shelf.shelf.live()) == shelf.first


async def test_before_the_first_model_the_page_says_how_one_goes_live(start_console, tmp_path):
    console = await start_console(root=repository(tmp_path / "empty-repo"))
    owner = await console.owner()
    status, page = await _page(owner, "/owner/models")
    assert status == 200 and "还没有上线模型" in page and "没有候选模型" in page

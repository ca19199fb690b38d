"""The owner's answers (/owner/answers): every text the bot's actions send, from
store_config/replies.yml, grouped as the file groups them, each with a preview filled with sample
values; one answer edited at a time (preview, then save) with the placeholders checked as loading
does and contact details refused (store-policy §6); the same conflict check, history and restore
as the settings. The few fixed replies in domain.yml are shown read-only: they are part of the
model, so changing them means retraining and promoting it."""
from __future__ import annotations

import asyncio
from pathlib import Path

import yaml
from sanic.response import redirect

from store import (AnswersFile, ConfigError, EditConflict, EditInvalid, answer_text_problem, file_version,
                   preview_answer)

from . import bp
from .pages import owner_required, render
from .versions import encode_base, history, posted_base, record_save, restore_version, saved_version

FILE = "replies.yml"
# The file's section headings (written for whoever edits it by hand) as the page shows them.
GROUP_TITLES = {
    "shipping fee": "运费", "delivery time": "发货与到货时间", "couriers and tracking": "快递与物流",
    "invoices": "发票", "bargaining": "讲价", "handing over to a person": "转人工",
    "what the handbook answers about the shop": "店铺常见问题", "": "其他",
}


def _answers_file(request) -> AnswersFile:
    return AnswersFile(request.app.ctx.owner.store_dir)


def model_responses(root: Path) -> list[tuple[str, list[str]]]:
    """domain.yml's responses (name, texts): shown, not edited here."""
    try:
        domain = yaml.safe_load((root / "domain.yml").read_text(encoding="utf8")) or {}
    except (OSError, yaml.YAMLError):
        return []
    responses = domain.get("responses") or {}
    return [(name, [str(v.get("text", "")) for v in variants if isinstance(v, dict)])
            for name, variants in responses.items() if isinstance(variants, list)]


@bp.get("/answers")
@owner_required
async def answers_page(request):
    owner = request.app.ctx.owner
    try:
        draft = await asyncio.to_thread(_answers_file(request).load)
    except ConfigError as err:
        return render(request, "owner/answers.html", status=500, broken=err)
    responses = await asyncio.to_thread(model_responses, owner.root)
    return render(request, "owner/answers.html", broken=None, groups=draft.groups(), titles=GROUP_TITLES,
                  responses=responses)


def _edit_page(request, draft, answer, *, text: str, status: int = 200, error=None, conflict=None,
               saved=None, unchanged=False):
    store_name = request.app.ctx.owner.store().config.store.name
    return render(request, "owner/answer_edit.html", status=status, answer=answer,
                  title=GROUP_TITLES.get(answer.group, answer.group), text=text,
                  preview=preview_answer(text, store_name), error=error, conflict=conflict, saved=saved,
                  unchanged=unchanged, version=draft.version, base=encode_base(draft.text))


async def _load_answer(request, key: str):
    try:
        draft = await asyncio.to_thread(_answers_file(request).load)
    except ConfigError as err:
        return None, None, render(request, "owner/answers.html", status=500, broken=err)
    answer = draft.get(key)
    if answer is None:
        return None, None, render(request, "owner/error.html", status=404, message="没有这条回复。")
    return draft, answer, None


@bp.get("/answers/history")
@owner_required
async def answers_history(request):
    return await _history_page(request)


@bp.get("/answers/<key:str>")
@owner_required
async def edit_answer(request, key: str):
    draft, answer, refused = await _load_answer(request, key)
    if refused:
        return refused
    saved = await asyncio.to_thread(saved_version, request.app.ctx.owner, FILE, request.args.get("saved"))
    return _edit_page(request, draft, answer, text=answer.text, saved=saved,
                      unchanged=request.args.get("unchanged") == "1")


def _save(owner, answers: AnswersFile, key: str, text: str, version: str, base_text, author: str):
    return record_save(owner, FILE, answers.save(key, text, version, base_text=base_text), author)


@bp.post("/answers/<key:str>")
@owner_required
async def save_answer(request, key: str):
    draft, answer, refused = await _load_answer(request, key)
    if refused:
        return refused
    text = (request.form.get("text") or "").replace("\r\n", "\n").strip()
    if request.form.get("action") == "preview":  # show it filled in, save nothing
        return _edit_page(request, draft, answer, text=text, error=answer_text_problem(key, text))
    version, base_text = posted_base(request.form)
    owner = request.app.ctx.owner
    try:
        version_id = await asyncio.to_thread(_save, owner, _answers_file(request), key, text, version, base_text,
                                             request.ctx.session.name)
    except EditInvalid as invalid:
        return _edit_page(request, draft, answer, text=text, status=422, error="；".join(invalid.errors.values()))
    except EditConflict as conflict:
        return _edit_page(request, draft, answer, text=text, status=409, conflict=conflict)
    if version_id is None:
        return redirect(f"/owner/answers/{key}?unchanged=1", status=303)
    return redirect(f"/owner/answers/{key}?saved={version_id}", status=303)


async def _history_page(request, status: int = 200, error=None, conflict=None):
    answers, owner = _answers_file(request), request.app.ctx.owner
    text = await asyncio.to_thread(answers.path.read_text, encoding="utf8")
    rows = await asyncio.to_thread(history, owner, FILE, text)
    saved = await asyncio.to_thread(saved_version, owner, FILE, request.args.get("saved"))
    return render(request, "owner/history.html", status=status, title="回复文案的历史版本", back="/owner/answers",
                  restore_path="/owner/answers/history", rows=rows, version=file_version(text),
                  base=encode_base(text), error=error, conflict=conflict, saved=saved,
                  unchanged=request.args.get("unchanged") == "1")


@bp.post("/answers/history/<version_id:int>/restore")
@owner_required
async def restore_answers(request, version_id: int):
    version, base_text = posted_base(request.form)
    try:
        new_id = await asyncio.to_thread(restore_version, request.app.ctx.owner, FILE, _answers_file(request),
                                         version_id, version, base_text, request.ctx.session.name)
    except LookupError:
        return await _history_page(request, status=404, error="没有这个版本")
    except EditInvalid as invalid:
        return await _history_page(request, status=422, error="；".join(invalid.errors.values()))
    except EditConflict as conflict:
        return await _history_page(request, status=409, conflict=conflict)
    return redirect(f"/owner/answers/history?saved={new_id}" if new_id else "/owner/answers/history?unchanged=1",
                    status=303)

"""The owner's store settings (/owner/settings): fees per zone and which province is in which
zone, 续重, couriers and their regions, EMS, the cut-off, non-shipping days, working hours, the
reply promise and the shop's name, as one form on store_config/store.yml. A save is validated as
`make check-config` does, written atomically with the file's comments kept, refused when the file
changed since the form was loaded, recorded in the history (/owner/settings/history, with
restore), and used by the running bot and console at once (StoreCache reloads on change)."""
from __future__ import annotations

import asyncio
from typing import Optional

from sanic.response import redirect

from store import (KNOWN_COURIERS, NEW_ROW, ConfigError, EditConflict, EditInvalid, StoreSettingsFile,
                   file_version, is_choice_list)

from . import bp
from .pages import owner_required, render
from .versions import encode_base, history, posted_base, record_save, restore_version, saved_version

FILE = "store.yml"
FORM_ONLY = ("csrf_token", "version", "base")   # posted with the form, not settings


def _settings_file(request) -> StoreSettingsFile:
    return StoreSettingsFile(request.app.ctx.owner.store_dir)


def _layout(draft, provinces) -> dict:
    """What the template lays out: zones with their provinces (as in the file), every region for
    the courier rules, the couriers the store's words know."""
    zoned = draft.settings.zoned_provinces
    return {"zones": draft.settings.zones, "rules": draft.settings.restricted,
            "regions": list(zoned) + sorted(set(provinces) - set(zoned)),
            "ems_only": sorted(set(provinces) - set(zoned)),
            # a courier the file names but the store's words do not know is shown, to be unticked
            "couriers": list(dict.fromkeys([*KNOWN_COURIERS, *draft.settings.available])), "new_row": NEW_ROW}


def _page(request, draft, provinces, *, fields: Optional[dict] = None, errors: Optional[dict] = None,
          status: int = 200, saved=None, unchanged: bool = False, conflict: Optional[EditConflict] = None):
    return render(request, "owner/settings.html", status=status, fields=fields or draft.fields,
                  errors=errors or {}, version=draft.version, base=encode_base(draft.text), saved=saved,
                  unchanged=unchanged, conflict=conflict, broken=None, **_layout(draft, provinces))


def _broken(request, err: ConfigError):
    return render(request, "owner/settings.html", status=500, broken=err, saved=None, conflict=None)


@bp.get("/settings")
@owner_required
async def settings_form(request):
    owner, settings = request.app.ctx.owner, _settings_file(request)
    try:
        draft = await asyncio.to_thread(settings.load)
    except ConfigError as err:
        return _broken(request, err)
    saved = await asyncio.to_thread(saved_version, owner, FILE, request.args.get("saved"))
    return _page(request, draft, owner.store().places.provinces, saved=saved,
                 unchanged=request.args.get("unchanged") == "1")


def _posted_fields(request) -> dict:
    """The form's fields as the owner filled them: a list for checkboxes, else one text."""
    return {name: list(values) if is_choice_list(name) else (values[0] if values else "")
            for name, values in (request.form or {}).items() if name not in FORM_ONLY}


def _save(owner, settings: StoreSettingsFile, fields: dict, version: str, base_text: Optional[str], author: str):
    saved = settings.save(fields, version, base_text=base_text)
    return record_save(owner, FILE, saved, author)


@bp.post("/settings")
@owner_required
async def save_settings(request):
    owner, settings = request.app.ctx.owner, _settings_file(request)
    version, base_text = posted_base(request.form)
    fields = _posted_fields(request)
    try:
        version_id = await asyncio.to_thread(_save, owner, settings, fields, version, base_text,
                                             request.ctx.session.name)
    except EditInvalid as refused:
        draft = await asyncio.to_thread(settings.load)
        if draft.version != version:  # cannot be: a changed file is a conflict first
            return redirect("/owner/settings", status=303)
        return _page(request, draft, owner.store().places.provinces, fields=fields, errors=refused.errors,
                     status=422)
    except EditConflict as conflict:
        draft = await asyncio.to_thread(settings.load)
        return _page(request, draft, owner.store().places.provinces, fields=fields, conflict=conflict, status=409)
    except ConfigError as err:
        return _broken(request, err)
    if version_id is None:
        return redirect("/owner/settings?unchanged=1", status=303)
    return redirect(f"/owner/settings?saved={version_id}", status=303)


@bp.get("/settings/history")
@owner_required
async def settings_history(request):
    return await _history_page(request)


async def _history_page(request, status: int = 200, error=None, conflict=None):
    owner, settings = request.app.ctx.owner, _settings_file(request)
    text = await asyncio.to_thread(settings.path.read_text, encoding="utf8")
    rows = await asyncio.to_thread(history, owner, FILE, text)
    saved = await asyncio.to_thread(saved_version, owner, FILE, request.args.get("saved"))
    return render(request, "owner/history.html", status=status, title="店铺设置的历史版本", back="/owner/settings",
                  restore_path="/owner/settings/history", rows=rows, version=file_version(text),
                  base=encode_base(text), error=error, conflict=conflict, saved=saved,
                  unchanged=request.args.get("unchanged") == "1")


@bp.post("/settings/history/<version_id:int>/restore")
@owner_required
async def restore_settings(request, version_id: int):
    owner, settings = request.app.ctx.owner, _settings_file(request)
    version, base_text = posted_base(request.form)
    try:
        new_id = await asyncio.to_thread(restore_version, owner, FILE, settings, version_id, version, base_text,
                                         request.ctx.session.name)
    except LookupError:
        return await _history_page(request, status=404, error="没有这个版本")
    except EditInvalid as refused:
        return await _history_page(request, status=422, error="；".join(refused.errors.values()))
    except EditConflict as conflict:
        return await _history_page(request, status=409, conflict=conflict)
    return redirect(f"/owner/settings/history?saved={new_id}" if new_id else "/owner/settings/history?unchanged=1",
                    status=303)

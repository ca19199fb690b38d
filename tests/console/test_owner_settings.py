"""The owner's settings and answers pages through the app, browser-free: the form is read from the
page as a browser would submit it (every named input, ticked box, chosen option, textarea), edited,
and posted. Covers the issue's case (新疆 in a zone of its own at 20元, the bot quotes it for 乌鲁木齐
without a restart, 西藏 still 18元), errors next to their field with the owner's input kept, a save
refused after a concurrent edit, the history with restore, and the answers page.

Every test edits a copy of store_config/ (the `owner_console` fixture)."""
from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import UserUttered
from rasa_sdk.executor import CollectingDispatcher

from actions.fees import ActionQuoteFee
from actions.runtime import build_services

pytestmark = pytest.mark.asyncio


class FormReader(HTMLParser):
    """The fields one <form> (by its action) would submit: [(name, value)] in page order."""

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action, self.inside, self.fields = action, False, []
        self._select = self._textarea = None
        self._options: list = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("action") == self.action
        elif not self.inside or not a.get("name") and tag in ("input", "select", "textarea"):
            return
        elif tag == "input":
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.fields.append((a["name"], a.get("value", "on" if a.get("type") == "checkbox" else "")))
        elif tag == "select":
            self._select, self._options = a["name"], []
        elif tag == "option" and self._select:
            self._options.append((a.get("value", ""), "selected" in a))
        elif tag == "textarea":
            self._textarea = [a["name"], ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select" and self._select:
            chosen = [v for v, selected in self._options if selected] or [v for v, _ in self._options[:1]]
            self.fields.append((self._select, chosen[0]))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.fields.append((self._textarea[0], self._textarea[1].removeprefix("\n")))
            self._textarea = None


def form_of(page: str, action: str) -> list[tuple[str, str]]:
    reader = FormReader(action)
    reader.feed(page)
    assert reader.fields, f"no form posting to {action}"
    return reader.fields


def with_values(fields: list, **changes) -> list:
    """The form with some fields set (names with dots given as `zones__new__name`)."""
    changes = {name.replace("__", "."): value for name, value in changes.items()}
    return [(n, changes.get(n, v)) for n, v in fields] + [(n, v) for n, v in changes.items()
                                                         if n not in {f for f, _ in fields}]


async def get_page(client, path: str) -> str:
    async with client.get(path) as resp:
        assert resp.status == 200, (path, resp.status)
        return await resp.text()


async def post(client, action: str, fields: list):
    async with client.post(action, data=fields) as resp:
        return resp.status, resp.url, await resp.text()


async def quote_by_the_bot(services, text: str) -> str:
    """What the action server answers to a fee question, with the live store of `services`."""
    latest = {"text": text, "intent": {"name": "ask_shipping_fee", "confidence": 1.0}, "entities": []}
    tracker = Tracker("shopper-1", {}, latest, [UserUttered(text, parse_data=latest)], False, None, {},
                      "action_listen")
    dispatcher = CollectingDispatcher()
    await ActionQuoteFee(services).run(dispatcher, tracker, {})
    return " ".join(m["text"] for m in dispatcher.messages if m.get("text"))


def store_yml(console) -> str:
    return (console.app.ctx.owner.store_dir / "store.yml").read_text(encoding="utf8")


# ── the case ────────────────────────────────────────────────────────────────────────
async def test_xinjiang_gets_a_zone_of_its_own_and_the_running_bot_quotes_it(owner_console, owner_client, tmp_path,
                                                                              clock):
    bot = build_services(owner_console.app.ctx.owner.store_dir, f"sqlite:///{tmp_path / 'actions.db'}", clock)
    assert "18元" in await quote_by_the_bot(bot, "寄到乌鲁木齐运费多少")      # the action server, already running

    original = store_yml(owner_console)
    page = await get_page(owner_client, "/owner/settings")
    assert "店铺设置" in page and "新建分区" in page
    fields = with_values(form_of(page, "/owner/settings"), **{
        "province.新疆": "new", "zones__new__name": "新疆", "zones__new__first_kg_fee": "20"})
    status, url, page = await post(owner_client, "/owner/settings", fields)
    assert status == 200 and url.path == "/owner/settings" and "saved=" in str(url)
    assert "已保存，已生效" in page
    notice = re.search(r'<div class="notice" role="status">(.*?)</div>', page, re.S).group(1)
    assert re.findall(r"<li>(.*?)</li>", notice) == [
        "新建分区「新疆」：首重运费20元，续重未设置，偏远加1–3天", "新疆：从「新藏」移到新区「新疆」", "新疆 首重运费 18 → 20元"]
    changed = set(store_yml(owner_console).splitlines()) ^ set(original.splitlines())
    assert changed == {"      provinces: [西藏, 新疆]", "      provinces: [西藏]", "    - name: 新疆",
                       "      first_kg_fee: 20", "      provinces: [新疆]"}, "the form rewrites nothing else"

    assert "20元" in await quote_by_the_bot(bot, "寄到乌鲁木齐运费多少"), "no restart"
    assert "18元" in await quote_by_the_bot(bot, "寄到拉萨运费多少")
    live = owner_console.app.ctx.owner.store()
    assert live.config.zone_of("新疆").first_kg_fee == 20 and live.config.zone_of("西藏").first_kg_fee == 18
    assert "# Fee for a parcel up to first_weight_kg" in store_yml(owner_console), "comments kept"


async def test_the_form_posted_unchanged_writes_nothing(owner_console, owner_client):
    before = store_yml(owner_console)
    page = await get_page(owner_client, "/owner/settings")
    status, url, page = await post(owner_client, "/owner/settings", form_of(page, "/owner/settings"))
    assert status == 200 and "没有改动" in page and str(url).endswith("unchanged=1")
    assert store_yml(owner_console) == before
    assert owner_console.app.ctx.owner.config_history.list("store.yml") == []


async def test_the_save_is_recorded_with_who_and_what_and_can_be_restored(owner_console, owner_client):
    original = store_yml(owner_console)
    page = await get_page(owner_client, "/owner/settings")
    await post(owner_client, "/owner/settings", with_values(form_of(page, "/owner/settings"), cutoff="17:00"))

    history = await get_page(owner_client, "/owner/settings/history")
    assert "截单时间 16:00 → 17:00" in history and "owner" in history and "当前版本" in history
    versions = owner_console.app.ctx.owner.config_history.list("store.yml")
    assert [v.author for v in versions] == ["owner", "（网页保存之前）"]
    assert versions[1].text == original

    restore = f"/owner/settings/history/{versions[1].id}/restore"
    status, url, page = await post(owner_client, restore, form_of(history, restore))
    assert status == 200 and "已恢复，已生效" in page and "截单时间 17:00 → 16:00" in page
    assert store_yml(owner_console) == original
    assert owner_console.app.ctx.owner.store().config.shipping.cutoff.hour == 16
    assert len(owner_console.app.ctx.owner.config_history.list("store.yml")) == 3


# ── validation through the form ─────────────────────────────────────────────────────────────
@pytest.mark.parametrize("changes, field, message", [
    pytest.param({"zones.0.first_kg_fee": "-8"}, "zones.0.first_kg_fee", "不能小于 0", id="负运费"),
    pytest.param({"cutoff": "25:00"}, "cutoff", "时间格式不对", id="截单时间"),
    pytest.param({"working_start": "18:00", "working_end": "09:00"}, "working_end", "结束时间必须晚于开始时间",
                 id="工作时间颠倒"),
    pytest.param({"province.新疆": "new"}, "zones.new.first_kg_fee", "请填写", id="新分区没填运费"),
    pytest.param({"couriers.default": "顺丰"}, "couriers.default", "不在可用快递里", id="默认快递不可用"),
])
async def test_a_wrong_value_is_shown_next_to_its_field_with_the_owners_input_kept(owner_console, owner_client,
                                                                                   changes, field, message):
    before = store_yml(owner_console)
    page = await get_page(owner_client, "/owner/settings")
    fields = [(n, v) for n, v in form_of(page, "/owner/settings") if n not in changes] + list(changes.items())
    status, _, page = await post(owner_client, "/owner/settings", fields)
    assert status == 422 and "没有保存" in page
    assert re.search(rf'<span class="field-error" id="error-{re.escape(field)}" role="alert">[^<]*{message}', page)
    kept = dict(form_of(page, "/owner/settings"))
    for name, value in changes.items():
        assert kept[name] == value, name
    assert store_yml(owner_console) == before


# ── a concurrent edit ─────────────────────────────────────────────────────────────────────
async def test_a_save_after_someone_elses_change_is_refused_and_shows_that_change(owner_console, owner_client):
    mine = form_of(await get_page(owner_client, "/owner/settings"), "/owner/settings")
    other = await owner_console.owner()              # a second owner (or a hand edit) saves first
    theirs = form_of(await get_page(other, "/owner/settings"), "/owner/settings")
    await post(other, "/owner/settings", with_values(theirs, cutoff="17:00"))
    after_theirs = store_yml(owner_console)

    status, _, page = await post(owner_client, "/owner/settings", with_values(mine, **{
        "province.新疆": "new", "zones__new__first_kg_fee": "20"}))
    assert status == 409 and "没有保存" in page
    assert "截单时间 16:00 → 17:00" in page, "the other change is shown"
    assert "新疆：从「新藏」移到新区「新疆」" in page, "and what this save would have done"
    assert 'href="/owner/settings"' in page and "重新载入" in page
    assert store_yml(owner_console) == after_theirs


async def test_a_post_without_the_csrf_token_is_refused(owner_console, owner_client):
    fields = [(n, v) for n, v in form_of(await get_page(owner_client, "/owner/settings"), "/owner/settings")
              if n != "csrf_token"]
    status, _, _ = await post(owner_client, "/owner/settings", fields)
    assert status == 403


# ── answers ──────────────────────────────────────────────────────────────────────────────
async def test_the_answers_page_shows_each_answer_with_a_preview_and_the_models_replies_read_only(owner_client):
    page = html.unescape(await get_page(owner_client, "/owner/answers"))
    assert "<h2>运费</h2>" in page and "<h2>发票</h2>" in page
    assert "亲，2.5公斤寄到新疆运费18元（1公斤以内），发汇通或韵达。" in page
    assert "这些回复在模型里，修改后需要重新训练并上线" in page
    assert "utter_greet" in page and 'href="/owner/answers/fee_quote"' in page
    assert 'action="/owner/answers/utter_greet"' not in page


async def test_an_answer_is_previewed_then_saved_and_used_at_once(owner_console, owner_client):
    edit = "/owner/answers/fee_quote"
    form = form_of(await get_page(owner_client, edit), edit)
    new_text = "亲，{weight}寄到{province}要{fee}元哦，发{couriers}。"
    status, _, page = await post(owner_client, edit, with_values(form, text=new_text, action="preview"))
    assert status == 200 and "亲，2.5公斤寄到新疆要18元哦，发汇通或韵达。" in html.unescape(page)
    assert "要{fee}元哦" not in (owner_console.app.ctx.owner.store_dir / "replies.yml").read_text(encoding="utf8")

    status, url, page = await post(owner_client, edit, with_values(form, text=new_text, action="save"))
    assert status == 200 and "已保存，已生效" in page and "saved=" in str(url)
    text, _ = owner_console.app.ctx.owner.store().replies.render(
        "fee_quote", weight="1公斤", province="广东", fee="8", first_kg="1", couriers="韵达")
    assert text == "亲，1公斤寄到广东要8元哦，发韵达。"
    assert "# ── shipping fee" in (owner_console.app.ctx.owner.store_dir / "replies.yml").read_text(encoding="utf8")
    history = await get_page(owner_client, "/owner/answers/history")
    assert "回复 fee_quote" in html.unescape(history)


@pytest.mark.parametrize("text, message", [
    pytest.param("有事打13812345678", "手机号码", id="电话"),
    pytest.param("详见 http://example.com", "链接", id="链接"),
    pytest.param("亲，运费{price}元", "不能用 {price}", id="占位符"),
])
async def test_an_answer_with_contact_details_or_a_wrong_placeholder_is_refused(owner_console, owner_client,
                                                                                 text, message):
    edit = "/owner/answers/fee_quote"
    before = (owner_console.app.ctx.owner.store_dir / "replies.yml").read_text(encoding="utf8")
    form = form_of(await get_page(owner_client, edit), edit)
    status, _, page = await post(owner_client, edit, with_values(form, text=text, action="save"))
    page = html.unescape(page)
    assert status == 422 and message in page
    assert dict(form_of(page, edit))["text"] == text, "the owner's text is kept"
    assert (owner_console.app.ctx.owner.store_dir / "replies.yml").read_text(encoding="utf8") == before


async def test_an_answer_saved_after_someone_elses_change_is_refused(owner_console, owner_client):
    edit = "/owner/answers/fee_quote"
    mine = form_of(await get_page(owner_client, edit), edit)
    other = await owner_console.owner()
    theirs = form_of(await get_page(other, "/owner/answers/pickup"), "/owner/answers/pickup")
    await post(other, "/owner/answers/pickup", with_values(theirs, text="亲，不支持自取哦～", action="save"))
    status, _, page = await post(owner_client, edit, with_values(mine, text="亲，运费{fee}元", action="save"))
    page = html.unescape(page)
    assert status == 409 and "没有保存" in page and "回复 pickup" in page and "亲，运费{fee}元" in page

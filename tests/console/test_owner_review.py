"""The owner's review queue page and conversation page, on a real Rasa SQLite tracker store
filled by Rasa's own SQLTrackerStore; labels go to a training file in tmp_path."""
from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest_asyncio

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tuning"))
from rasa_conversations import fill_tracker_store, shop_day  # noqa: E402

from helpdesk import ReviewDecisions, open_database  # noqa: E402
from store import CHINA  # noqa: E402
from tuning import OwnerLabels, Review, TrackerReader, nlu_examples  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
FEE_KEY = "东西寄到乌鲁木齐两公斤要给多少邮费"


@pytest_asyncio.fixture
async def review_console(start_console, tmp_path):
    # Rasa's store saves with asyncio.run: in a thread, beside the test's event loop
    tracker = await asyncio.to_thread(fill_tracker_store, tmp_path / "rasa-tracker.db", shop_day())
    console = await start_console(tracker_db_url=f"sqlite:///{tracker}")
    db = open_database(f"sqlite:///{tmp_path / 'helpdesk.db'}", CHINA)
    console.app.ctx.owner.review = Review(TrackerReader(f"sqlite:///{tracker}"), ReviewDecisions(db),
                                          OwnerLabels(ROOT, file=tmp_path / "owner_labelled.yml"), 0.6)
    return console


async def page(client, path="/owner/review"):
    async with client.get(path, allow_redirects=False) as resp:
        return resp.status, await resp.text()


async def test_the_queue_shows_groups_with_counts_reasons_and_conversation_links(review_console):
    owner = await review_console.owner()
    status, text = await page(owner)
    assert status == 200
    assert "东西寄到乌鲁木齐两公斤要给多少邮费" in text and '<td class="review-count">3</td>' in text
    assert "兜底回复" in text and "转人工" in text and "低置信度" in text
    assert 'href="/owner/conversations/c-unsure-3"' in text and "（共 3 个对话）" in text
    assert "将保存为：我手机138****5678 收件地址北京市朝阳区某某路1号 帮我改一下" in text
    assert 'value="乌鲁木齐"' in text and 'value="两公斤"' in text          # the model's entities, pre-filled
    assert "ask_shipping_fee — 寄到新疆运费多少" in text                    # every intent, in Chinese examples
    assert 'name="csrf_token"' in text and "<script>" not in text and "style=" not in text
    assert "已标注、还没训练进模型的句子：<b>0</b>" in text


async def test_one_click_labels_a_group_into_the_owners_file(review_console, tmp_path):
    owner = await review_console.owner()
    status, _, text = await review_console.post_form(owner, "/owner/review", "/owner/review", {
        "key": FEE_KEY, "choice": "ask_shipping_fee", "destination": "乌鲁木齐", "weight": "两公斤"})
    assert status == 200 and "已加入训练数据：ask_shipping_fee" in text
    assert [e["text"] for e in nlu_examples(tmp_path / "owner_labelled.yml", markup=True)] == [
        "东西寄到[乌鲁木齐](destination)[两公斤](weight)要给多少邮费"]
    assert "东西寄到乌鲁木齐两公斤要给多少邮费</div>" not in text                 # left the queue
    assert "已标注、还没训练进模型的句子：<b>1</b>" in text
    decision = review_console.app.ctx.owner.review.decisions.get(FEE_KEY)
    assert decision.author == "owner"


async def test_the_select_out_of_scope_and_ignore(review_console, tmp_path):
    owner = await review_console.owner()
    review = review_console.app.ctx.owner.review
    groups = {g.text: g.key for g in review.queue().groups}
    status, _, text = await review_console.post_form(owner, "/owner/review", "/owner/review", {
        "key": groups["你们家那个紫色的还有货没呀"], "choice": "out_of_scope"})
    assert status == 200 and "已加入训练数据：out_of_scope" in text
    status, _, text = await review_console.post_form(owner, "/owner/review", "/owner/review", {
        "key": groups["等了一周了还没到 你们怎么回事"], "choice": "__select__", "intent": "complain"})
    assert status == 200 and "已加入训练数据：complain" in text
    status, _, text = await review_console.post_form(owner, "/owner/review", "/owner/review", {
        "key": groups["就是紫色那款 有没有货"], "choice": "ignore"})
    assert status == 200 and "已忽略（1 条）" in text
    assert {e["intent"] for e in nlu_examples(tmp_path / "owner_labelled.yml")} == {"out_of_scope", "complain"}
    assert len(review.queue().groups) == 2


async def test_refusals_are_shown_and_nothing_is_written(review_console, tmp_path):
    owner = await review_console.owner()
    status, _, text = await review_console.post_form(owner, "/owner/review", "/owner/review", {
        "key": FEE_KEY, "choice": "__select__", "intent": "ask_weather"})
    assert status == 422 and "未加入：没有「ask_weather」这个意图" in text
    status, _, text = await review_console.post_form(owner, "/owner/review", "/owner/review", {
        "key": FEE_KEY, "choice": "ask_shipping_fee", "destination": "北京"})
    assert status == 422 and "目的地「北京」不在句子里" in text
    status, _, text = await review_console.post_form(owner, "/owner/review", "/owner/review", {
        "key": "no-such-group", "choice": "greet"})
    assert status == 422 and "已经处理过了" in text
    assert not (tmp_path / "owner_labelled.yml").exists()


async def test_a_form_without_the_csrf_token_or_login_is_refused(review_console, tmp_path):
    owner = await review_console.owner()
    async with owner.post("/owner/review", data={"key": FEE_KEY, "choice": "ask_shipping_fee"}) as resp:
        assert resp.status == 403
    status, _ = await page(review_console.session())
    assert status == 302
    agent = await review_console.agent()
    assert (await page(agent, "/owner/conversations/c-late"))[0] == 302
    assert not (tmp_path / "owner_labelled.yml").exists()


async def test_the_conversation_page_shows_both_sides_from_the_tracker_store(review_console):
    owner = await review_console.owner()
    status, text = await page(owner, "/owner/conversations/c-fallback")
    assert status == 200
    assert text.index("你们家那个紫色的还有货没呀") < text.index("亲，没太明白您的意思，能换个说法吗？") < text.index("就是紫色那款 有没有货")
    assert "ask_tracking · 0.31" in text and "conversation-unsure" in text and "action_fallback" in text
    status, text = await page(owner, "/owner/conversations/nobody")
    assert status == 404 and "没有找到这个对话" in text

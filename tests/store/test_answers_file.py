"""The owner's answers (store_config/replies.yml) edited one at a time (store.AnswersFile): a
preview with sample values, the loader's placeholder rules, contact details refused (store-policy
§6), comments kept, a save refused after a concurrent edit, and the running store answering with
the new text without a restart. Works on a copy of store_config/ in tmp_path."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from store import (DEFAULT_CONFIG_DIR, AnswersFile, EditConflict, EditInvalid, StoreCache, answer_text_problem,
                   load_store, preview_answer)

NEW_FEE_QUOTE = "亲，{weight}寄到{province}要{fee}元哦（{first_kg}公斤以内），发{couriers}。"


@pytest.fixture
def config_dir(tmp_path) -> Path:
    target = tmp_path / "store_config"
    shutil.copytree(DEFAULT_CONFIG_DIR, target)
    return target


@pytest.fixture
def answers(config_dir) -> AnswersFile:
    return AnswersFile(config_dir)


def comments(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.lstrip().startswith("#")]


def test_every_answer_is_listed_in_the_files_groups_with_a_preview(answers):
    draft = answers.load()
    assert len(draft.answers) == len(load_store(answers.config_dir).replies._templates)
    groups = [name for name, _ in draft.groups()]
    assert groups[0] == "shipping fee" and "invoices" in groups
    quote = draft.get("fee_quote")
    assert quote.group == "shipping fee"
    assert quote.text.startswith("亲，{weight}寄到{province}")
    assert quote.preview == "亲，2.5公斤寄到新疆运费18元（1公斤以内），发汇通或韵达。"
    assert ("{province}", "省份") in quote.placeholder_help
    assert all("{" not in a.preview for a in draft.answers), "every placeholder has a sample value"
    assert draft.get("not_understood").buttons[0] == ("运费多少", "运费多少")


def test_the_preview_uses_the_stores_name():
    assert preview_answer("欢迎光临{store_name}", "示例旗舰店") == "欢迎光临示例旗舰店"


def test_every_shipped_answer_passes_the_check(answers):
    for answer in answers.load().answers:
        assert answer_text_problem(answer.key, answer.text) is None, answer.key


def test_saving_an_answer_keeps_the_comments_and_the_running_store_uses_it(answers, config_dir):
    cache = StoreCache(config_dir)
    assert "运费18元" in cache.get().replies.render("fee_quote", weight="2公斤", province="新疆", fee="18",
                                                  first_kg="1", couriers="韵达")[0]
    original = answers.path.read_text(encoding="utf8")
    draft = answers.load()
    saved = answers.save("fee_quote", NEW_FEE_QUOTE, draft.version, base_text=draft.text)
    assert saved.changes == [f"回复 fee_quote：「{draft.get('fee_quote').text}」→「{NEW_FEE_QUOTE}」"]
    assert comments(saved.text) == comments(original)
    assert set(saved.text.splitlines()) ^ set(original.splitlines()) == {
        f'fee_quote: "{draft.get("fee_quote").text}"', f'fee_quote: "{NEW_FEE_QUOTE}"'}
    text, _ = cache.get().replies.render("fee_quote", weight="2公斤", province="新疆", fee="18", first_kg="1",
                                         couriers="韵达")
    assert text == "亲，2公斤寄到新疆要18元哦（1公斤以内），发韵达。"


def test_an_answer_with_buttons_keeps_them(answers, config_dir):
    draft = answers.load()
    answers.save("not_understood", "亲，没看懂呢，点下面的问题试试：", draft.version)
    text, buttons = load_store(config_dir).replies.render("not_understood")
    assert text == "亲，没看懂呢，点下面的问题试试："
    assert [b["title"] for b in buttons] == ["运费多少", "什么时候发货", "发什么快递", "转人工"]


def test_saving_the_same_text_writes_nothing(answers):
    before = answers.path.stat().st_mtime_ns
    draft = answers.load()
    assert answers.save("payment", draft.get("payment").text, draft.version).changes == []
    assert answers.path.stat().st_mtime_ns == before


@pytest.mark.parametrize("key, text, words", [
    pytest.param("fee_quote", "亲，运费{price}元", "不能用 {price}", id="不认识的占位符"),
    pytest.param("payment", "亲，寄到{province}", "不能用 {province}", id="这条回复没有的占位符"),
    pytest.param("fee_quote", "亲，运费{fee元", "花括号", id="花括号不成对"),
    pytest.param("fee_quote", "亲，运费{}元", "不能用", id="空占位符"),
    pytest.param("fee_quote", "   ", "不能为空", id="空回复"),
    pytest.param("no_such_answer", "你好", "没有这条回复", id="没有这条回复"),
])
def test_placeholders_are_checked_as_loading_does(answers, key, text, words):
    draft = answers.load()
    with pytest.raises(EditInvalid) as refused:
        answers.save(key, text, draft.version)
    assert words in refused.value.errors["text"]
    assert answers.path.read_text(encoding="utf8") == draft.text


def test_the_refusal_lists_the_placeholders_the_answer_may_use():
    problem = answer_text_problem("fee_too_heavy", "{weight}太重了，{fee}")
    assert "{max_kg}" in problem and "{store_name}" in problem and "{weight}" in problem


CONTACT_DETAILS = [
    pytest.param("有问题打13812345678", "手机号码", id="手机"),
    pytest.param("有问题打138-1234-5678", "手机号码", id="手机带横线"),
    pytest.param("有问题打 138 1234 5678", "手机号码", id="手机带空格"),
    pytest.param("有问题打１３８１２３４５６７８", "手机号码", id="全角数字"),
    pytest.param("电话021-12345678", "电话号码", id="座机"),
    pytest.param("热线400-123-4567", "电话号码", id="400电话"),
    pytest.param("加QQ：12345678", "QQ号", id="QQ号"),
    pytest.param("扣扣 987654", "QQ号", id="扣扣"),
    pytest.param("汇款到6222 0212 3456 7890 123", "银行账号", id="银行账号"),
    pytest.param("汇款到6222021234567890123", "银行账号", id="连写的账号"),
    pytest.param("订单问题找1234567", "长串数字", id="七位数字"),
    pytest.param("加微信 shop_2024 领券", "微信号", id="微信号"),
    pytest.param("vx:abc123456", "微信号", id="vx"),
    pytest.param("详见http://example.com/a", "链接", id="链接"),
    pytest.param("去www.example.cn看看", "链接", id="www"),
    pytest.param("到别家店shop123.taobao.com看看", "链接", id="淘宝店链接"),
    pytest.param("写信到 kefu@example.com", "链接", id="邮箱里的域名"),
]


@pytest.mark.parametrize("text, what", CONTACT_DETAILS)
def test_an_answer_with_contact_details_or_a_link_is_refused(answers, text, what):
    draft = answers.load()
    with pytest.raises(EditInvalid) as refused:
        answers.save("contact", text, draft.version)
    assert what in refused.value.errors["text"] and "第6条" in refused.value.errors["text"]


@pytest.mark.parametrize("text", [
    "亲，为了交易安全，小店不在聊天里提供电话、QQ、微信或地址哦。",
    "发货后一般2-3天到，16:00前下单当天发",
    "12月1日–3日全店满199减20",
    "发票20个工作日内寄出",
])
def test_ordinary_answers_are_not_mistaken_for_contact_details(text):
    assert answer_text_problem("contact", text) is None


def test_a_save_is_refused_after_a_concurrent_edit_and_shows_the_other_change(answers):
    mine = answers.load()
    theirs = answers.load()
    answers.save("pickup", "亲，小店不支持自取哦～", theirs.version)
    with pytest.raises(EditConflict) as conflict:
        answers.save("fee_quote", NEW_FEE_QUOTE, mine.version, base_text=mine.text)
    assert len(conflict.value.changes) == 1
    assert conflict.value.changes[0].startswith("回复 pickup：") and conflict.value.changes[0].endswith("「亲，小店不支持自取哦～」")
    assert "{fee}元哦" not in answers.path.read_text(encoding="utf8")


def test_restoring_a_version(answers):
    first = answers.load()
    answers.save("fee_quote", NEW_FEE_QUOTE, first.version)
    restored = answers.restore(first.text, answers.load().version)
    assert answers.path.read_text(encoding="utf8") == first.text
    assert restored.changes[0].startswith(f"回复 fee_quote：「{NEW_FEE_QUOTE}」→")


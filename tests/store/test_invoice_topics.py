"""Invoice questions (store-policy §3): the assistant answers how/when/content/shipping/warranty
itself; changing the title, re-issuing, a forgotten order message and the special VAT invoice go
to the store manager (店长)."""
from __future__ import annotations

import pytest

from store import InvoiceTopic, classify_invoice_question

T = InvoiceTopic


@pytest.mark.parametrize("text", [
    pytest.param("发票抬头写错了能改吗", id="改抬头"),
    pytest.param("我想把发票抬头改成公司名", id="改成公司名"),
    pytest.param("发票能重开一张吗", id="重开"),
    pytest.param("发票丢了能补开吗", id="补开"),
    pytest.param("下单时忘了留言开发票", id="忘了留言"),
    pytest.param("拍的时候没留言，还能开发票吗", id="没留言"),
    pytest.param("要开增值税专用发票", id="增值税专用发票"),
    pytest.param("能开专票吗", id="专票"),
    pytest.param("發票抬頭能修改嗎", id="繁体-修改"),
])
def test_request_the_assistant_cannot_settle_goes_to_the_manager(text):
    topic = classify_invoice_question(text)
    assert topic is T.MANAGER
    assert topic.needs_manager


@pytest.mark.parametrize("text, topic", [
    pytest.param("能开发票吗", T.HOW_TO, id="能开吗"),
    pytest.param("发票抬头写在哪里", T.HOW_TO, id="抬头写哪"),
    pytest.param("有发票吗", T.HOW_TO, id="有发票吗"),
    pytest.param("发票什么时候寄", T.WHEN, id="什么时候寄"),
    pytest.param("发票多久能收到", T.WHEN, id="多久收到"),
    pytest.param("发票怎么领取", T.WHEN, id="怎么领取"),
    pytest.param("发票能开办公用品吗", T.CONTENT, id="办公用品"),
    pytest.param("发票能开礼品吗", T.CONTENT, id="礼品"),
    pytest.param("发票上写什么", T.CONTENT, id="写什么"),
    pytest.param("运费能开发票吗", T.SHIPPING, id="运费发票"),
    pytest.param("快递费的发票呢", T.SHIPPING, id="快递费"),
    pytest.param("保修需要发票吗", T.WARRANTY, id="保修"),
    pytest.param("没有发票能保修吗", T.WARRANTY, id="没发票能保修吗"),
])
def test_ordinary_invoice_question_is_answered_by_the_assistant(text, topic):
    assert classify_invoice_question(text) is topic
    assert not topic.needs_manager


def test_every_topic_has_an_answer_in_replies_yml(store):
    for topic in InvoiceTopic:
        text, _ = store.replies.render(f"invoice_{topic.value}")
        assert text


@pytest.mark.parametrize("topic, must_say", [
    pytest.param(T.WHEN, ["20个工作日", "挂号信", "身份证"], id="20个工作日挂号信"),
    pytest.param(T.CONTENT, ["实际", "礼品", "办公用品"], id="只开实际商品"),
    pytest.param(T.SHIPPING, ["不含", "快递公司"], id="运费发票找快递"),
    pytest.param(T.WARRANTY, ["全国联保专用机打收款收据"], id="保修不需要发票"),
    pytest.param(T.HOW_TO, ["留言", "抬头"], id="留言写抬头"),
    pytest.param(T.MANAGER, ["店长"], id="店长处理"),
])
def test_invoice_answer_states_the_policy(store, topic, must_say):
    text, _ = store.replies.render(f"invoice_{topic.value}")
    for words in must_say:
        assert words in text


@pytest.mark.parametrize("text", ["纸质发票还是电子发票", "能开电子发票吗", "发票能发邮箱吗"])
def test_paper_or_electronic_is_its_own_topic(text):
    assert classify_invoice_question(text) is InvoiceTopic.PAPER


def test_an_electronic_product_is_not_an_electronic_invoice():
    assert classify_invoice_question("电子产品能开发票吗") is InvoiceTopic.HOW_TO

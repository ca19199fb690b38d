"""action_answer_invoice (store-policy §3) and action_bargain (§2)."""
from __future__ import annotations

import pytest

from actions.bargain import ActionBargain
from actions.invoice import ActionAnswerInvoice

invoice = ActionAnswerInvoice
bargain = ActionBargain


@pytest.mark.parametrize("text", [
    pytest.param("发票抬头写错了能改吗", id="改抬头"),
    pytest.param("能开增值税专用发票吗", id="专票"),
    pytest.param("下单忘了留言，能补开发票吗", id="忘了留言"),
    pytest.param("发票能重开吗", id="重开"),
])
def test_invoice_request_for_the_manager_is_handed_off(make_tracker, run_action, text):
    out = run_action(invoice, make_tracker(text, intent="ask_invoice"))
    assert "店长" in out.text
    assert out.handed_off
    assert any("工作人员" in t or "工单" in t for t in out.texts[1:]), "a handoff message follows the answer"


@pytest.mark.parametrize("text, must_say", [
    pytest.param("能开发票吗", "抬头", id="怎么开"),
    pytest.param("发票什么时候寄", "20个工作日", id="什么时候寄"),
    pytest.param("发票能开办公用品吗", "实际", id="内容"),
    pytest.param("运费能开发票吗", "快递公司", id="运费发票"),
    pytest.param("保修要发票吗", "全国联保", id="保修"),
])
def test_ordinary_invoice_question_is_answered_without_a_person(make_tracker, run_action, text, must_say):
    out = run_action(invoice, make_tracker(text, intent="ask_invoice"))
    assert must_say in out.text
    assert len(out.texts) == 1 and not ("工单" in out.text or "工作人员" in out.text)


def test_bargaining_twice_is_declined_gently_then_firmly(make_tracker, run_action):
    first = run_action(bargain, make_tracker("能便宜点吗", intent="bargain", slots={"bargain_count": 0.0}))
    assert "感谢" in first.text and "谢绝" in first.text
    assert first.slots["bargain_count"] == 1

    second = run_action(bargain, make_tracker("能便宜点吗", intent="bargain",
                                              slots={"bargain_count": first.slots["bargain_count"]}))
    assert "其他更实惠的商品" in second.text
    assert second.slots["bargain_count"] == 2
    for out in (first, second):
        assert "不还价" not in out.text
        assert not out.handed_off


def test_first_bargain_without_the_slot_set_is_gentle(make_tracker, run_action):
    out = run_action(bargain, make_tracker("包邮吧", intent="bargain"))
    assert "谢绝" in out.text and out.slots["bargain_count"] == 1


def test_insisting_on_the_first_attempt_is_firm(make_tracker, run_action):
    out = run_action(bargain, make_tracker("再便宜点我就买", intent="bargain", slots={"bargain_count": 0}))
    assert "其他更实惠的商品" in out.text


def test_other_shops_are_not_commented_on(make_tracker, run_action):
    out = run_action(bargain, make_tracker("别家比你便宜多了", intent="bargain", slots={"bargain_count": 0}))
    assert "不便评论" in out.text
    assert "其他更实惠的商品" in out.text


@pytest.mark.parametrize("text", ["发票是纸质的还是电子的", "能开电子发票吗", "发票可以发邮箱吗"])
def test_paper_or_electronic_invoice_is_answered_paper_by_registered_post(make_tracker, run_action, text):
    out = run_action(invoice, make_tracker(text, intent="ask_invoice"))
    assert "纸质发票" in out.text and "挂号信" in out.text and "20个工作日" in out.text
    assert not out.handed_off

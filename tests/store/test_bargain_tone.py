"""No bargaining, ever (store-policy §2): a first tentative ask is declined gently, insisting or
a second attempt firmly; mentions of other shops are flagged so the reply can decline to comment."""
from __future__ import annotations

import pytest

from store import Tone, bargain_reply


@pytest.mark.parametrize("text", [
    pytest.param("能便宜点吗", id="能便宜点吗"),
    pytest.param("便宜点吧", id="便宜点吧"),
    pytest.param("能打个折吗", id="打折"),
    pytest.param("包邮吧", id="包邮吧"),
    pytest.param("运费能减免吗", id="运费减免"),
    pytest.param("送个赠品吧", id="送赠品"),
])
def test_first_tentative_ask_is_declined_gently(text):
    reply = bargain_reply(0, text)
    assert reply.tone is Tone.GENTLE
    assert not reply.mentions_other_shops


@pytest.mark.parametrize("text", [
    pytest.param("再便宜点我就买", id="再便宜点我就买"),
    pytest.param("最低多少", id="最低"),
    pytest.param("求求你了便宜点", id="求求"),
])
def test_insisting_is_declined_firmly(text):
    assert bargain_reply(0, text).tone is Tone.FIRM


@pytest.mark.parametrize("previous", [1, 2, 5])
def test_second_attempt_is_declined_firmly_however_it_is_worded(previous):
    assert bargain_reply(previous, "能便宜点吗").tone is Tone.FIRM


@pytest.mark.parametrize("text", [
    pytest.param("人家比你便宜", id="人家"),
    pytest.param("别家才卖50", id="别家"),
    pytest.param("拼多多更便宜", id="拼多多"),
    pytest.param("隔壁店便宜十块", id="隔壁"),
])
def test_mention_of_other_shops_is_flagged_and_firm(text):
    reply = bargain_reply(0, text)
    assert reply.mentions_other_shops
    assert reply.tone is Tone.FIRM


@pytest.mark.parametrize("answer", ["bargain_gentle", "bargain_firm", "bargain_other_shops"])
def test_bargain_answers_are_polite_and_never_hurtful(store, answer):
    text, _ = store.replies.render(answer)
    assert text.startswith("亲")
    for phrase in ["不还价", "爱买不买"]:
        assert phrase not in text


def test_gentle_answer_thanks_and_firm_answer_suggests_cheaper_items(store):
    gentle, _ = store.replies.render("bargain_gentle")
    firm, _ = store.replies.render("bargain_firm")
    other, _ = store.replies.render("bargain_other_shops")
    assert "感谢" in gentle and "谢绝" in gentle
    assert "其他" in firm and "实惠" in firm
    assert "不便评论" in other

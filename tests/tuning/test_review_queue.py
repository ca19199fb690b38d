"""The review queue from a real Rasa SQLite tracker store, the owner's decisions in the helpdesk
database, and `python -m tuning review export / import`."""
import datetime as dt
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from rasa_conversations import START, fill_tracker_store, shop_day  # noqa: E402

from helpdesk import ReviewDecisions, open_database  # noqa: E402
from store import CHINA  # noqa: E402
from tuning import OwnerLabels, Review, TrackerReader, build_queue, nlu_examples  # noqa: E402
from tuning import review_cli  # noqa: E402
from tuning.__main__ import main as tuning_main  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
NOW = dt.datetime(2026, 11, 23, 18, 0, tzinfo=CHINA)


@pytest.fixture
def review(tmp_path):
    tracker = fill_tracker_store(tmp_path / "rasa.db", shop_day())
    db = open_database(f"sqlite:///{tmp_path / 'helpdesk.db'}", CHINA)
    return Review(TrackerReader(f"sqlite:///{tracker}"), ReviewDecisions(db),
                  OwnerLabels(ROOT, file=tmp_path / "owner_labelled.yml"), threshold=0.6)


def test_the_queue_groups_near_duplicates_and_says_why(review):
    queue = review.queue()
    rows = [(g.count, g.text, g.intent, g.reasons) for g in queue.groups]
    assert rows == [
        (3, "东西寄到乌鲁木齐两公斤要给多少邮费", "ask_shipping_fee", ("低置信度",)),  # the latest wording
        (1, "等了一周了还没到 你们怎么回事", "complain", ("转人工",)),
        (1, "我手机13812345678 收件地址北京市朝阳区建国路88号 帮我改一下", "request_human", ("转人工",)),
        (1, "就是紫色那款 有没有货", "ask_tracking", ("低置信度", "兜底回复", "转人工")),
        (1, "你们家那个紫色的还有货没呀", "ask_tracking", ("低置信度", "兜底回复")),
    ]
    fee = queue.groups[0]
    assert (round(fee.mean_confidence, 2), fee.min_confidence) == (0.51, 0.47)
    assert fee.candidate_intents == ["ask_shipping_fee", "bargain"]
    assert [m.conversation_id for m in fee.members] == ["c-unsure-1", "c-unsure-2", "c-unsure-3"]
    assert (fee.entity("destination"), fee.entity("weight")) == ("乌鲁木齐", "两公斤")
    # 寄到乌鲁木齐运费多少 (0.99) is understood; 包邮吗 is a training example already
    assert queue.messages_read == 9 and queue.left_out_known == 1


def test_the_threshold_is_the_callers(review):
    assert len(review.queue(threshold=0.3).groups) == 4        # fallbacks and handoffs stay
    assert review.queue(threshold=0.995).groups[0].count == 3


def test_grouping_uses_character_bigrams():
    def said(text, minute):
        from tuning import ShopperMessage
        return ShopperMessage("c", minute, START + dt.timedelta(minutes=minute), text, "ask_shipping_fee", 0.3)
    queue = build_queue([said("运费多少", 1), said("运费多少钱", 2), said("寄到拉萨运费多少", 3),
                         said("寄到乌鲁木齐运费多少", 4), said("在吗", 5), said("在吗？", 6)])
    assert sorted((g.count, g.text) for g in queue.groups) == [
        (1, "寄到乌鲁木齐运费多少"), (1, "寄到拉萨运费多少"), (2, "在吗？"), (2, "运费多少钱")]


def test_a_decided_group_leaves_the_queue_and_the_label_lands_in_the_owners_file(review):
    fee = review.queue().groups[0]
    result = review.decide(fee, "ask_shipping_fee", "owner", NOW, {"destination": "乌鲁木齐", "weight": "两公斤"})
    assert result.added
    assert nlu_examples(review.labels.file, markup=True) == [{
        "intent": "ask_shipping_fee", "text": "东西寄到[乌鲁木齐](destination)[两公斤](weight)要给多少邮费", "metadata": {}}]
    assert "东西寄到乌鲁木齐" not in [g.text[:8] for g in review.queue().groups]
    decision = review.decisions.get(fee.key)
    assert (decision.decision, decision.author, decision.added, decision.created_at) == ("ask_shipping_fee", "owner", True, NOW)
    assert decision.entities == [{"entity": "destination", "value": "乌鲁木齐"}, {"entity": "weight", "value": "两公斤"}]
    assert len(fee.keys) == 3 and all(review.decisions.get(k) for k in fee.keys)
    assert review.decisions.untrained_count() == 1
    assert review.decisions.mark_trained(NOW) == 3 and review.decisions.untrained_count() == 0


def test_ignore_and_refusals(review):
    groups = {g.text: g for g in review.queue().groups}
    ignored = review.decide(groups["你们家那个紫色的还有货没呀"], "ignore", "owner", NOW)
    assert ignored.outcome == "ignored" and review.labels.file.exists() is False
    refused = review.decide(groups["等了一周了还没到 你们怎么回事"], "no_such_intent", "owner", NOW)
    assert refused.outcome == "refused" and "没有「no_such_intent」" in refused.message
    texts = [g.text for g in review.queue().groups]
    assert "你们家那个紫色的还有货没呀" not in texts and "等了一周了还没到 你们怎么回事" in texts


def test_no_phone_or_address_is_kept_in_the_decisions(review):
    group = next(g for g in review.queue().groups if "13812345678" in g.text)
    review.decide(group, "request_human", "owner", NOW)
    decision = review.decisions.list()[0]
    assert "13812345678" not in decision.message_key + decision.masked_text
    assert "建国路88号" not in decision.masked_text and "北京市朝阳区某某路1号" in decision.masked_text


def test_export_then_import_through_the_command_line_code(review, tmp_path, capsys):
    for name in ("queue.csv", "queue.yml"):
        review_cli.export_queue(review, tmp_path / name)
        rows = review_cli.read_rows(tmp_path / name)
        assert len(rows) == 5 and rows[0]["count"] == "3" and rows[0]["destination"] == "乌鲁木齐"
    assert "13812345678" not in (tmp_path / "queue.csv").read_text(encoding="utf-8-sig")
    assert (tmp_path / "queue.csv").read_text(encoding="utf-8-sig").splitlines()[0].endswith("标注")
    rows = review_cli.read_rows(tmp_path / "queue.csv")
    rows[0]["label"], rows[1]["label"], rows[3]["label"] = "ask_shipping_fee", "ask_weather", "忽略"
    results = review_cli.import_rows(review, rows, "cli", NOW)
    assert [(o, m[:7]) for _, o, m in results] == [("added", "已加入训练数据"), ("refused", "没有「ask_"),
                                                   ("ignored", "已忽略（1 条")]
    again = review_cli.import_rows(review, rows, "cli", NOW)
    assert [o for _, o, _ in again] == ["skipped", "refused", "skipped"]
    assert len(review.queue().groups) == 3


def test_make_review_exports_then_imports(tmp_path, monkeypatch, capsys, review):
    monkeypatch.setattr(review_cli, "build_review", lambda root=ROOT, threshold=None: review)
    queue_file = tmp_path / "review" / "queue.csv"
    assert tuning_main(["review", "auto", str(queue_file)]) == 0
    assert "已导出到" in capsys.readouterr().out and queue_file.exists()
    rows = review_cli.read_rows(queue_file)
    rows[0]["label"] = "ask_shipping_fee"
    review_cli.write_rows(queue_file, rows)
    assert tuning_main(["review", "auto", str(queue_file)]) == 0
    out = capsys.readouterr().out
    assert "[加入]" in out and "下一步" in out and not queue_file.exists()


def test_a_threshold_of_one_reviews_even_a_fully_sure_message():
    from tuning.review_queue import LOW_CONFIDENCE, reasons_for
    from tuning import ShopperMessage
    import datetime as dt
    sure = ShopperMessage("c", 1, dt.datetime(2026, 11, 30, tzinfo=dt.timezone.utc), "运费多少", "ask_shipping_fee", 1.0)
    assert reasons_for(sure, 1.0) == (LOW_CONFIDENCE,)
    assert reasons_for(sure, 0.6) == ()

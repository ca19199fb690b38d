"""Labelling into the owner's own training file: masked, checked, valid for Rasa, hand-written
files untouched."""
import shutil
from pathlib import Path

import pytest
import yaml

from tuning import OwnerLabels, check_nlu_file, intent_descriptions, nlu_examples, validate_training_data

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def labels(tmp_path):
    return OwnerLabels(ROOT, file=tmp_path / "owner_labelled.yml")


def hand_written():
    return {p.name: p.read_bytes() for p in (ROOT / "data" / "nlu").glob("*.yml")}


def test_a_label_is_masked_marked_and_written_in_rasa_format(labels):
    before = hand_written()
    result = labels.label("东西寄到乌鲁木齐 两公斤要给多少邮费呀 我电话13812345678", "ask_shipping_fee",
                          {"destination": "乌鲁木齐", "weight": "两公斤"})
    assert result.added and result.message == "已加入训练数据：ask_shipping_fee（已去掉手机号）"
    assert result.text == "东西寄到[乌鲁木齐](destination) [两公斤](weight)要给多少邮费呀 我电话138****5678"
    data = yaml.safe_load(labels.file.read_text(encoding="utf8"))
    assert data["version"] == "3.1"
    assert data["nlu"] == [{"intent": "ask_shipping_fee", "examples": f"- {result.text}\n"}]
    assert hand_written() == before


def test_intents_stay_sorted_and_examples_keep_their_order(labels):
    for text, intent in [("你们家那个紫色的还有货没呀", "out_of_scope"), ("东西寄到喀什要给多少邮费呀", "ask_shipping_fee"),
                         ("那个粉色的还有货吗亲们", "out_of_scope"), ("东西寄到和田要给多少邮费呀", "ask_shipping_fee")]:
        assert labels.label(text, intent).added
    assert [(e["intent"], e["text"]) for e in nlu_examples(labels.file)] == [
        ("ask_shipping_fee", "东西寄到喀什要给多少邮费呀"), ("ask_shipping_fee", "东西寄到和田要给多少邮费呀"),
        ("out_of_scope", "你们家那个紫色的还有货没呀"), ("out_of_scope", "那个粉色的还有货吗亲们")]
    assert labels.example_count() == 4
    assert not list(labels.file.parent.glob(".owner_labelled.*.tmp"))   # atomic: no leftovers


@pytest.mark.parametrize("text,intent,marks,says", [
    ("你们家那个紫色的还有货没呀", "ask_colour", {}, "没有「ask_colour」这个意图"),
    ("转人工", "request_human", {}, "和留作评估的句子「转人工」几乎一样"),
    ("亲 在吗？？", "greet", {}, "和留作评估的句子"),
    ("🙏🙏", "thank", {}, "没有文字"),
    ("寄到乌鲁木齐要几天", "ask_delivery_time", {"destination": "北京"}, "目的地「北京」不在句子里"),
    ("寄到乌鲁木齐要几天", "ask_delivery_time", {"order_id": "123"}, "只能标注目的地、重量或快递公司"),
    ("包邮吗", "bargain", {}, "已有：训练数据里这句标的是 ask_shipping_fee"),
])
def test_refusals_say_why_and_write_nothing(labels, text, intent, marks, says):
    result = labels.label(text, intent, marks)
    assert result.outcome == "refused" and says in result.message
    assert not labels.file.exists()


def test_an_existing_example_with_the_same_intent_is_already_there(labels):
    result = labels.label("包邮吗", "ask_shipping_fee")
    assert result.outcome == "exists" and result.message.startswith("已有")
    assert labels.label("你们家那个紫色的还有货没呀", "out_of_scope").added
    assert labels.label("你们家那个紫色的 还有货没呀！", "out_of_scope").outcome == "exists"


def test_no_held_out_message_gets_in(labels):
    held_out = nlu_examples(ROOT / "tests/nlu/real_register.yml")[:40] + nlu_examples(ROOT / "tests/nlu/heldout.yml")[:40]
    for example in held_out:
        assert labels.label(example["text"], example["intent"]).outcome == "refused"
    assert labels.is_heldout("订单号7788123409871234 麻烦取消一下")   # masked form compared too


def test_shopper_brackets_cannot_turn_into_entity_markup(labels):
    result = labels.label("这个[微笑](表情)耳机音质咋样啊", "out_of_scope")
    assert result.added and "[" not in result.text
    assert nlu_examples(labels.file, markup=True)[0]["text"] == "这个【微笑】(表情)耳机音质咋样啊"


def test_rasas_reader_accepts_the_file(labels):
    labels.label("东西寄到乌鲁木齐 两公斤要给多少邮费呀", "ask_shipping_fee", {"destination": "乌鲁木齐", "weight": "两公斤"})
    labels.label("这个[微笑]耳机音质咋样啊亲", "out_of_scope")
    ok, output = check_nlu_file(labels.file)
    assert ok, output
    assert output.splitlines()[-1] == "2"


def test_the_intent_list_has_chinese_examples():
    descriptions = intent_descriptions(ROOT)
    assert "寄到新疆运费多少" in descriptions["ask_shipping_fee"] and len(descriptions) == 25


@pytest.mark.slow
def test_rasa_data_validate_accepts_the_training_data_with_the_owners_file(tmp_path):
    shutil.copytree(ROOT / "data", tmp_path / "data")
    labels = OwnerLabels(ROOT, file=tmp_path / "data" / "nlu" / "owner_labelled.yml")
    for text, intent, marks in [("东西寄到乌鲁木齐 两公斤要给多少邮费呀", "ask_shipping_fee", {"destination": "乌鲁木齐", "weight": "两公斤"}),
                                ("你们家那个紫色的还有货没呀", "out_of_scope", {}),
                                ("能发百世吗 我在村里", "ask_courier", {"courier": "百世"})]:
        assert labels.label(text, intent, marks).added
    ok, output = validate_training_data(ROOT, data=tmp_path / "data")
    assert ok, output[-3000:]

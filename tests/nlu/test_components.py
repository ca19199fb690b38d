"""Our NLU components: the tokenizer reads what shoppers type as the store does (simplified,
half-width) while every token keeps its place in the original message, so entity spans still fit;
order numbers are read by the store's rule, and no other number becomes one."""
from __future__ import annotations

import pytest
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from nlu_components import OrderNumberExtractor, ShopperTextTokenizer


@pytest.fixture(scope="module")
def tokenizer(tmp_path_factory):
    storage = LocalModelStorage(tmp_path_factory.mktemp("model"))
    return ShopperTextTokenizer({**ShopperTextTokenizer.get_default_config(), "dictionary_path": None},
                                storage, Resource("tokenizer"))


@pytest.mark.parametrize("typed, read", [
    pytest.param("寄到烏魯木齊運費多少", "寄到乌鲁木齐运费多少", id="繁体"),
    pytest.param("５００ｇ寄廣東", "500g寄广东", id="全角"),
    pytest.param("㎏重", "㎏重", id="变长的字保持原样"),
])
def test_tokens_are_normalised_but_keep_their_place(tokenizer, typed, read):
    tokens = tokenizer.tokenize(Message(data={TEXT: typed}), TEXT)
    assert "".join(t.text for t in tokens) == read
    for token in tokens:
        assert token.text == read[token.start:token.end], "offsets point into what was typed"
    assert tokens[-1].end == len(typed)


def _order_ids(text: str, predicted=()) -> list[tuple]:
    message = Message(data={TEXT: text, ENTITIES: list(predicted)})
    OrderNumberExtractor().process([message])
    return [(e["entity"], e["value"], text[e["start"]:e["end"]]) for e in message.get(ENTITIES)]


def test_an_order_number_becomes_an_entity_at_its_place():
    assert _order_ids("帮我取消订单 ４０２８３７１６５９２０４８１７ 谢谢") == [
        ("order_id", "4028371659204817", "４０２８３７１６５９２０４８１７")]


@pytest.mark.parametrize("text", ["少10块我就拍", "618有优惠不", "88", "我电话13812345678"])
def test_no_other_number_becomes_an_order_number(text):
    assert _order_ids(text, [{"entity": "order_id", "value": "10", "start": 0, "end": 2}]) == []


def test_other_entities_are_left_alone():
    place = {"entity": "destination", "value": "新疆", "start": 2, "end": 4}
    assert _order_ids("寄到新疆", [place]) == [("destination", "新疆", "新疆")]

"""The tokenizer reads what shoppers type as the store does (simplified, half-width) while every
token keeps its place in the original message, so entity spans still fit."""
from __future__ import annotations

import pytest
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from nlu_components import ShopperTextTokenizer


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

"""Jieba on the text as the store reads it: simplified characters and half-width letters and
digits (烏魯木齊 → 乌鲁木齐, ５００ｇ → 500g), so 港澳台 shoppers' traditional characters and
full-width input meet the same words and character n-grams as the training data. Tokens keep the
offsets of what was typed, so entity spans still point into the original message."""
from __future__ import annotations

from typing import List, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.jieba_tokenizer import JiebaTokenizer
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.training_data.message import Message

from store import normalize_in_place


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=True)
class ShopperTextTokenizer(JiebaTokenizer):
    def tokenize(self, message: Message, attribute: Text) -> List[Token]:
        import jieba

        text = normalize_in_place(message.get(attribute))
        return self._apply_token_pattern([Token(word, start) for word, start, _ in jieba.tokenize(text)])

"""Order numbers as `order_id` entities, read by the store's own rule (10–20 digits, not a mobile
number unless the shopper calls it the order number) rather than learnt: the classifier, taught
order numbers by example, took every number for one (少10块, 618, 88)."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from store import order_numbers

ENTITY = "order_id"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class OrderNumberExtractor(GraphComponent, EntityExtractorMixin):
    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "OrderNumberExtractor":
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            found = [{"entity": ENTITY, "value": digits, "start": start, "end": end, "confidence": 1.0}
                     for digits, start, end in order_numbers(message.get(TEXT) or "")]
            others = [e for e in message.get(ENTITIES, []) if e.get("entity") != ENTITY]
            message.set(ENTITIES, others + self.add_extractor_name(found), add_to_output=True)
        return messages

"""The loaded model is frozen out of the garbage collector's full passes before its first message,
and a replaced model's cycles are collected at the next model's first message
(rasa_server_plugins/gc_freeze.py)."""
from __future__ import annotations

import asyncio
import gc
import weakref

import pytest

pytest.importorskip("rasa")

from rasa_server_plugins import gc_freeze  # noqa: E402


class Model:
    """A stand-in for a processor holding a model: a reference cycle, as TensorFlow's are."""

    def __init__(self) -> None:
        self.itself = self


class AgentLike:
    def __init__(self, processor) -> None:
        self.processor = processor


@pytest.fixture(autouse=True)
def unfrozen():
    yield
    gc.unfreeze()
    gc_freeze._frozen_for[0] = None


def test_the_first_message_of_each_model_freezes_it_and_frees_the_replaced_one():
    handled = []

    async def handle_message(agent, message):
        handled.append(message)
        return [message]

    handle = gc_freeze._freezing_first(handle_message)
    first = AgentLike(Model())
    assert asyncio.run(handle(first, "寄到拉萨运费多少")) == ["寄到拉萨运费多少"]
    frozen = gc.get_freeze_count()
    assert frozen > 0
    asyncio.run(handle(first, "那新疆呢"))
    assert gc.get_freeze_count() == frozen            # the same model: not frozen again

    replaced = weakref.ref(first.processor)
    first.processor = None   # a promotion: the new agent replaces the old one
    del first
    assert replaced() is not None                     # a frozen cycle waits
    asyncio.run(handle(AgentLike(Model()), "能开发票吗"))
    assert replaced() is None                         # collected at the new model's first message
    assert handled == ["寄到拉萨运费多少", "那新疆呢", "能开发票吗"]

"""One Jinja2 environment with autoescape always on: messages are shown as text, never markup."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from typing import Callable

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from sanic.response import HTTPResponse, html

from handoff import Reason
from store import CHINA

from . import texts

TEMPLATE_DIR = Path(__file__).parent / "templates"


class Templates:
    def __init__(self, store_name: Callable[[], str]) -> None:
        self.env = Environment(loader=FileSystemLoader(TEMPLATE_DIR), autoescape=True,
                               undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
        self.env.filters.update(when=when, reason=reason, fact=fact, plain_example=plain_example,
                                example_marks=example_marks)
        self._store_name = store_name

    def render(self, name: str, status: int = 200, **context) -> HTTPResponse:
        page = self.env.get_template(name).render(store_name=self._store_name(), **context)
        return html(page, status=status)


def when(value) -> str:
    """11月25日 13:00 in China time; transcript times arrive as ISO strings."""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    if value.tzinfo is not None:
        value = value.astimezone(CHINA)
    return f"{value.month}月{value.day}日 {value:%H:%M}"


def reason(key: str) -> str:
    label = Reason.label_of(key)
    return f"{label}（{key}）" if label != key else key


def fact(key: str) -> str:
    return texts.FACTS.get(key, key)


# A training example's entity markup, [乌鲁木齐](destination), shown to an owner as words.
_MARKUP = re.compile(r"\[([^\]]*)\]\((\w+)\)")
ENTITY_NAMES = {"destination": "目的地", "weight": "重量", "courier": "快递", "order_id": "订单号"}


def plain_example(text: str) -> str:
    return _MARKUP.sub(r"\1", text)


def example_marks(text: str) -> str:
    return "，".join(f"{ENTITY_NAMES.get(kind, kind)} {value}" for value, kind in _MARKUP.findall(text))

"""The answers the actions compose, from the owner's store_config/replies.yml.

An answer is a text, or {text, buttons: [{title, payload}]} for quick replies. Each may use only the placeholders its action fills (ANSWER_FIELDS) plus {store_name};
the file is checked when loaded, so a typo in an edit is reported with its key, not sent to a shopper."""
from __future__ import annotations

import string
from pathlib import Path
from typing import Mapping

from .errors import ConfigError
from .yaml_file import read_mapping

_FEE = {"province", "fee", "couriers", "first_kg", "first_fee"}
_DELIVERY = {"ship_day", "cutoff", "days_min", "days_max", "earliest", "latest"}
ANSWER_FIELDS: dict[str, frozenset[str]] = {k: frozenset(v) for k, v in {
    "ask_destination": set(),
    "destination_unknown": {"place"},
    "destination_ambiguous": {"place", "candidates"},
    "ask_weight_again": set(),
    "fee_not_free": set(),
    "fee_first_weight": _FEE,
    "fee_quote": _FEE | {"weight"},
    "fee_quote_continued": _FEE | {"weight", "extra_kg", "continued_fee"},
    "fee_required_courier": {"province", "courier"},
    "fee_ems_only": {"province", "ems_max_kg", "first_kg"},
    "fee_ems_unpriced": {"province", "ems_max_kg", "first_kg"},
    "fee_continued_unpriced": {"province", "first_kg", "first_fee", "weight"},
    "fee_too_heavy": {"weight", "max_kg"},
    "fee_cart": set(),
    "delivery_estimate": _DELIVERY,
    "delivery_estimate_place": _DELIVERY | {"province"},
    "delivery_remote": {"province", "extra_min", "extra_max"},
    "delivery_target_likely": {"target", "earliest", "latest"},
    "delivery_target_possible": {"target", "earliest", "latest"},
    "delivery_target_unlikely": {"target", "earliest", "latest"},
    "delivery_caveat": set(),
    "delivery_placed_order": {"cutoff", "days_min", "days_max"},
    "delivery_ems_region": {"province", "ship_day", "cutoff"},
    "tracking": set(),
    "courier_general": {"available", "default"},
    "courier_restricted": {"provinces", "courier"},
    "courier_order_note": set(),
    "courier_unavailable": {"courier", "available"},
    "courier_for_province": {"province", "couriers"},
    "courier_required": {"province", "courier"},
    "invoice_how_to": set(),
    "invoice_when": set(),
    "invoice_content": set(),
    "invoice_shipping": set(),
    "invoice_warranty": set(),
    "invoice_manager": set(),
    "invoice_paper": set(),
    "bargain_gentle": set(),
    "bargain_firm": set(),
    "bargain_other_shops": set(),
    "handoff_contact": set(),
    "handoff_ticket": {"ticket", "due"},
    "handoff_ticket_updated": {"ticket", "due"},
    "bot_unavailable_ticket": {"ticket", "due"},
    "bot_unavailable_ticket_updated": {"ticket", "due"},
    "bot_unavailable_failed": set(),
    "system_busy_retry": set(),
    "too_fast": {"seconds"},  # the web chat refused a message sent too fast; {seconds} until it is resent
    "action_failed": set(),
    "not_understood": set(),
    "combined_shipping": {"first_kg"},
    "payment": set(),
    "pickup": set(),
    "authenticity": set(),
    "contact": set(),
    "receiving_check": set(),
    "return_handoff": set(),
    "cancel_order": set(),
    "promotion": set(),
    "promotion_current": {"campaign"},
}.items()}
ALWAYS = frozenset({"store_name"})


def _placeholders(template: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(template) if field is not None}


class Replies:
    def __init__(self, templates: Mapping[str, str], store_name: str) -> None:
        self._templates = dict(templates)
        self._store_name = store_name

    @classmethod
    def from_file(cls, path: Path, store_name: str) -> "Replies":
        raw = read_mapping(path)
        for key, fields in ANSWER_FIELDS.items():
            answer = raw.get(key)
            text = answer.get("text") if isinstance(answer, dict) else answer
            if not isinstance(text, str) or not text.strip():
                raise ConfigError(str(path), key, "missing: every answer needs a text")
            buttons = answer.get("buttons", []) if isinstance(answer, dict) else []
            if not isinstance(buttons, list) or not all(
                    isinstance(b, dict) and isinstance(b.get("title"), str) and isinstance(b.get("payload"), str)
                    for b in buttons):
                raise ConfigError(str(path), f"{key}.buttons", "each button needs a title and a payload")
            try:
                unknown = _placeholders(text) - fields - ALWAYS
            except ValueError as err:
                raise ConfigError(str(path), key, f"broken placeholder: {err}")
            if unknown:
                allowed = ", ".join("{%s}" % f for f in sorted(fields | ALWAYS))
                raise ConfigError(str(path), key, f"unknown placeholder {sorted(unknown)}; allowed here: {allowed}")
        extra = sorted(set(raw) - set(ANSWER_FIELDS))
        if extra:
            raise ConfigError(str(path), extra[0], "not an answer the assistant gives (typo?)")
        return cls(raw, store_name)

    def render(self, key: str, **values) -> tuple[str, list[dict]]:
        """The answer's text with placeholders filled, and its quick-reply buttons."""
        answer = self._templates[key]
        text, buttons = (answer["text"], answer.get("buttons", [])) if isinstance(answer, dict) else (answer, [])
        return text.format_map({"store_name": self._store_name, **values}), list(buttons)

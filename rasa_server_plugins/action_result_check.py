"""Rasa checks every custom action's result against one fixed JSON schema with
`jsonschema.validate(result, schema)`, which also checks the schema itself and builds a new
validator on each call (rasa/core/actions/action.py `RemoteAction._validate_action_result`). Under
load that was 7.7 % of the Rasa server's time (py-spy, README "Speed"). Installed by the entry point:
the same check with one validator built once; same errors, same message."""
from __future__ import annotations

import functools
from typing import Any, Dict, Text

from jsonschema import validators
from jsonschema.exceptions import best_match
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL


@functools.lru_cache(maxsize=1)
def _validator():
    schema = RemoteAction.action_response_format_spec()
    cls = validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
    error = best_match(_validator().iter_errors(result))
    if error is None:
        return True
    error.message += (". Failed to validate Action server response from API, make sure your response from "
                      "the Action endpoint is valid. For more information about the format visit "
                      f"{DOCS_BASE_URL}/custom-actions")
    raise error


def install() -> None:
    RemoteAction._validate_action_result = _validate_action_result


"""What a REST-channel request must be before Rasa sees it: one JSON object with a `sender` and a
`message`, within bounds. Rasa's `RestInput` reads `request.json.get(...)` unchecked, so an empty
body, `[]` or `null` ends in an AttributeError and a 500, and a non-string sender or message
travels into the tracker store. Here every malformed body gets a reason instead (the channel
answers it with a 4xx), and a good body is parsed once, with the standard library's strict parser.

No Sanic and no Rasa here: bytes and a content type in, the parsed body or a refusal out."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Optional, Union

MAX_BODY_BYTES = 64 * 1024
MAX_SENDER_CHARS = 200        # the console's ids are ~40 characters
MAX_MESSAGE_CHARS = 4000      # the console refuses more than 1000 before it asks Rasa
MAX_INPUT_CHANNEL_CHARS = 64
MAX_DEPTH = 32                # nested arrays/objects; metadata is flat in practice


@dataclass(frozen=True)
class Refusal:
    """Why a request is not handled: its HTTP status, a stable code and a reason for the caller."""
    status: int
    error: str
    reason: str

    def as_json(self) -> dict:
        return {"error": self.error, "reason": self.reason}


def _refuse(error: str, reason: str, status: int = 400) -> Refusal:
    return Refusal(status, error, reason)


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _depth(value: Any) -> int:
    """Nesting depth of a parsed document, without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        if level > MAX_DEPTH:
            break
        if isinstance(item, dict):
            stack.extend((child, level + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, level + 1) for child in item)
    return deepest


def _has_lone_surrogate(parsed: dict) -> bool:
    try:
        json.dumps(parsed, ensure_ascii=False).encode("utf-8")
        return False
    except UnicodeEncodeError:
        return True


def _is_json(content_type: Optional[str]) -> bool:
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    return media_type == "application/json"


def _text_field(body: dict, key: str, max_chars: int, required: bool = True) -> Optional[Refusal]:
    if key not in body:
        return _refuse(f"missing_{key}", f"the body has no '{key}'") if required else None
    value = body[key]
    if not isinstance(value, str):
        return _refuse(f"invalid_{key}", f"'{key}' must be a string, not {type(value).__name__}")
    if not value.strip():
        return _refuse(f"empty_{key}", f"'{key}' is empty")
    if len(value) > max_chars:
        return _refuse(f"{key}_too_long", f"'{key}' has {len(value)} characters, at most {max_chars} are taken")
    if "\x00" in value:  # PostgreSQL cannot store it: the tracker save would fail after the reply
        return _refuse(f"invalid_{key}", f"'{key}' contains a NUL character")
    return None


def _check_fields(body: dict) -> Optional[Refusal]:
    for key, limit in (("sender", MAX_SENDER_CHARS), ("message", MAX_MESSAGE_CHARS)):
        refusal = _text_field(body, key, limit)
        if refusal:
            return refusal
    if "sender" in body and not body["sender"].isprintable():
        return _refuse("invalid_sender", "'sender' contains control characters")
    refusal = _text_field(body, "input_channel", MAX_INPUT_CHANNEL_CHARS, required=False)
    if refusal:
        return refusal
    if "metadata" in body and not isinstance(body["metadata"], dict):
        return _refuse("invalid_metadata", f"'metadata' must be an object, not {type(body['metadata']).__name__}"
                       if body["metadata"] is not None else "'metadata' must be an object, not null")
    return None


def parse_rest_request(body: bytes, content_type: Optional[str]) -> Union[dict, Refusal]:
    """The request body as a dict RestInput can use, or why it is refused."""
    if len(body) > MAX_BODY_BYTES:
        return _refuse("body_too_large", f"the body has {len(body)} bytes, at most {MAX_BODY_BYTES} are taken",
                       status=413)
    if not _is_json(content_type):
        return _refuse("unsupported_content_type", "send the body as JSON, with Content-Type: application/json",
                       status=415)
    if not body.strip():
        return _refuse("empty_body", "the body is empty; send a JSON object with 'sender' and 'message'")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return _refuse("invalid_utf8", "the body is not valid UTF-8")
    try:
        parsed = json.loads(text, parse_constant=_no_constants)
    except RecursionError:
        return _refuse("too_deep", f"the body is nested deeper than {MAX_DEPTH} levels")
    except ValueError as error:
        return _refuse("invalid_json", f"the body is not JSON: {error}")
    if not isinstance(parsed, dict):
        return _refuse("not_an_object", f"the body must be a JSON object, not {type(parsed).__name__}"
                       if parsed is not None else "the body must be a JSON object, not null")
    if _depth(parsed) > MAX_DEPTH:
        return _refuse("too_deep", f"the body is nested deeper than {MAX_DEPTH} levels")
    if _has_lone_surrogate(parsed):  # "\\ud800" parses, but no database can store it
        return _refuse("invalid_unicode", "the body has a lone surrogate (\\ud800-\\udfff) escape")
    return _check_fields(parsed) or parsed

"""The bad-request battery of the REST channel: malformed requests a caller can send to
`POST /webhooks/rest/webhook`, each of which must be answered 4xx with a reason (never 2xx, never
5xx). Used by scripts/rest_battery.py and tests/rasa_server/test_rest_channel_400.py."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Optional

JSON = "application/json"


@dataclass(frozen=True)
class BadRequest:
    name: str
    body: bytes
    content_type: Optional[str] = JSON   # None: no Content-Type header at all


def _j(value) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode()


def _ok(**fields) -> dict:
    return {"sender": "battery", "message": "你好", **fields}


def _nested(levels: int) -> dict:
    value: object = "底"
    for _ in range(levels):
        value = {"x": value}
    return value


BAD_REQUESTS: list[BadRequest] = [
    # not a JSON object
    BadRequest("empty body", b""),
    BadRequest("whitespace body", b"  \n "),
    BadRequest("null", b"null"),
    BadRequest("empty array", b"[]"),
    BadRequest("array of a good message", _j([_ok()])),
    BadRequest("string", b'"hello"'),
    BadRequest("number", b"42"),
    BadRequest("true", b"true"),
    BadRequest("empty object", b"{}"),
    # not JSON
    BadRequest("plain text", "你好".encode()),
    BadRequest("truncated object", b'{"sender": "battery", "message": "hi"'),
    BadRequest("trailing garbage", _j(_ok()) + b" x"),
    BadRequest("single quotes", b"{'sender': 'battery', 'message': 'hi'}"),
    BadRequest("NaN in metadata", b'{"sender": "battery", "message": "hi", "metadata": {"x": NaN}}'),
    BadRequest("Infinity as message", b'{"sender": "battery", "message": Infinity}'),
    # sender
    BadRequest("no sender", _j({"message": "你好"})),
    BadRequest("sender null", _j(_ok(sender=None))),
    BadRequest("sender number", _j(_ok(sender=12345))),
    BadRequest("sender float", _j(_ok(sender=1.5))),
    BadRequest("sender list", _j(_ok(sender=["a"]))),
    BadRequest("sender empty", _j(_ok(sender=""))),
    BadRequest("sender blank", _j(_ok(sender="   "))),
    BadRequest("sender too long", _j(_ok(sender="s" * 300))),
    BadRequest("sender with a newline", _j(_ok(sender="a\nb"))),
    # message
    BadRequest("no message", _j({"sender": "battery"})),
    BadRequest("message null", _j(_ok(message=None))),
    BadRequest("message number", _j(_ok(message=7))),
    BadRequest("message boolean", _j(_ok(message=False))),
    BadRequest("message object", _j(_ok(message={"text": "hi"}))),
    BadRequest("message empty", _j(_ok(message=""))),
    BadRequest("message blank", _j(_ok(message=" \n\t "))),
    BadRequest("message too long", _j(_ok(message="长" * 5000))),
    BadRequest("message with NUL", _j(_ok(message="a\x00b"))),
    # metadata and input_channel
    BadRequest("metadata null", _j(_ok(metadata=None))),
    BadRequest("metadata list", _j(_ok(metadata=[1, 2]))),
    BadRequest("metadata string", _j(_ok(metadata="x"))),
    BadRequest("input_channel number", _j(_ok(input_channel=3))),
    # encoding and nesting
    BadRequest("invalid UTF-8", b'{"sender": "battery", "message": "\xff\xfe\xfd"}'),
    BadRequest("UTF-16 body", json.dumps(_ok()).encode("utf-16")),
    BadRequest("lone surrogate escape", b'{"sender": "battery", "message": "\\ud800"}'),
    BadRequest("metadata nested 100 deep", _j(_ok(metadata=_nested(100)))),
    BadRequest("array nested 5000 deep", b"[" * 5000 + b"]" * 5000),
    BadRequest("huge body (2 MB)", _j(_ok(metadata={"junk": "x" * 2_000_000}))),
    # content type
    BadRequest("JSON sent as text/plain", _j(_ok()), "text/plain"),
    BadRequest("form-encoded", b"sender=battery&message=hi", "application/x-www-form-urlencoded"),
    BadRequest("no Content-Type", _j(_ok()), None),
    BadRequest("multipart form", b'--b\r\nContent-Disposition: form-data; name="message"\r\n\r\nhi\r\n--b--\r\n',
               "multipart/form-data; boundary=b"),
]

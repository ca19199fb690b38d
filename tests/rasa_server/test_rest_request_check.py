"""The REST channel's request check without a server: every case of the bad-request battery is
refused with a 4xx and a reason, a good body comes back parsed, and any JSON value hypothesis makes
is either a dict with a string sender and message or refused — never an exception."""
from __future__ import annotations

import json

from hypothesis import given, settings, strategies as st

from rasa_server_plugins.rest_request import Refusal, parse_rest_request
from scripts.rest_battery_cases import BAD_REQUESTS

JSON = "application/json"


def test_every_battery_case_is_refused_with_a_reason():
    for case in BAD_REQUESTS:
        refusal = parse_rest_request(case.body, case.content_type)
        assert isinstance(refusal, Refusal) and 400 <= refusal.status < 500 and refusal.reason, case.name


def test_the_consoles_body_passes_parsed():
    body = {"sender": "web-1f3a", "message": "寄到乌鲁木齐运费多少", "metadata": {"helpdesk_message_id": 12}}
    assert parse_rest_request(json.dumps(body).encode(), "application/json; charset=utf-8") == body
    assert parse_rest_request(json.dumps({**body, "input_channel": "rest"}).encode(), JSON)["input_channel"] == "rest"


def test_a_button_payload_and_a_multiline_message_pass():
    for message in ('/inform{"province": "新疆"}', "第一行\n第二行"):
        assert parse_rest_request(json.dumps({"sender": "s", "message": message}).encode(), JSON)["message"] == message


json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
                           lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                           max_leaves=20)
bodies = st.fixed_dictionaries({}, optional={"sender": json_values, "message": json_values,
                                             "metadata": json_values, "input_channel": json_values})


@settings(max_examples=200, deadline=None)
@given(st.one_of(json_values, bodies))
def test_any_json_value_is_parsed_or_refused(value):
    result = parse_rest_request(json.dumps(value).encode(), JSON)
    if isinstance(result, Refusal):
        assert 400 <= result.status < 500 and result.reason and result.error
    else:
        assert isinstance(result["sender"], str) and isinstance(result["message"], str)
        assert isinstance(result.get("metadata", {}), dict)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200), st.sampled_from([JSON, None, "text/plain"]))
def test_any_bytes_are_parsed_or_refused(body, content_type):
    result = parse_rest_request(body, content_type)
    assert isinstance(result, (dict, Refusal))

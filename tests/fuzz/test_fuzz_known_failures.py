"""The failures found by hand before the fuzzing, each kept fixed: socket events without (or with
wrong) data got no acknowledgement, a 30-digit id hung `sync` and a 20-digit one made
/api/messages answer 500, 300 messages in half a second were all queued for the bot, and the
history had no paging. Run against the real console process (conftest.py)."""
from __future__ import annotations

import json
import time

import pytest
import requests

from fuzz_clients import SEP, RawSocket, shopper_cookie, shopper_socket
from store import load_store

BAD_DATA = [(), (None,), ([],), (["text"],), (42,), (3.5,), ("寄到拉萨",), (True,), ({"a": 1}, {"b": 2})]


def _refusal(ack: list) -> dict:
    assert ack and isinstance(ack[0], dict), ack
    refusal = ack[0]
    assert refusal["ok"] is False and refusal["error"] and refusal["hint"], refusal
    return refusal


def _settled(http: requests.Session, url: str) -> dict:
    """The history once the console's answers (here: tickets, Rasa is unreachable) are in."""
    before = None
    for _ in range(40):
        now = http.get(url + "/api/messages", timeout=10).json()
        if before is not None and now == before:
            return now
        before = now
        time.sleep(0.4)
    return before


@pytest.mark.parametrize("event", ["send", "sync"])
def test_an_event_without_usable_data_is_refused_with_an_acknowledgement(fuzz_console, event):
    sock = shopper_socket(fuzz_console)
    try:
        for args in BAD_DATA:
            assert _refusal(sock.call(event, *args))["error"] == "bad_request", args
        # binary: an attachment in place of the object
        assert _refusal(sock.call(event, {"_placeholder": True, "num": 0}, attachments=(b"\x00\xff" * 10,)))
    finally:
        sock.close()
    fuzz_console.assert_healthy(f"{event} without data")


def test_an_event_without_a_name_or_an_unknown_one_is_refused_with_an_acknowledgement(fuzz_console):
    """python-socketio itself raised on a list as an event's name (and never acknowledged it);
    a client's own `connect` or `disconnect` event, or an unknown one, got no acknowledgement."""
    sock = shopper_socket(fuzz_console)
    try:
        for n, body in enumerate(["[[1], {}]", "[]", "[{\"a\": 1}]", "[7]", "{\"send\": 1}"], 1):
            assert sock.emit_raw(f"2{100 + n}{body}") == 200
            assert _refusal(sock.wait_ack(100 + n))["error"] == "bad_request", body
        for event in ("connect", "disconnect", "no-such-event"):
            assert _refusal(sock.call(event, {"HTTP_COOKIE": sock.cookie}, {}, {}))["error"] == "unknown_event"
        assert sock.call("sync", {"after": 0})[0]["ok"], "the socket still works"
        # a client packet type engine.io does not take used to hang the POST until the next poll
        started = time.monotonic()
        assert sock.post("0") == 400 and time.monotonic() - started < 2
    finally:
        sock.close()
    fuzz_console.assert_healthy("events without a name")


def test_ids_beyond_the_database_integer_are_refused_before_sql(fuzz_console):
    sock = shopper_socket(fuzz_console)
    try:
        for after in (10**30, 2**31, -1, "1" * 30, "١٢", 1.5, "0x10"):
            assert _refusal(sock.call("sync", {"after": after}))["error"] == "bad_request", after
        ack = sock.call("sync", {"after": 2**31 - 1})[0]
        assert ack["ok"] and ack["messages"] == [] and ack["more"] is False
    finally:
        sock.close()
    http = requests.Session()
    http.get(fuzz_console.url + "/", timeout=10)
    for after in ("9" * 20, "2147483648", "-5", "abc", "1e3", "٣"):
        resp = http.get(fuzz_console.url + "/api/messages", params={"after": after}, timeout=10)
        assert resp.status_code == 400 and resp.json()["parameter"] == "after", (after, resp.status_code)
    assert http.get(fuzz_console.url + "/api/messages", params={"after": "2147483647"}, timeout=10).status_code == 200
    fuzz_console.assert_healthy("ids out of range")


def test_a_shopper_sending_too_fast_is_told_so_and_the_refused_messages_are_not_stored(fuzz_console):
    """300 messages in one burst: the first few (the configured burst) are stored; the rest are
    refused with the owner's too_fast answer and a wait, and nothing refused is in the record,
    so the page keeps them and sends them again."""
    http = requests.Session()
    cookie = shopper_cookie(fuzz_console.url, http)
    sock = RawSocket(fuzz_console.url, cookie)
    assert sock.connect()
    packets = ["4" + f"2{n}" + json.dumps(["send", {"text": f"第{n}条", "client_msg_id": f"burst-{n}"}],
                                           ensure_ascii=False) for n in range(1, 301)]
    for start in range(0, len(packets), 16):  # engine.io takes up to 16 packets per request
        assert sock.post_raw(SEP.join(packets[start:start + 16]).encode()) == 200
    acks = [sock.wait_ack(n)[0] for n in range(1, 301)]
    sock.close()
    accepted = [a for a in acks if a["ok"]]
    refused = [a for a in acks if not a["ok"]]
    assert 1 <= len(accepted) <= 12, len(accepted)   # the default burst is 10 (CHAT_MESSAGES_BURST)
    replies = load_store(fuzz_console.root / "store_config").replies  # the console's copy (the owner forms edit it)
    assert refused and all(r["error"] == "too_fast" and r["retry_after"] >= 1 for r in refused)
    assert all(r["hint"] == replies.render("too_fast", seconds=r["retry_after"])[0] for r in refused)
    stored = http.get(fuzz_console.url + "/api/messages", params={"limit": 500}, timeout=10).json()["messages"]
    shopper_ids = {m["client_msg_id"] for m in stored if m["sender"] == "shopper"}
    assert shopper_ids == {a["message"]["client_msg_id"] for a in accepted}
    fuzz_console.assert_healthy("a burst of 300 messages")


def test_the_history_comes_in_pages_with_cursors(fuzz_console):
    http = requests.Session()
    cookie = shopper_cookie(fuzz_console.url, http)
    sock = RawSocket(fuzz_console.url, cookie)
    assert sock.connect()
    for n in range(3):
        assert sock.call("send", {"text": f"问题{n}", "client_msg_id": f"p{n}"})[0]["ok"]
    sock.close()
    every = _settled(http, fuzz_console.url)
    assert every["more"] is False and len(every["messages"]) >= 3
    ids = [m["id"] for m in every["messages"]]
    first = http.get(fuzz_console.url + "/api/messages", params={"limit": 2}, timeout=10).json()
    assert [m["id"] for m in first["messages"]] == ids[:2] and first["more"] is True
    rest = http.get(fuzz_console.url + "/api/messages", params={"after": ids[1], "limit": 500}, timeout=10).json()
    assert [m["id"] for m in rest["messages"]] == ids[2:] and rest["more"] is False
    back = http.get(fuzz_console.url + "/api/messages", params={"before": ids[-1], "limit": 2}, timeout=10).json()
    assert [m["id"] for m in back["messages"]] == ids[-3:-1] and back["more"] is (len(ids) > 3)
    for limit in ("0", "501", "-1", "x", "9" * 30):
        resp = http.get(fuzz_console.url + "/api/messages", params={"limit": limit}, timeout=10)
        assert resp.status_code == 400 and resp.json()["parameter"] == "limit"
    page = RawSocket(fuzz_console.url, cookie)
    assert page.connect()
    synced = page.call("sync", {"after": 0, "limit": 2})[0]
    assert synced["ok"] and [m["id"] for m in synced["messages"]] == ids[:2] and synced["more"] is True
    page.close()


def test_static_paths_that_are_not_files_are_404_not_500(fuzz_console):
    """Sanic's static handler answered 500 for a directory (/static/) or a NUL byte."""
    for path in ("/static/", "/static/vendor", "/static/vendor/", "/static/%00", "/static/..%2f..%2fREADME.md",
                 "/static/nothing.js"):
        resp = requests.get(fuzz_console.url + path, timeout=10)
        assert resp.status_code == 404, (path, resp.status_code)
    assert requests.get(fuzz_console.url + "/static/chat.js", timeout=10).status_code == 200
    fuzz_console.assert_healthy("static paths")

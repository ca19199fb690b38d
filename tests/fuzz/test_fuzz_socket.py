"""socket.io and engine.io against the real console: any event name with any arguments, huge
fields, binary attachments, malformed packets, bursts, many connections. Every event sent with
an acknowledgement id gets one within ACK_SECONDS; the server never answers 5xx, logs no
traceback and still takes a normal message afterwards."""
from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from hypothesis import given, strategies as st

from fuzz_support import ACK_SECONDS, LONG, fuzz_settings
from fuzz_clients import PATH, SEP, Hang, RawSocket, shopper_cookie, shopper_socket

SURFACE_EVENTS, SURFACE_PACKETS, SURFACE_CONNECTIONS = "socket.io events", "engine.io packets", "socket.io connections"
CONNECTIONS = 3000 if LONG else 300

json_leaf = st.one_of(st.none(), st.booleans(), st.integers(min_value=-10**40, max_value=10**40),
                      st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=200))
json_value = st.recursive(json_leaf, lambda inner: st.lists(inner, max_size=4)
                          | st.dictionaries(st.text(max_size=12), inner, max_size=4), max_leaves=12)
message_fields = st.fixed_dictionaries({}, optional={
    "text": st.one_of(st.text(max_size=1200), json_value), "client_msg_id": st.one_of(st.text(max_size=120), json_value),
    "payload": st.one_of(st.text(max_size=50), json_value), "after": st.one_of(st.integers(), json_value),
    "limit": st.one_of(st.integers(), json_value)})
event_names = st.one_of(st.sampled_from(["send", "sync", "connect", "disconnect", "message", "notice", "typing",
                                         "connect_error", "*", ""]), st.text(max_size=40))


@pytest.fixture(scope="module")
def sockets(fuzz_console):
    """A pool of shopper sockets, each new one after the last has been used for a few examples
    (so the per-connection limit does not answer every later example)."""
    opened = []

    def fresh() -> RawSocket:
        sock = shopper_socket(fuzz_console, timeout=ACK_SECONDS)
        opened.append(sock)
        return sock

    yield fresh
    for sock in opened:
        sock.close()


def _acked(figures, sock: RawSocket, event, *args, attachments=()) -> list:
    try:
        ack = sock.call(event, *args, attachments=attachments)
    except Hang:
        figures.count(SURFACE_EVENTS, hang=True)
        raise
    figures.count(SURFACE_EVENTS)
    return ack


@fuzz_settings(3)
@given(event=event_names, args=st.lists(st.one_of(message_fields, json_value), max_size=3))
def test_any_event_with_any_arguments_is_acknowledged(fuzz_console, sockets, event, args):
    sock = sockets()
    ack = _acked(fuzz_console.figures, sock, event, *args)
    assert ack is not None
    if event in ("send", "sync", "connect", "*", "") or event not in ("disconnect",):
        refusal_or_answer = ack[0] if ack else None
        assert isinstance(refusal_or_answer, dict) and "ok" in refusal_or_answer, (event, args, ack)
    sock.close()


@fuzz_settings(1)
@given(fields=message_fields, blobs=st.lists(st.binary(max_size=2000), min_size=1, max_size=3),
       event=st.sampled_from(["send", "sync", "unknown"]))
def test_binary_attachments_anywhere_are_acknowledged(fuzz_console, sockets, fields, blobs, event):
    sock = sockets()
    data = dict(fields)
    for n, _ in enumerate(blobs):
        data[f"blob{n}"] = {"_placeholder": True, "num": n}
    if blobs and fields.get("text") is None:
        data["text"] = {"_placeholder": True, "num": 0}
    ack = _acked(fuzz_console.figures, sock, event, data, attachments=tuple(blobs))
    assert ack and ack[0]["ok"] in (True, False)
    sock.close()


@pytest.mark.parametrize("size", [900_000, 1_100_000, 5_000_000])
def test_huge_fields_are_refused_not_stored(fuzz_console, sockets, size):
    sock = sockets()
    message = {"text": "运" * (size // 3), "client_msg_id": "huge"}
    encoded = "2" + "1" + json.dumps(["send", message], ensure_ascii=False)
    status = sock.emit_raw(encoded)
    fuzz_console.figures.count(SURFACE_EVENTS, status)
    if status == 200:  # within the transport's limit: the chat refuses it as too long
        ack = sock.wait_ack(1)[0]
        assert ack["ok"] is False and ack["error"] == "too_long"
    else:
        assert status in (400, 413), status
    fuzz_console.assert_healthy(f"a {size}-byte event")


packet_text = st.one_of(
    st.text(max_size=300),
    st.builds(lambda t, body: t + body, st.sampled_from(["0", "1", "2", "3", "4", "5", "6", "40", "41", "42", "43",
                                                          "44", "45", "46", "451-", "42/", "4" + "2" * 20, "b"]),
              st.one_of(st.text(max_size=200), json_value.map(lambda v: json.dumps(v)))))


@fuzz_settings(3)
@given(packets=st.lists(packet_text, min_size=1, max_size=20),
       content_type=st.sampled_from(["text/plain;charset=UTF-8", "application/octet-stream", "application/json",
                                     "multipart/form-data; boundary=x", "text/plain; charset=latin-1", ""]),
       raw=st.one_of(st.none(), st.binary(max_size=500)))
def test_malformed_engine_io_packets_get_no_server_error(fuzz_console, packets, content_type, raw):
    sock = RawSocket(fuzz_console.url, shopper_cookie(fuzz_console.url), timeout=ACK_SECONDS)
    assert sock.connect()
    body = raw if raw is not None else SEP.join(packets).encode("utf8", "surrogatepass")
    status = sock.post_raw(body, content_type=content_type)
    fuzz_console.figures.count(SURFACE_PACKETS, status)
    assert status < 500, status
    try:
        sock.poll(timeout=0.2)  # whatever the server sends back (or its closing the socket)
    except (ConnectionError, requests.RequestException):
        pass
    sock.close()


@fuzz_settings(2)
@given(params=st.dictionaries(st.sampled_from(["EIO", "transport", "sid", "t", "j", "b64", "x"]),
                              st.text(max_size=40), max_size=5),
       method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"]),
       cookie=st.one_of(st.none(), st.just("chat_session=forged.value"),
                        st.text(st.characters(min_codepoint=33, max_codepoint=255, blacklist_characters="\x7f"),
                                max_size=80)),
       body=st.binary(max_size=300))
def test_hostile_engine_io_requests_get_no_server_error(fuzz_console, params, method, cookie, body):
    headers = {"Cookie": cookie.encode("latin-1")} if cookie else {}
    try:
        resp = requests.request(method, fuzz_console.url + PATH, params=params, data=body or None,
                                headers=headers, timeout=ACK_SECONDS)
    except requests.Timeout:
        fuzz_console.figures.count(SURFACE_PACKETS, hang=True)
        raise
    fuzz_console.figures.count(SURFACE_PACKETS, resp.status_code)
    assert resp.status_code < 500, (method, params, resp.status_code, resp.text[:200])


def test_a_burst_on_one_connection_is_acknowledged_every_time(fuzz_console):
    """Events of every kind, 16 to a request as fast as they go: each gets its ack in time."""
    sock = shopper_socket(fuzz_console)
    events = ["send", "sync", "nope"] * 40
    packets = [f"42{n}" + json.dumps([e, {"text": f"突发{n}", "client_msg_id": f"b{n}", "after": 0}], ensure_ascii=False)
               for n, e in enumerate(events, 1)]
    for start in range(0, len(packets), 16):
        assert sock.post(*packets[start:start + 16]) == 200
    for n in range(1, len(events) + 1):
        ack = sock.wait_ack(n)
        fuzz_console.figures.count(SURFACE_EVENTS)
        assert ack and ack[0]["ok"] in (True, False)
    sock.close()
    fuzz_console.assert_healthy("a burst of events on one connection")


def test_many_connections_at_once(fuzz_console):
    """CONNECTIONS sockets open together (shoppers' cookies, a few without one), then all closed:
    the server keeps answering and its memory stays bounded."""
    cookie = shopper_cookie(fuzz_console.url)
    http = requests.Session()
    http.mount("http://", requests.adapters.HTTPAdapter(pool_maxsize=16))

    def open_one(n: int):
        sock = RawSocket(fuzz_console.url, cookie if n % 50 else "chat_session=forged", session=http,
                         timeout=ACK_SECONDS)
        status = sock.handshake()
        sock.post("40")
        return sock, status

    with ThreadPoolExecutor(8) as pool:
        opened = list(pool.map(open_one, range(CONNECTIONS)))
    for _, status in opened:
        fuzz_console.figures.count(SURFACE_CONNECTIONS, status)
        assert status < 500
    fuzz_console.figures.memory_mb[f"{CONNECTIONS} connections open"] = round(fuzz_console.rss_mb(), 1)
    fuzz_console.assert_healthy(f"{CONNECTIONS} connections open")
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda pair: pair[0].close(), opened))
    fuzz_console.assert_healthy(f"{CONNECTIONS} connections closed")


def test_the_console_is_healthy_after_the_socket_fuzzing(fuzz_console):
    fuzz_console.assert_healthy("the socket fuzzing")

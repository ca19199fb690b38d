"""A socket.io client over engine.io 4 long-polling, written against the wire protocol so the
fuzz tests can send what no library client would (missing arguments, binary attachments,
malformed packets) and can open thousands of connections without a thread each.

Packets: engine.io `4` message + socket.io `0` connect, `2` event, `3` ack, `5` binary event;
several packets in one polling body are separated by \\x1e; binary attachments travel as `b` +
base64 in polling."""
from __future__ import annotations

import base64
import itertools
import json
import time
from typing import Any, Optional

import requests

SEP = "\x1e"
PATH = "/socket.io/"


class Hang(Exception):
    """No acknowledgement within the bound."""


class RawSocket:
    def __init__(self, url: str, cookie: str, session: Optional[requests.Session] = None, timeout: float = 10.0):
        self.url, self.cookie, self.timeout = url, cookie, timeout
        self.http = session or requests.Session()
        self.sid: Optional[str] = None
        self.ids = itertools.count(1)
        self.inbox: list[str] = []   # socket.io packets received and not consumed yet

    # ---------- engine.io ----------

    def _params(self) -> dict:
        params = {"EIO": "4", "transport": "polling", "t": str(time.monotonic_ns())}
        if self.sid:
            params["sid"] = self.sid
        return params

    def handshake(self) -> int:
        resp = self.http.get(self.url + PATH, params=self._params(), headers={"Cookie": self.cookie},
                             timeout=self.timeout)
        if resp.status_code == 200 and resp.text.startswith("0"):
            self.sid = json.loads(resp.text[1:])["sid"]
        return resp.status_code

    def post_raw(self, body: bytes | str, content_type: str = "text/plain;charset=UTF-8") -> int:
        resp = self.http.post(self.url + PATH, params=self._params(), data=body,
                              headers={"Cookie": self.cookie, "Content-Type": content_type}, timeout=self.timeout)
        return resp.status_code

    def post(self, *packets: str) -> int:
        return self.post_raw(SEP.join(packets).encode("utf8"))

    def poll(self, timeout: Optional[float] = None) -> list[str]:
        """One long-poll: the engine.io packets waiting (answers pings itself)."""
        resp = self.http.get(self.url + PATH, params=self._params(), headers={"Cookie": self.cookie},
                             timeout=timeout or self.timeout)
        if resp.status_code != 200:
            raise ConnectionError(f"poll answered {resp.status_code}")
        packets = resp.text.split(SEP) if resp.text else []
        for packet in packets:
            if packet == "2":
                self.post("3")
            elif packet.startswith("1"):
                raise ConnectionError("the server closed the connection")
        return packets

    # ---------- socket.io ----------

    def connect(self) -> bool:
        """Handshake and join the default namespace; False when the server refuses."""
        if self.handshake() != 200:
            return False
        self.post("40")
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            for packet in self.poll():
                if packet.startswith("40"):
                    return True
                if packet.startswith("44"):
                    return False
                if packet.startswith("4"):
                    self.inbox.append(packet[1:])
        return False

    def emit_raw(self, encoded: str, attachments: tuple[bytes, ...] = ()) -> int:
        """Post one socket.io packet as given (plus its binary attachments)."""
        parts = ["4" + encoded] + ["b" + base64.b64encode(a).decode() for a in attachments]
        return self.post(*parts)

    def call(self, event: Any, *args: Any, attachments: tuple[bytes, ...] = ()) -> Any:
        """Emit with an acknowledgement id and wait for the ack's data (a list). Raises Hang."""
        ack_id = next(self.ids)
        if attachments:
            encoded = f"5{len(attachments)}-{ack_id}" + json.dumps([event, *args], ensure_ascii=False)
        else:
            encoded = f"2{ack_id}" + json.dumps([event, *args], ensure_ascii=False)
        status = self.emit_raw(encoded, attachments)
        if status != 200:
            raise ConnectionError(f"emit answered {status}")
        return self.wait_ack(ack_id)

    def wait_ack(self, ack_id: int) -> Any:
        deadline = time.monotonic() + self.timeout
        prefix = f"3{ack_id}"
        while True:
            for packet in list(self.inbox):
                if packet.startswith(prefix) and packet[len(prefix):len(prefix) + 1] == "[":
                    self.inbox.remove(packet)
                    return json.loads(packet[len(prefix):])
            left = deadline - time.monotonic()
            if left <= 0:
                raise Hang(f"no acknowledgement {ack_id} within {self.timeout:g} s")
            try:
                packets = self.poll(timeout=left + 1)
            except requests.Timeout:
                raise Hang(f"no acknowledgement {ack_id} within {self.timeout:g} s") from None
            self.inbox.extend(p[1:] for p in packets if p.startswith("4"))

    def events(self, name: str) -> list[Any]:
        """The pushed events of that name received so far (consumed)."""
        found = []
        for packet in list(self.inbox):
            if packet.startswith("2"):
                body = packet[1:]
                data = json.loads(body[body.index("["):])
                if data and data[0] == name:
                    found.append(data[1] if len(data) > 1 else None)
                    self.inbox.remove(packet)
        return found

    def close(self) -> None:
        try:
            self.post("1")
        except requests.RequestException:
            pass


def shopper_cookie(url: str, http: Optional[requests.Session] = None) -> str:
    """A page load's signed shopper cookie, as a Cookie header."""
    resp = (http or requests).get(url + "/", timeout=10, allow_redirects=False)
    return f"chat_session={resp.cookies['chat_session']}"


def shopper_socket(console, timeout: float = 10.0) -> RawSocket:
    sock = RawSocket(console.url, shopper_cookie(console.url), timeout=timeout)
    assert sock.connect(), "a shopper with a fresh cookie could not connect"
    return sock


def normal_message_acknowledged(console) -> bool:
    """The check after every batch: a new shopper's ordinary message is stored and acknowledged."""
    sock = shopper_socket(console)
    try:
        ack = sock.call("send", {"text": "寄到拉萨运费多少", "client_msg_id": "health-check"})
        return bool(ack and isinstance(ack[0], dict) and ack[0].get("ok"))
    finally:
        sock.close()

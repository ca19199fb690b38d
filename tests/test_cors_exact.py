"""CORS only for exact origins. The sanic-cors patch of both plugin packages (the live Rasa and
action server are checked in tests/rasa_server/test_rasa_side_live.py), and the console app, the
one public origin, started for real: it sends no CORS header to another site on its pages and API,
and its socket.io endpoint admits only its own origin (python-socketio's same-origin default)."""
from __future__ import annotations

import secrets
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import sanic_cors.core

from benchmark.servers import Stack, console
import exact_cors

SHOP = "https://shop.example"
HOSTILE = ["https://evil.example", "https://shop.example.evil.com", "null", "https://shop.example:443",
           "HTTPS://SHOP.EXAMPLE", "http://shop.example", ""]
CONSOLE_PORT = 6330  # this part's range, 6300–6399


@pytest.fixture
def restore_cors(monkeypatch):
    monkeypatch.setattr(sanic_cors.core, "get_cors_origins", sanic_cors.core.get_cors_origins)


def test_only_an_exact_configured_origin_gets_cors_headers(restore_cors):
    exact_cors.install({"CORS_ORIGINS": f"{SHOP}, https://www.shop.example"})
    options = {"origins": [".*"], "send_wildcard": True, "always_send": True, "methods": ["POST"],
               "allow_headers": ["*"], "vary_header": True, "supports_credentials": True}  # what `--cors "*"` gives
    for origin in HOSTILE:
        assert not sanic_cors.core.get_cors_headers(options, {"Origin": origin}, "OPTIONS"), origin
    assert not sanic_cors.core.get_cors_headers(options, {}, "GET")  # no Origin: no '*'
    assert sanic_cors.core.get_cors_headers(options, {"Origin": SHOP}, "GET")["Access-Control-Allow-Origin"] == SHOP


def test_by_default_no_origin_is_admitted(restore_cors):
    assert exact_cors.install({}) == frozenset()
    assert sanic_cors.core.get_cors_origins({"origins": [".*"]}, SHOP) is None


@pytest.mark.parametrize("wrong", ["*", "https://*.shop.example", "https://shop.example/", "null", "shop.example",
                                   "https://shop.example.*"])
def test_a_pattern_or_path_in_cors_origins_stops_the_start(wrong):
    with pytest.raises(SystemExit, match="exact origins"):
        exact_cors.configured_origins({"CORS_ORIGINS": wrong})


def answer_headers(url: str, method: str, headers: dict) -> dict:
    request = urllib.request.Request(url, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:
            return dict(resp.headers)
    except urllib.error.HTTPError as err:
        return dict(err.headers)


@pytest.mark.slow
def test_the_console_admits_only_its_own_origin(tmp_path: Path):
    env = {"SANIC_HOST": "127.0.0.1", "HELPDESK_DB_URL": f"sqlite:///{tmp_path / 'helpdesk.db'}",
           "ACTION_SERVER_TOKEN": secrets.token_hex(8), "CORS_ORIGINS": SHOP}
    import os
    stack = Stack("console-cors", "http://127.0.0.1:6331", 0, 0, 0.0, tmp_path, {**os.environ, **env})
    with console(stack, port=CONSOLE_PORT) as (url, _pid):
        polling = url + "/socket.io/?EIO=4&transport=polling"
        for origin in HOSTILE[:-1] + [SHOP]:
            for path in ("/", "/api/messages?after=0", "/agent/login", "/health"):
                for method, extra in (("GET", {}), ("OPTIONS", {"Access-Control-Request-Method": "POST"})):
                    headers = answer_headers(url + path, method, {"Origin": origin, **extra})
                    assert "Access-Control-Allow-Origin" not in headers, (origin, path, method)
            assert "Access-Control-Allow-Origin" not in answer_headers(polling, "GET", {"Origin": origin})
        own = answer_headers(polling, "GET", {"Origin": url})
        assert own.get("Access-Control-Allow-Origin") == url

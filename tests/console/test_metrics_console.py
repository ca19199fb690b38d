"""The console's /metrics: who may read it (METRICS_TOKEN as a bearer token, else this machine only,
required in production) and what it counts: requests by route, the socket.io reply time, the
messages waiting for the bot, the bot unavailable, handoffs, sockets and open tickets.

Counters are the process's own (prometheus_client), shared by every app a test run starts, so the
tests compare a figure before and after."""
from __future__ import annotations

import pytest
from prometheus_client.parser import text_string_to_metric_families

from console.settings import SettingsError, load_settings

TOKEN = "t" * 40


def sample(text: str, name: str, **labels) -> float:
    """The value of one sample in Prometheus text; 0 when it is not there (yet)."""
    for family in text_string_to_metric_families(text):
        for found in family.samples:
            if found.name == name and all(found.labels.get(k) == v for k, v in labels.items()):
                return found.value
    return 0.0


async def scrape(console, headers=None) -> str:
    async with console.session().get("/metrics", headers=headers or {}) as resp:
        assert resp.status == 200, resp.status
        assert resp.headers["Content-Type"].startswith("text/plain")
        return await resp.text()


async def send_and_settle(console, text: str) -> list:
    shopper = await console.shopper()
    sio = await console.socket(shopper)
    said = []
    sio.on("message", said.append)
    assert (await sio.call("send", {"text": text, "client_msg_id": "m-1"}))["ok"]
    await console.settle()
    return said


async def test_a_bot_reply_is_timed_and_nothing_is_left_waiting(console):
    before = await scrape(console)
    said = await send_and_settle(console, "寄到拉萨运费多少")
    await console.wait_for(lambda: [m for m in said if m["sender"] == "bot"])
    after = await scrape(console)

    assert sample(after, "console_reply_seconds_count") == sample(before, "console_reply_seconds_count") + 1
    assert sample(after, "console_messages_waiting_for_bot") == 0
    assert sample(after, "console_bot_unavailable_total") == sample(before, "console_bot_unavailable_total")
    assert sample(after, "console_sockets_connected") == 1
    assert sample(after, "console_http_requests_total", route="/", method="GET", status="200") \
        > sample(before, "console_http_requests_total", route="/", method="GET", status="200")


async def test_the_bot_unavailable_is_counted_with_its_ticket(console, fake_rasa):
    fake_rasa.mode = "error"
    before = await scrape(console)
    await send_and_settle(console, "寄到拉萨运费多少")
    after = await scrape(console)

    assert sample(after, "console_bot_unavailable_total") == sample(before, "console_bot_unavailable_total") + 1
    opened = dict(name="handoffs_total", reason="bot_unavailable", ticket="opened")
    assert sample(after, **opened) == sample(before, **opened) + 1
    assert sample(after, "console_reply_seconds_count") == sample(before, "console_reply_seconds_count")
    assert sample(after, "console_open_tickets", status="open") == 1   # this console's own database
    assert sample(after, "console_open_tickets", status="answered") == 0


async def test_an_unknown_path_is_counted_as_unmatched_not_by_its_path(console):
    async with console.session().get("/no/such/page-123") as resp:
        assert resp.status == 404
    text = await scrape(console)
    assert sample(text, "console_http_requests_total", route="unmatched", method="GET", status="404") >= 1
    assert "page-123" not in text


async def test_without_a_token_only_local_unrelayed_clients_may_read(console):
    await scrape(console)
    async with console.session().get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"}) as resp:
        assert resp.status == 403


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {TOKEN}"}],
                         ids=["no token", "wrong token", "not bearer"])
async def test_with_a_token_set_a_request_without_it_is_refused(start_console, headers):
    console = await start_console(METRICS_TOKEN=TOKEN)
    async with console.session().get("/metrics", headers=headers) as resp:
        assert resp.status == 401
        assert resp.headers["WWW-Authenticate"].startswith("Bearer")
        assert "console_" not in await resp.text()


async def test_with_a_token_set_the_bearer_reads_the_metrics(start_console):
    console = await start_console(METRICS_TOKEN=TOKEN)
    text = await scrape(console, headers={"Authorization": f"Bearer {TOKEN}", "X-Forwarded-For": "203.0.113.9"})
    assert "console_open_tickets" in text


def test_production_refuses_to_start_without_a_metrics_token(tmp_path):
    environ = {"CONSOLE_ENV": "production", "CONSOLE_SECRET": "s" * 40, "AGENT_USERS": "/a.json",
               "OWNER_USERS": "/o.json"}
    with pytest.raises(SettingsError, match="METRICS_TOKEN is required"):
        load_settings(environ, root=tmp_path)
    with pytest.raises(SettingsError, match="at least 32"):
        load_settings({**environ, "METRICS_TOKEN": "short"}, root=tmp_path)
    assert load_settings({**environ, "METRICS_TOKEN": TOKEN}, root=tmp_path).metrics_token == TOKEN
    assert TOKEN not in repr(load_settings({**environ, "METRICS_TOKEN": TOKEN}, root=tmp_path))

"""Production promotion (RASA_INSTANCE_URLS): RasaFleet waits until every running Rasa instance
reports the new model id, which each loads from the model store by itself; an instance that is down
does not hold the promotion (it loads the pointer when it starts), a slow one is waited for within
the limit. Small HTTP servers answer `GET /status` as Rasa does; the real instances and model store
are exercised by `make integration` (tests/integration/test_integration_e_promotion.py)."""
from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tuning import RasaApiError, RasaServer
from tuning.rasa_server import RasaFleet, serving_rasa


class Instance:
    """Reports `before` for the first `polls_before_load` status calls, then `after`."""

    def __init__(self, before: str, after: str, polls_before_load: int) -> None:
        self.polls = 0
        instance = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                instance.polls += 1
                model = before if instance.polls <= polls_before_load else after
                body = json.dumps({"model_id": model, "model_file": "model.tar.gz"}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def instances():
    started = []
    yield lambda *args: started.append(Instance(*args)) or started[-1]
    for instance in started:
        instance.close()


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"


def test_the_fleet_waits_for_every_running_instance_and_not_for_one_that_is_down(instances):
    slow, quick = instances("old", "new", 3), instances("old", "new", 0)
    fleet = RasaFleet([slow.url, quick.url, closed_port_url()], "token", load_timeout=10, poll_interval=0.05)
    assert fleet.load_model("kept/x.tar.gz", "new").model_id == "new"
    assert slow.polls >= 4


def test_an_instance_that_never_loads_the_model_fails_the_promotion_by_name(instances):
    stuck, quick = instances("old", "old", 0), instances("old", "new", 0)
    fleet = RasaFleet([stuck.url, quick.url], "token", load_timeout=0.3, poll_interval=0.05)
    with pytest.raises(RasaApiError, match=stuck.url):
        fleet.load_model("kept/x.tar.gz", "new")


def test_the_fleet_is_used_only_when_the_instances_are_listed():
    server = RasaServer("http://127.0.0.1:5005", "token")
    assert serving_rasa(server, {}) is server
    fleet = serving_rasa(server, {"RASA_INSTANCE_URLS": "http://rasa-1:5005, http://rasa-2:5005"})
    assert [i.url for i in fleet.instances] == ["http://rasa-1:5005", "http://rasa-2:5005"]
    assert serving_rasa(None, {"RASA_INSTANCE_URLS": "http://rasa-1:5005"}) is None

"""nginx as deploy/nginx/store.conf configures it: TLS with the security headers and no version on
the public side; on the internal side only what the console needs from Rasa (no PUT /model), and a
model store that answers only with the token, with an ETag that Rasa's If-None-Match turns into 304."""
from __future__ import annotations

import pytest
import requests

from integration_world import World

# verify=False: the run's certificate is self-signed, made at start.
pytestmark = pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")


def test_the_public_side_is_tls_with_security_headers_and_no_version(world: World):
    page = requests.get(world.stack.public_url + "/", verify=False, timeout=10)
    assert page.status_code == 200
    assert page.headers["Server"] == "nginx"                       # server_tokens off
    assert page.headers["Strict-Transport-Security"].startswith("max-age=")
    assert page.headers["X-Content-Type-Options"] == "nosniff"     # once: the console's copy is hidden
    assert page.headers["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    assert "secure" in page.headers["Set-Cookie"].lower()
    assert requests.get(world.stack.public_url + "/metrics", verify=False, timeout=10).status_code == 404
    plain = requests.get(world.stack.public_url.replace("https://", "http://") + "/", timeout=5)
    assert plain.status_code == 400                                # plain HTTP on the TLS port: no page


def test_the_internal_side_passes_only_what_the_console_needs(world: World):
    internal, token = world.stack.internal_url, world.services["RASA_TOKEN"]
    assert requests.put(f"{internal}/model?token={token}", json={"model_file": "/tmp/x.tar.gz"},
                        timeout=10).status_code == 404
    assert requests.post(f"{internal}/model/train?token={token}", timeout=10).status_code == 404
    assert requests.get(f"{internal}/", timeout=10).status_code == 200          # Rasa's hello


def test_the_model_store_needs_the_token_and_answers_304_for_the_model_rasa_has(world: World):
    url = world.stack.internal_url + "/models/live.tar.gz"
    assert requests.get(url, timeout=10).status_code == 401
    assert requests.get(url, headers={"X-Model-Token": "wrong"}, timeout=10).status_code == 401
    token = {"X-Model-Token": world.services["MODEL_SERVER_TOKEN"]}
    model = requests.get(url, headers=token, timeout=60)
    assert model.status_code == 200 and model.content[:2] == b"\x1f\x8b"      # a gzip archive
    etag = model.headers["ETag"]
    again = requests.get(url, headers={**token, "If-None-Match": etag}, timeout=10)
    assert again.status_code == 304

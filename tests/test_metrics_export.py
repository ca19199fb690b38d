"""What the three processes share for /metrics: the access rule (METRICS_TOKEN as a bearer token,
else this machine only, never a request a proxy relayed) and the page that sums several workers
(PROMETHEUS_MULTIPROC_DIR), checked with real processes."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from metrics_export import MetricsAccess, MetricsTokenError, is_loopback, metrics_token_from, warn_unless_workers_share

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "k" * 32


@pytest.mark.parametrize("ip", ["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"])
def test_without_a_token_a_local_client_may_read(ip):
    assert MetricsAccess(None).refusal({}, ip) is None


@pytest.mark.parametrize("ip, headers", [
    ("10.0.0.7", {}), ("203.0.113.9", {}), ("", {}), ("not an address", {}), ("::ffff:10.0.0.7", {}),
    ("127.0.0.1", {"x-forwarded-for": "203.0.113.9"}), ("127.0.0.1", {"x-real-ip": "203.0.113.9"}),
    ("127.0.0.1", {"forwarded": "for=203.0.113.9"}),
], ids=["lan", "internet", "no address", "garbage", "mapped lan", "nginx x-forwarded-for", "nginx x-real-ip",
        "forwarded"])
def test_without_a_token_anyone_else_is_forbidden(ip, headers):
    assert MetricsAccess(None).refusal(headers, ip).status == 403


@pytest.mark.parametrize("authorization", [None, "", "Bearer", f"Bearer {TOKEN}x", f"Basic {TOKEN}", TOKEN])
def test_with_a_token_only_its_bearer_may_read(authorization):
    headers = {"authorization": authorization} if authorization is not None else {}
    refusal = MetricsAccess(TOKEN).refusal(headers, "127.0.0.1")
    assert refusal.status == 401 and refusal.headers["WWW-Authenticate"].startswith("Bearer")


def test_the_bearer_reads_from_anywhere():
    assert MetricsAccess(TOKEN).refusal({"authorization": f"bearer {TOKEN}", "x-forwarded-for": "1.2.3.4"},
                                        "203.0.113.9") is None


def test_the_token_is_a_real_secret_and_never_printed():
    assert metrics_token_from({}) is None
    with pytest.raises(MetricsTokenError, match="at least 32"):
        metrics_token_from({"METRICS_TOKEN": "short"})
    assert TOKEN not in repr(MetricsAccess.from_environ({"METRICS_TOKEN": TOKEN}))
    assert not is_loopback("localhost"), "a name is not an address"


def test_several_workers_without_a_shared_directory_are_warned_about(monkeypatch, caplog):
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    monkeypatch.setenv("SANIC_WORKERS", "1")
    warn_unless_workers_share("SANIC_WORKERS")
    assert not caplog.text
    monkeypatch.setenv("SANIC_WORKERS", "3")
    warn_unless_workers_share("SANIC_WORKERS")
    assert "PROMETHEUS_MULTIPROC_DIR" in caplog.text


WORKER = textwrap.dedent("""
    import sys
    from metrics_export import start_multiprocess_dir, forget_this_worker
    if sys.argv[1] == "main":
        start_multiprocess_dir()        # the main process, before any metric exists
        sys.exit()
    from prometheus_client import Counter, Gauge
    served = Counter("served", "messages", ["channel"])
    busy = Gauge("busy", "in progress", multiprocess_mode="livesum")
    served.labels("rest").inc(int(sys.argv[2]))
    busy.inc()
    if sys.argv[1] == "stopping":
        forget_this_worker()
""")
PAGE = "from metrics_export import MetricsPage; print(MetricsPage().render()[0].decode())"


def run_python(code: str, *args: str, multiproc_dir: Path) -> str:
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(multiproc_dir), "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True, text=True,
                          timeout=60, check=True)
    return done.stdout


def values(text: str) -> dict:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def test_one_scrape_sums_the_workers_and_a_restart_starts_from_zero(tmp_path):
    folder = tmp_path / "multiproc"
    run_python(WORKER, "main", multiproc_dir=folder)
    run_python(WORKER, "serving", "2", multiproc_dir=folder)
    run_python(WORKER, "stopping", "3", multiproc_dir=folder)
    seen = values(run_python(PAGE, multiproc_dir=folder))
    assert seen[("served_total", (("channel", "rest"),))] == 5
    assert seen[("busy", ())] == 1, "the stopped worker's live gauge no longer counts"

    run_python(WORKER, "main", multiproc_dir=folder)  # the next start of the server
    assert ("served_total", (("channel", "rest"),)) not in values(run_python(PAGE, multiproc_dir=folder))

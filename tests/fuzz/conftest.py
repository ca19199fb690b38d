"""The fuzz tests' fixtures: the real console app in its own process, from a copy of the code and
the owner's files (see fuzz_support.py), logged in as an agent and as the owner; the figures,
written to FUZZ_SUMMARY at the end of the session."""
from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from fuzz_support import (ACK_SECONDS, AGENT_PASSWORD, COPIED, OWNER_PASSWORD, ROOT, Figures, FuzzConsole,
                          free_port)


def _copy_root(target: Path) -> None:
    ignore = shutil.ignore_patterns("__pycache__", "node_modules", "*.pyc")
    packages = [p.name for p in ROOT.iterdir() if (p / "__init__.py").is_file() and p.name != "tests"]
    for name in (*packages, *COPIED):
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=ignore)
        elif source.exists():
            shutil.copy2(source, target / name)


def _login(url: str, area: str, user: str, password: str) -> requests.Session:
    client = requests.Session()
    page = client.get(f"{url}/{area}/login", timeout=ACK_SECONDS).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    resp = client.post(f"{url}/{area}/login", data={"csrf_token": token, "username": user, "password": password},
                       timeout=ACK_SECONDS)
    assert resp.status_code == 200 and resp.url.endswith(f"/{area}"), (area, resp.status_code, resp.url)
    return client


@pytest.fixture(scope="session")
def fuzz_figures():
    figures = Figures()
    yield figures
    target = os.environ.get("FUZZ_SUMMARY")
    if target:
        path = Path(target)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(figures.summary(), ensure_ascii=False, indent=2) + "\n", encoding="utf8")


@pytest.fixture(scope="session")
def fuzz_console(tmp_path_factory, fuzz_figures):
    work = tmp_path_factory.mktemp("fuzz")
    root = work / "root"
    _copy_root(root)
    port = free_port()
    unreachable_rasa = free_port(exclude=(port,))  # nothing listens there: the bot is unavailable
    env = {**{k: v for k, v in os.environ.items() if k not in ("AGENT_USERS", "OWNER_USERS", "REDIS_URL")},
           "CONSOLE_ENV": "development", "CONSOLE_HOST": "127.0.0.1", "CONSOLE_PORT": str(port),
           "CONSOLE_SECRET": secrets.token_urlsafe(40), "AGENT_PASSWORD": AGENT_PASSWORD,
           "OWNER_PASSWORD": OWNER_PASSWORD, "RASA_URL": f"http://127.0.0.1:{unreachable_rasa}",
           "RASA_TOKEN": secrets.token_hex(8), "RASA_TIMEOUT": "2",
           "HELPDESK_DB_URL": f"sqlite:///{work / 'helpdesk.db'}",
           "RASA_TRACKER_URL": f"sqlite:///{work / 'tracker.db'}", "STORE_CONFIG_DIR": str(root / "store_config"),
           "PYTHONDONTWRITEBYTECODE": "1"}
    log = work / "console.log"
    process = subprocess.Popen([sys.executable, "-m", "console"], cwd=root, env=env,
                               stdout=log.open("wb"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None:
            pytest.fail(f"the console did not start:\n{log.read_text(errors='replace')}")
        try:
            if requests.get(url + "/health", timeout=2).status_code == 200:
                break
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"the console did not answer within 60 s:\n{log.read_text(errors='replace')}")
        time.sleep(0.3)
    console = FuzzConsole(url, process, log, root, fuzz_figures)
    console.start_rss_mb = console.rss_mb()
    fuzz_figures.memory_mb["start"] = round(console.start_rss_mb, 1)
    # Logged in before any login is fuzzed (the login throttle may slow the real names later).
    console.agent = _login(url, "agent", "agent", AGENT_PASSWORD)
    console.owner = _login(url, "owner", "owner", OWNER_PASSWORD)
    yield console
    alive = process.poll() is None
    if not alive:
        fuzz_figures.crashes += 1
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()

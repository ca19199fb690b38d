"""Start-up settings and agent credentials: no default password in production, hashes only."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from console.credentials import load_agent_users
from console.passwords import hash_password, verify_password
from console.settings import SettingsError, load_settings

ROOT = Path(__file__).resolve().parents[2]
SECRET = "k" * 40


def users_file(tmp_path, users) -> str:
    path = tmp_path / "agents.json"
    path.write_text(json.dumps(users))
    return str(path)


def test_defaults(tmp_path):
    settings = load_settings({}, root=tmp_path)
    assert (settings.env, settings.host, settings.port) == ("development", "127.0.0.1", 8080)
    assert settings.rasa_url == "http://127.0.0.1:5005" and settings.rasa_timeout == 10
    assert settings.db_url.endswith("var/helpdesk.db")
    assert not settings.cookie_secure


def test_development_generates_the_secret_once(tmp_path):
    first = load_settings({}, root=tmp_path).secret
    assert len(first) >= 32 and (tmp_path / "var" / "console-secret").read_text() == first
    assert load_settings({}, root=tmp_path).secret == first
    assert oct((tmp_path / "var" / "console-secret").stat().st_mode)[-3:] == "600"


def test_settings_never_print_secrets(tmp_path):
    settings = load_settings({"CONSOLE_SECRET": SECRET, "RASA_TOKEN": "tok3n"}, root=tmp_path)
    assert SECRET not in repr(settings) and "tok3n" not in repr(settings)


@pytest.mark.parametrize("environ, complaint", [
    ({"CONSOLE_SECRET": SECRET}, "AGENT_USERS"),
    ({"AGENT_USERS": "/x.json"}, "CONSOLE_SECRET is required"),
    ({"CONSOLE_SECRET": SECRET, "AGENT_USERS": "/x.json", "AGENT_PASSWORD": "pw"}, "development only"),
    ({"CONSOLE_SECRET": "short", "AGENT_USERS": "/x.json"}, "at least 32"),
])
def test_production_refuses_to_start_without_real_credentials(tmp_path, environ, complaint):
    with pytest.raises(SettingsError, match=complaint):
        load_settings({"CONSOLE_ENV": "production", **environ}, root=tmp_path)


def test_production_cookies_are_secure(tmp_path):
    environ = {"CONSOLE_ENV": "production", "CONSOLE_SECRET": SECRET,
               "AGENT_USERS": users_file(tmp_path, {"xiaomei": hash_password("pw-12345678")})}
    settings = load_settings(environ, root=tmp_path)
    assert settings.cookie_secure
    assert list(load_agent_users(settings)) == ["xiaomei"]


def test_an_unknown_environment_is_refused(tmp_path):
    with pytest.raises(SettingsError, match="CONSOLE_ENV"):
        load_settings({"CONSOLE_ENV": "staging"}, root=tmp_path)


def test_development_creates_one_agent_and_shows_the_password_once(tmp_path, caplog):
    settings = load_settings({}, root=tmp_path)
    users = load_agent_users(settings)
    stored = (tmp_path / "var" / "agent-users.json").read_text()
    note = (tmp_path / ".run" / "agent-password.txt").read_text()
    password = note.split("password: ")[1].strip()
    assert list(users) == ["agent"] and verify_password(password, users["agent"])
    assert password not in stored, "only the hash is stored"
    assert password in caplog.text
    caplog.clear()
    assert load_agent_users(load_settings({}, root=tmp_path)) == users, "kept across restarts"
    assert password not in caplog.text


def test_agent_password_sets_the_development_password(tmp_path):
    users = load_agent_users(load_settings({"AGENT_PASSWORD": "let-me-in"}, root=tmp_path))
    assert verify_password("let-me-in", users["agent"])
    assert not (tmp_path / "var" / "agent-users.json").exists()


@pytest.mark.parametrize("content, complaint", [
    ("not json", "not valid JSON"),
    ("{}", "at least one user"),
    ('{"xiaomei": "plaintext-password"}', "no valid hash"),
])
def test_a_bad_users_file_is_explained(tmp_path, content, complaint):
    path = tmp_path / "agents.json"
    path.write_text(content)
    with pytest.raises(SettingsError, match=complaint):
        load_agent_users(load_settings({"AGENT_USERS": str(path)}, root=tmp_path))


def test_password_hashes_are_salted_and_checked(tmp_path):
    first, second = hash_password("secret-1"), hash_password("secret-1")
    assert first != second and first.startswith("scrypt$")
    assert verify_password("secret-1", first) and verify_password("secret-1", second)
    assert not verify_password("secret-2", first)
    assert not verify_password("secret-1", None)


def test_the_hash_command(tmp_path):
    done = subprocess.run([sys.executable, "-m", "console.passwords", "hash"], input="pw-12345678\n",
                          capture_output=True, text=True, cwd=ROOT, check=True)
    assert verify_password("pw-12345678", done.stdout.strip())


def test_the_app_refuses_to_start_in_production_without_credentials(tmp_path):
    done = subprocess.run([sys.executable, "-m", "console"], capture_output=True, text=True, cwd=ROOT,
                          env={"PATH": "/usr/bin:/bin", "CONSOLE_ENV": "production", "CONSOLE_SECRET": SECRET},
                          timeout=60)
    assert done.returncode == 2
    assert "AGENT_USERS" in done.stderr and "python -m console.passwords hash" in done.stderr

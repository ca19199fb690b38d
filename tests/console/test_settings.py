"""Start-up settings and console accounts: no default password in production, hashes only, first-run
passwords in private files and never in a log, an owner account required."""
from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from console.credentials import ensure_accounts
from console.passwords import hash_password, verify_password
from console.settings import SettingsError, load_settings
from helpdesk import Accounts, open_database
from store import CHINA

ROOT = Path(__file__).resolve().parents[2]
SECRET = "k" * 40
NOW = dt.datetime(2026, 11, 30, 9, 0, tzinfo=CHINA)


def users_file(tmp_path, users, name="agents.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(users))
    return str(path)


def accounts_of(settings, tmp_path) -> Accounts:
    accounts = Accounts(open_database(f"sqlite:///{tmp_path / 'helpdesk.db'}", zone=CHINA))
    ensure_accounts(settings, accounts, NOW)
    return accounts


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
    ({"CONSOLE_SECRET": SECRET, "OWNER_USERS": "/o.json"}, "AGENT_USERS"),
    ({"CONSOLE_SECRET": SECRET, "AGENT_USERS": "/x.json"}, "OWNER_USERS"),
    ({"AGENT_USERS": "/x.json", "OWNER_USERS": "/o.json"}, "CONSOLE_SECRET is required"),
    ({"CONSOLE_SECRET": SECRET, "AGENT_USERS": "/x.json", "OWNER_USERS": "/o.json", "AGENT_PASSWORD": "pw"},
     "development only"),
    ({"CONSOLE_SECRET": SECRET, "AGENT_USERS": "/x.json", "OWNER_USERS": "/o.json", "OWNER_PASSWORD": "pw"},
     "development only"),
    ({"CONSOLE_SECRET": "short", "AGENT_USERS": "/x.json", "OWNER_USERS": "/o.json"}, "at least 32"),
])
def test_production_refuses_to_start_without_real_credentials(tmp_path, environ, complaint):
    with pytest.raises(SettingsError, match=complaint):
        load_settings({"CONSOLE_ENV": "production", **environ}, root=tmp_path)


def test_production_cookies_are_secure(tmp_path):
    environ = {"CONSOLE_ENV": "production", "CONSOLE_SECRET": SECRET, "METRICS_TOKEN": "m" * 32,
               "AGENT_USERS": users_file(tmp_path, {"xiaomei": hash_password("pw-12345678")}),
               "OWNER_USERS": users_file(tmp_path, {"laoban": hash_password("pw-87654321")}, "owners.json")}
    settings = load_settings(environ, root=tmp_path)
    assert settings.cookie_secure
    accounts = accounts_of(settings, tmp_path)
    assert [(a.name, a.role) for a in accounts.all()] == [("xiaomei", "agent"), ("laoban", "owner")]
    assert not (tmp_path / ".run").exists(), "no generated passwords in production"


def test_a_changed_password_survives_a_restart_with_the_same_users_file(tmp_path):
    environ = {"AGENT_USERS": users_file(tmp_path, {"xiaomei": hash_password("pw-12345678")}),
               "OWNER_PASSWORD": "owner-pass-1"}
    accounts = accounts_of(load_settings(environ, root=tmp_path), tmp_path)
    accounts.set_password("xiaomei", hash_password("changed-pass-1"), NOW)
    accounts = accounts_of(load_settings(environ, root=tmp_path), tmp_path)
    assert verify_password("changed-pass-1", accounts.get("xiaomei").password_hash)


def test_an_unknown_environment_is_refused(tmp_path):
    with pytest.raises(SettingsError, match="CONSOLE_ENV"):
        load_settings({"CONSOLE_ENV": "staging"}, root=tmp_path)


@pytest.mark.parametrize("role", ["agent", "owner"])
def test_development_creates_one_account_per_role_with_the_password_in_a_private_file(tmp_path, caplog, role):
    accounts = accounts_of(load_settings({}, root=tmp_path), tmp_path)
    note = tmp_path / ".run" / f"{role}-password.txt"
    password = note.read_text().split("password: ")[1].strip()
    assert oct(note.stat().st_mode)[-3:] == "600"
    account = accounts.get(role)
    assert account.role == role and verify_password(password, account.password_hash)
    assert password not in caplog.text, "never in a log"
    assert str(note) in caplog.text, "the log says where it is"
    accounts_of(load_settings({}, root=tmp_path), tmp_path)
    assert accounts.get(role) == account, "kept across restarts"


def test_the_agent_password_of_earlier_versions_is_kept(tmp_path):
    legacy = tmp_path / "var" / "agent-users.json"
    legacy.parent.mkdir()
    legacy.write_text(json.dumps({"agent": hash_password("old-password")}))
    accounts = accounts_of(load_settings({}, root=tmp_path), tmp_path)
    assert verify_password("old-password", accounts.get("agent").password_hash)
    assert not (tmp_path / ".run" / "agent-password.txt").exists()


def test_passwords_from_the_environment_set_the_development_accounts(tmp_path):
    accounts = accounts_of(load_settings({"AGENT_PASSWORD": "let-me-in", "OWNER_PASSWORD": "boss-pass-1"},
                                         root=tmp_path), tmp_path)
    assert verify_password("let-me-in", accounts.get("agent").password_hash)
    assert verify_password("boss-pass-1", accounts.get("owner").password_hash)
    assert not (tmp_path / ".run").exists()


def test_one_name_cannot_be_both_agent_and_owner(tmp_path):
    same = hash_password("pw-12345678")
    environ = {"AGENT_USERS": users_file(tmp_path, {"laoban": same}),
               "OWNER_USERS": users_file(tmp_path, {"laoban": same}, "owners.json")}
    with pytest.raises(SettingsError, match="already an account with the role agent"):
        accounts_of(load_settings(environ, root=tmp_path), tmp_path)


@pytest.mark.parametrize("content, complaint", [
    ("not json", "not valid JSON"),
    ("{}", "at least one user"),
    ('{"xiaomei": "plaintext-password"}', "no valid hash"),
])
def test_a_bad_users_file_is_explained(tmp_path, content, complaint):
    path = tmp_path / "agents.json"
    path.write_text(content)
    with pytest.raises(SettingsError, match=complaint):
        accounts_of(load_settings({"AGENT_USERS": str(path)}, root=tmp_path), tmp_path)


def test_password_hashes_are_salted_and_checked(tmp_path):
    first, second = hash_password("secret-1"), hash_password("secret-1")
    assert first != second and first.startswith("$argon2id$")
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
    done = subprocess.run([sys.executable, "-m", "console"], capture_output=True, text=True, cwd=ROOT,
                          env={"PATH": "/usr/bin:/bin", "CONSOLE_ENV": "production", "CONSOLE_SECRET": SECRET,
                               "AGENT_USERS": users_file(tmp_path, {"xiaomei": hash_password("pw-12345678")})},
                          timeout=60)
    assert done.returncode == 2 and "OWNER_USERS" in done.stderr

"""Console accounts at start-up. The accounts live in the helpdesk database (`Accounts`), where a
changed password is kept; this only adds the configured ones that are missing:

- AGENT_USERS / OWNER_USERS: JSON files {"name": "<hash>"} (required in production): Argon2id
  from `python -m console.passwords hash`, or the scrypt hashes of earlier versions, which the
  first login after the upgrade replaces with Argon2id in the database (console/auth.py);
- development without them: one `agent` and one `owner`, each with a generated password written
  once to .run/<role>-password.txt (mode 600), never into a log; AGENT_PASSWORD / OWNER_PASSWORD
  (development only, for tests) set those passwords instead."""
from __future__ import annotations

import datetime as dt
import json
import logging
import secrets
from pathlib import Path
from typing import Optional

from helpdesk import Accounts

from .passwords import hash_password, is_hash
from .settings import Settings, SettingsError

logger = logging.getLogger(__name__)
DEV_USERS = {"agent": "agent", "owner": "owner"}   # role → development account name


def _read_users(path: Path, variable: str) -> dict[str, str]:
    try:
        users = json.loads(path.read_text(encoding="utf8"))
    except OSError as err:
        raise SettingsError(f"{variable}: cannot read {path}: {err.strerror}")
    except ValueError as err:
        raise SettingsError(f"{variable}: {path} is not valid JSON: {err}")
    if not isinstance(users, dict) or not users:
        raise SettingsError(f'{variable}: {path} must be a JSON object {{"username": "<hash>"}} with at least one user')
    bad = [name for name, value in users.items() if not name.strip() or not is_hash(value)]
    if bad:
        raise SettingsError(f"{variable}: {path}: {bad} have no valid hash; make one with: "
                            "python -m console.passwords hash")
    return users


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.chmod(0o600)
    path.write_text(text, encoding="utf8")


def _development_account(settings: Settings, accounts: Accounts, role: str, password: Optional[str],
                         now: dt.datetime) -> None:
    name = DEV_USERS[role]
    if password:  # tests and scripted set-ups: the given password, every start
        if not accounts.add(name, role, hash_password(password), now):
            accounts.set_password(name, hash_password(password), now)
        return
    if any(a.role == role for a in accounts.all()):
        return
    legacy = settings.var_dir / "agent-users.json"   # the agent password of earlier versions
    if role == "agent" and legacy.exists():
        for user, stored in _read_users(legacy, str(legacy)).items():
            accounts.add(user, "agent", stored, now)
        return
    password = secrets.token_urlsafe(12)
    accounts.add(name, role, hash_password(password), now)
    note = settings.run_dir / f"{role}-password.txt"
    _write_private(note, f"user: {name}\npassword: {password}\n")
    logger.warning("development %s login created: user %r, password in %s (set %s_USERS for real accounts)",
                   role, name, note, role.upper())


def ensure_accounts(settings: Settings, accounts: Accounts, now: dt.datetime) -> None:
    """Adds the configured accounts that are missing; refuses a production start without an owner."""
    files = {"agent": (settings.agent_users_file, "AGENT_USERS"), "owner": (settings.owner_users_file, "OWNER_USERS")}
    passwords = {"agent": settings.agent_password, "owner": settings.owner_password}
    for role, (path, variable) in files.items():
        if path:
            for user, stored in _read_users(path, variable).items():
                if not accounts.add(user, role, stored, now):
                    existing = accounts.get(user)
                    if existing and existing.role != role:
                        raise SettingsError(f"{variable}: {user!r} is already an account with the role {existing.role}")
        elif settings.production:  # load_settings refuses this already; never fall through to a default
            raise SettingsError(f"no {role} credentials in production: set {variable}")
        else:
            _development_account(settings, accounts, role, passwords[role], now)
    if not any(a.role == "owner" for a in accounts.all()):
        raise SettingsError("no owner account: set OWNER_USERS")

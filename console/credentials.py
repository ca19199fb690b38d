"""Agent accounts: {user name: password hash}. Production reads them from the AGENT_USERS file;
development without that file gets one user `agent` whose password is printed once."""
from __future__ import annotations

import json
import logging
import secrets

from .passwords import hash_password, is_hash
from .settings import Settings, SettingsError

logger = logging.getLogger(__name__)
DEV_USER = "agent"


def _read_users(path) -> dict[str, str]:
    try:
        users = json.loads(path.read_text(encoding="utf8"))
    except OSError as err:
        raise SettingsError(f"AGENT_USERS: cannot read {path}: {err.strerror}")
    except ValueError as err:
        raise SettingsError(f"AGENT_USERS: {path} is not valid JSON: {err}")
    if not isinstance(users, dict) or not users:
        raise SettingsError(f'AGENT_USERS: {path} must be a JSON object {{"username": "<hash>"}} with at least one user')
    bad = [name for name, value in users.items() if not name.strip() or not is_hash(value)]
    if bad:
        raise SettingsError(f"AGENT_USERS: {path}: {bad} have no valid hash; make one with: "
                            "python -m console.passwords hash")
    return users


def _generated_dev_user(settings: Settings) -> dict[str, str]:
    """Keep only the hash under var/; show the password once (log and .run/agent-password.txt)."""
    path = settings.var_dir / "agent-users.json"
    if path.exists():
        logger.info("development login: user %r, password in %s (generated earlier)", DEV_USER,
                    settings.run_dir / "agent-password.txt")
        return _read_users(path)
    password = secrets.token_urlsafe(12)
    users = {DEV_USER: hash_password(password)}
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_text(json.dumps(users), encoding="utf8")
    settings.run_dir.mkdir(parents=True, exist_ok=True)
    note = settings.run_dir / "agent-password.txt"
    note.touch(mode=0o600)
    note.write_text(f"user: {DEV_USER}\npassword: {password}\n", encoding="utf8")
    logger.warning("development login created: user %r, password %s (also in %s; set AGENT_USERS "
                   "for real accounts)", DEV_USER, password, note)
    return users


def load_agent_users(settings: Settings) -> dict[str, str]:
    if settings.agent_users_file:
        return _read_users(settings.agent_users_file)
    if settings.production:  # load_settings refuses this already; never fall through to a default
        raise SettingsError("no agent credentials in production: set AGENT_USERS")
    if settings.agent_password:
        return {DEV_USER: hash_password(settings.agent_password)}
    return _generated_dev_user(settings)

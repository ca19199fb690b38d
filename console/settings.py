"""Settings from environment variables, read once at start-up and passed to `create_app`."""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Optional

from helpdesk import database_url_from_env
from metrics_export import MetricsTokenError, metrics_token_from

from .rasa_client import DEFAULT_CONCURRENCY

ROOT = Path(__file__).resolve().parents[1]
ENVIRONMENTS = ("development", "production")
MIN_SECRET_CHARS = 32
REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


class SettingsError(Exception):
    """A setting is missing or wrong; the message says which variable and how to fix it."""


@dataclass(frozen=True)
class Settings:
    env: str
    host: str
    port: int
    rasa_url: str
    rasa_token: Optional[str]
    rasa_timeout: float
    rasa_concurrency: int         # requests in flight to Rasa at once; the others wait (rasa_client.py)
    db_url: str
    secret: str
    agent_users_file: Optional[Path]
    agent_password: Optional[str]
    owner_users_file: Optional[Path]
    owner_password: Optional[str]
    var_dir: Path                 # generated secret and development credentials
    run_dir: Path                 # the development password, for the person running the app
    cookie_secure: bool
    sync_interval: float = 30.0   # seconds between retries of agent replies Rasa has not got yet
    redis_url: Optional[str] = None  # set: socket.io rooms shared by every console instance (Redis pub/sub)
    redis_timeout: float = 2.0    # seconds: an unreachable Redis must not hold up a reply to a shopper
    metrics_token: Optional[str] = None  # bearer token for /metrics; unset: this machine only
    trusted_proxies: tuple = ()   # networks whose X-Forwarded-For / -Proto are believed (TRUSTED_PROXIES)
    session_idle_seconds: float = 3600.0      # a login ends after this long without a request
    session_max_seconds: float = 12 * 3600.0  # and this long after it began, whatever the activity

    @property
    def production(self) -> bool:
        return self.env == "production"

    def __repr__(self) -> str:  # never print the secret or the tokens
        return f"Settings(env={self.env!r}, host={self.host!r}, port={self.port}, rasa_url={self.rasa_url!r})"


def _flag(value: str, name: str) -> bool:
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name} must be 1/true or 0/false, got {value!r}")


def _number(environ: Mapping[str, str], name: str, default, kind=int):
    try:
        return kind(environ.get(name) or default)
    except ValueError:
        raise SettingsError(f"{name} must be a number, got {environ.get(name)!r}")


def _at_least_one(environ: Mapping[str, str], name: str, default: int) -> int:
    value = _number(environ, name, default)
    if value < 1:
        raise SettingsError(f"{name} must be at least 1, got {value}")
    return value


def _secret(environ: Mapping[str, str], env: str, var_dir: Path) -> str:
    secret = environ.get("CONSOLE_SECRET", "")
    if secret:
        if len(secret) < MIN_SECRET_CHARS:
            raise SettingsError(f"CONSOLE_SECRET must be at least {MIN_SECRET_CHARS} characters; "
                                "make one with: python -c 'import secrets; print(secrets.token_urlsafe(48))'")
        return secret
    if env == "production":
        raise SettingsError("CONSOLE_SECRET is required when CONSOLE_ENV=production (it signs the "
                            "shoppers' and agents' cookies); make one with: "
                            "python -c 'import secrets; print(secrets.token_urlsafe(48))'")
    path = var_dir / "console-secret"  # development: generated once, kept across restarts
    if not path.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(48))
    return path.read_text().strip()


def _redis_url(environ: Mapping[str, str]) -> Optional[str]:
    url = environ.get("REDIS_URL") or None
    if url and not url.startswith(REDIS_SCHEMES):  # the URL may hold a password: never echo it
        raise SettingsError(f"REDIS_URL must start with one of {', '.join(REDIS_SCHEMES)}")
    return url


def _metrics_token(environ: Mapping[str, str], env: str) -> Optional[str]:
    try:
        token = metrics_token_from(environ)
    except MetricsTokenError as err:
        raise SettingsError(str(err)) from None
    if env == "production" and not token:  # behind nginx on this host every client looks local
        raise SettingsError("METRICS_TOKEN is required when CONSOLE_ENV=production (Prometheus sends it as "
                            "a bearer token to read /metrics); make one with: "
                            "python -c 'import secrets; print(secrets.token_urlsafe(32))'")
    return token


def _trusted_proxies(environ: Mapping[str, str]) -> tuple:
    from .trusted_proxies import parse_networks
    try:
        return parse_networks(environ.get("TRUSTED_PROXIES") or "")
    except ValueError as err:
        raise SettingsError(f"TRUSTED_PROXIES: {err}; list the proxies' addresses or networks, "
                            "e.g. 127.0.0.1,10.0.0.0/8") from None


def load_settings(environ: Mapping[str, str] = os.environ, root: Path = ROOT) -> Settings:
    env = environ.get("CONSOLE_ENV") or "development"
    if env not in ENVIRONMENTS:
        raise SettingsError(f"CONSOLE_ENV must be one of {ENVIRONMENTS}, got {env!r}")
    var_dir = root / "var"
    users, owners = environ.get("AGENT_USERS"), environ.get("OWNER_USERS")
    for name, value in (("AGENT_USERS", users), ("OWNER_USERS", owners)):
        if env == "production" and not value:
            raise SettingsError(f"no {name[:5].lower()} credentials: CONSOLE_ENV=production needs {name}, the "
                                "path of a JSON file {\"username\": \"<hash>\"}; make each hash with: "
                                "python -m console.passwords hash")
    password, owner_password = environ.get("AGENT_PASSWORD") or None, environ.get("OWNER_PASSWORD") or None
    for name, value in (("AGENT_PASSWORD", password), ("OWNER_PASSWORD", owner_password)):
        if env == "production" and value:
            raise SettingsError(f"{name} is for development only; in production list the accounts "
                                f"in the {name.split('_')[0]}_USERS file")
    return Settings(
        env=env,
        host=environ.get("CONSOLE_HOST") or "127.0.0.1",
        port=_number(environ, "CONSOLE_PORT", 8080),
        rasa_url=(environ.get("RASA_URL") or "http://127.0.0.1:5005").rstrip("/"),
        rasa_token=environ.get("RASA_TOKEN") or None,
        rasa_timeout=_number(environ, "RASA_TIMEOUT", 10, float),
        rasa_concurrency=_at_least_one(environ, "RASA_CONCURRENCY", DEFAULT_CONCURRENCY),
        db_url=database_url_from_env(environ),
        secret=_secret(environ, env, var_dir),
        agent_users_file=Path(users) if users else None,
        agent_password=password,
        owner_users_file=Path(owners) if owners else None,
        owner_password=owner_password,
        var_dir=var_dir,
        run_dir=root / ".run",
        cookie_secure=_flag(environ.get("CONSOLE_COOKIE_SECURE") or ("1" if env == "production" else "0"),
                            "CONSOLE_COOKIE_SECURE"),
        redis_url=_redis_url(environ),
        redis_timeout=_number(environ, "REDIS_TIMEOUT", 2, float),
        metrics_token=_metrics_token(environ, env),
        trusted_proxies=_trusted_proxies(environ),
        session_idle_seconds=60 * _number(environ, "CONSOLE_SESSION_IDLE_MINUTES", 60, float),
        session_max_seconds=3600 * _number(environ, "CONSOLE_SESSION_MAX_HOURS", 12, float),
    )

"""The processes of the production profile for the integration run: two Rasa instances, the action
server (two workers) and two console instances, each started from this repository the way a
deployment starts it, with the environment endpoints.production.yml names (ports, passwords and
tokens from the run's services.env, generated per run). The checks kill and restart them.

    stack = Stack.from_run_dir(run_dir); stack.start_all(); stack.kill("rasa-1"); stack.start("rasa-1")

Logs: <run dir>/logs/<name>.log. Every process is in its own process group, so a kill reaches a
server's workers too.
"""
from __future__ import annotations

import os
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import requests

ROOT = Path(__file__).resolve().parents[2]
PY = str(ROOT / ".venv" / "bin" / "python")
# Rasa loads its model in its event loop; two instances on two cores take 30–60 s to be ready.
READY_TIMEOUT_S = {"rasa": 240, "actions": 90, "console": 60}


def read_env_file(path: Path) -> dict[str, str]:
    values = {}
    for line in Path(path).read_text().splitlines():
        if "=" in line and not line.lstrip().startswith("#"):
            key, value = line.split("=", 1)
            values[key.strip()] = value.strip()
    return values


@dataclass
class Process:
    name: str
    kind: str                      # rasa | actions | console
    argv: list[str]
    env: dict[str, str]
    port: int
    ready_path: str
    log: Path
    popen: Optional[subprocess.Popen] = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None


class Stack:
    def __init__(self, services: dict[str, str], run_dir: Path) -> None:
        self.services, self.run_dir = services, Path(run_dir)
        self.logs = self.run_dir / "logs"
        self.logs.mkdir(exist_ok=True)
        self.processes = {p.name: p for p in self._processes()}

    @classmethod
    def from_run_dir(cls, run_dir: Path) -> "Stack":
        return cls(read_env_file(Path(run_dir) / "services.env"), run_dir)

    # --- what runs, with which environment -----------------------------------------------------
    def _base_env(self) -> dict[str, str]:
        keep = ("PATH", "LANG", "LC_ALL", "HOME", "TZ", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "STORE_CONFIG_DIR")
        env = {k: v for k, v in os.environ.items() if k in keep}
        env.update(RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="2", PYTHONHASHSEED="0",
                   SQLALCHEMY_SILENCE_UBER_WARNING="1", PYTHONUNBUFFERED="1",
                   METRICS_TOKEN=self.services["METRICS_TOKEN"])   # /metrics on every process
        return env

    @property
    def helpdesk_db_url(self) -> str:
        s = self.services
        return f"postgresql://helpdesk:{s['HELPDESK_DB_PASSWORD']}@127.0.0.1:{s['POSTGRES_PORT']}/helpdesk"

    @property
    def tracker_db_url(self) -> str:
        s = self.services
        return f"postgresql://rasa:{s['POSTGRES_PASSWORD']}@127.0.0.1:{s['POSTGRES_PORT']}/rasa_tracker"

    @property
    def public_url(self) -> str:
        return f"https://127.0.0.1:{self.services['NGINX_PUBLIC_PORT']}"

    @property
    def internal_url(self) -> str:
        return f"http://127.0.0.1:{self.services['NGINX_INTERNAL_PORT']}"

    def _rasa_env(self) -> dict[str, str]:
        s = self.services
        return {**self._base_env(),
                "ACTION_SERVER_URL": f"http://127.0.0.1:{s['ACTION_PORT']}/webhook",
                "ACTION_SERVER_TOKEN": s["ACTION_SERVER_TOKEN"],
                "POSTGRES_HOST": "127.0.0.1", "POSTGRES_PORT": s["POSTGRES_PORT"],
                "RASA_TRACKER_DB_NAME": "rasa_tracker", "POSTGRES_USER": "rasa",
                "POSTGRES_PASSWORD": s["POSTGRES_PASSWORD"],
                "REDIS_HOST": "127.0.0.1", "REDIS_PORT": s["REDIS_PORT"], "REDIS_PASSWORD": s["REDIS_PASSWORD"],
                "REDIS_LOCK_DB": "0",
                "RABBITMQ_HOST": "127.0.0.1", "RABBITMQ_PORT": s["RABBITMQ_PORT"],
                "RABBITMQ_USER": s["RABBITMQ_USER"], "RABBITMQ_PASSWORD": s["RABBITMQ_PASSWORD"],
                "MODEL_SERVER_URL": f"{self.internal_url}/models/live.tar.gz",
                "MODEL_SERVER_TOKEN": s["MODEL_SERVER_TOKEN"],
                # A killed instance's locks expire in time for its conversations to go on elsewhere.
                "TICKET_LOCK_LIFETIME": "10", "SANIC_WORKERS": "1"}

    def _console_env(self, port: str) -> dict[str, str]:
        s = self.services
        return {**self._base_env(), "CONSOLE_ENV": "production", "CONSOLE_SECRET": s["CONSOLE_SECRET"],
                "AGENT_USERS": str(self.run_dir / "accounts" / "agents.json"),
                "OWNER_USERS": str(self.run_dir / "accounts" / "owners.json"),
                "REDIS_URL": f"redis://:{s['REDIS_PASSWORD']}@127.0.0.1:{s['REDIS_PORT']}/1",
                "HELPDESK_DB_URL": self.helpdesk_db_url,
                "CONSOLE_HOST": "127.0.0.1", "CONSOLE_PORT": port,
                "TRUSTED_PROXIES": "127.0.0.1",   # nginx, on loopback here
                "RASA_URL": self.internal_url, "RASA_TOKEN": s["RASA_TOKEN"],
                "RASA_TRACKER_URL": (f"postgresql://tracker_reader:{s['TRACKER_READER_PASSWORD']}"
                                     f"@127.0.0.1:{s['POSTGRES_PORT']}/rasa_tracker"),
                "RASA_INSTANCE_URLS": " ".join(self.rasa_urls())}

    def rasa_urls(self) -> list[str]:
        s = self.services
        return [f"http://127.0.0.1:{s['RASA_1_PORT']}", f"http://127.0.0.1:{s['RASA_2_PORT']}"]

    def _processes(self) -> list[Process]:
        s, model = self.services, str(self.run_dir / "models" / "live.tar.gz")
        processes = []
        for index in (1, 2):
            port = s[f"RASA_{index}_PORT"]
            # The model comes from the model store (endpoints' `models:`); --model is Rasa's
            # required argument and names the same shelf.
            argv = [PY, "-m", "rasa_server_plugins", "run", "--model", model, "-i", "127.0.0.1", "-p", port,
                    "--enable-api", "--auth-token", s["RASA_TOKEN"], "--endpoints", "endpoints.production.yml",
                    "--credentials", "credentials.yml", "--cors", ""]
            processes.append(Process(f"rasa-{index}", "rasa", argv, self._rasa_env(), int(port),
                                     f"/status?token={s['RASA_TOKEN']}", self.logs / f"rasa-{index}.log"))
        actions_env = {**self._base_env(), "ACTION_SERVER_TOKEN": s["ACTION_SERVER_TOKEN"],
                       "HELPDESK_DB_URL": self.helpdesk_db_url, "ACTION_SERVER_SANIC_WORKERS": "2",
                       "SANIC_HOST": "127.0.0.1"}
        processes.append(Process("actions", "actions", [PY, "-m", "rasa_sdk", "--actions", "actions", "-p", s["ACTION_PORT"]],
                                 actions_env, int(s["ACTION_PORT"]), "/health", self.logs / "actions.log"))
        for index in (1, 2):
            port = s[f"CONSOLE_{index}_PORT"]
            processes.append(Process(f"console-{index}", "console", [PY, "-m", "console"], self._console_env(port),
                                     int(port), "/health", self.logs / f"console-{index}.log"))
        return processes

    # --- accounts for CONSOLE_ENV=production ----------------------------------------------------
    def write_accounts(self) -> dict[str, str]:
        """agents.json / owners.json ({"name": "<hash>"}) with hashes from `python -m console.passwords
        hash`; returns the generated passwords (they stay in this process)."""
        import json
        import secrets
        folder = self.run_dir / "accounts"
        folder.mkdir(mode=0o700, exist_ok=True)
        passwords = {}
        for file, user in (("agents.json", "agent"), ("owners.json", "owner")):
            password = secrets.token_urlsafe(18)
            hashed = subprocess.run([PY, "-m", "console.passwords", "hash"], input=password + "\n", text=True,
                                    capture_output=True, check=True, cwd=ROOT).stdout.strip()
            path = folder / file
            path.write_text(json.dumps({user: hashed}))
            path.chmod(0o600)
            passwords[user] = password
        return passwords

    # --- starting, stopping ---------------------------------------------------------------------
    def start(self, *names: str, wait: bool = True) -> None:
        for name in names:
            process = self.processes[name]
            if process.running():
                continue
            log = open(process.log, "ab")
            log.write(f"\n--- start {time.strftime('%H:%M:%S')} ---\n".encode())
            log.flush()
            process.popen = subprocess.Popen(process.argv, env=process.env, cwd=ROOT, stdout=log,
                                             stderr=subprocess.STDOUT, start_new_session=True)
            log.close()
            # services.sh down ends whatever is left of the group, should this process die first.
            (self.run_dir / "pids").mkdir(exist_ok=True)
            (self.run_dir / "pids" / name).write_text(str(process.popen.pid))
        if wait:
            self.wait_ready(*names)

    def wait_ready(self, *names: str) -> None:
        for name in names:
            process = self.processes[name]
            deadline = time.monotonic() + READY_TIMEOUT_S[process.kind]
            while not self.ready(name):
                if not process.running():
                    raise RuntimeError(f"{name} exited ({process.popen.returncode if process.popen else '-'}); "
                                       f"last lines of {process.log}:\n{tail(process.log)}")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{name} not ready after {READY_TIMEOUT_S[process.kind]} s; "
                                       f"last lines of {process.log}:\n{tail(process.log)}")
                time.sleep(0.5)

    def ready(self, name: str) -> bool:
        process = self.processes[name]
        try:
            response = requests.get(process.url + process.ready_path, timeout=3)
        except requests.RequestException:
            return False
        if response.status_code != 200:
            return False
        if process.kind == "rasa":  # up, and its model loaded from the model store
            return bool(response.json().get("model_id"))
        return True

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        process = self.processes[name]
        if process.popen is None:
            return
        try:
            os.killpg(process.popen.pid, sig)
        except ProcessLookupError:
            pass
        try:
            process.popen.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.popen.pid, signal.SIGKILL)
            process.popen.wait(timeout=10)

    def stop_all(self) -> None:
        for name in reversed(list(self.processes)):
            if self.processes[name].running():
                self.kill(name, signal.SIGTERM)

    def start_all(self) -> dict[str, float]:
        """Rasa first (slowest), then the action server, then the consoles one after the other (each
        brings the helpdesk tables up to date at start). Returns seconds to ready per group."""
        took = {}
        started = time.monotonic()
        self.start("rasa-1", "rasa-2", wait=False)
        self.start("actions")
        took["actions_ready_s"] = round(time.monotonic() - started, 1)
        self.start("console-1")
        self.start("console-2")
        took["consoles_ready_s"] = round(time.monotonic() - started, 1)
        self.wait_ready("rasa-1", "rasa-2")
        took["rasa_ready_s"] = round(time.monotonic() - started, 1)
        return took


def put_on_shelf(models_dir: Path, source: Path) -> Path:
    """A model shelf of the run's own (tuning's layout: kept/<name>.tar.gz, live.tar.gz → it), with
    a copy of `source` live: the repository's models/ is only read."""
    import shutil

    from tuning import ModelShelf
    shelf = ModelShelf(models_dir)
    shelf.candidates_dir.mkdir(parents=True, exist_ok=True)
    copy = shelf.candidates_dir / Path(source).resolve().name
    shutil.copyfile(Path(source).resolve(), copy)
    kept = shelf.keep(copy)
    if shelf.live() != kept:
        shelf.set_live(kept)
    return kept


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(Path(path).read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"

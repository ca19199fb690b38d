"""The supervised product as `make run` starts it (scripts/run.sh → supervisord with
deploy/supervisord.conf), on given ports with its own scratch RUN_DIR and VAR_DIR, never the
developer's .run/ and var/: for the fault scripts and the tests. It serves a given model file
(RUN_MODEL) and skips the set-up step; everything else is run.sh's own start-up.

Faults are the real thing: `kill -9` of a program's process, SIGSTOP/SIGCONT to hold a request in
flight, SIGTERM of supervisord. The state comes from supervisorctl through the control socket."""
from __future__ import annotations

import os
import secrets
import signal
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Optional

ROOT = Path(__file__).resolve().parents[2]
CONF = ROOT / "deploy" / "supervisord.conf"
SUPERVISORCTL = ROOT / ".venv" / "bin" / "supervisorctl"
PROGRAMS = ("actions", "rasa", "console")


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as resp:
            return resp.status == 200
    except OSError:
        return False


class SupervisedStack:
    """ports: (action server, Rasa, console)."""

    def __init__(self, workdir: Path, model: Path, ports: tuple[int, int, int]) -> None:
        self.workdir, self.model = workdir, model
        self.action_port, self.rasa_port, self.console_port = ports
        self.run_dir, self.var_dir = workdir / "run", workdir / "var"
        self.url = f"http://127.0.0.1:{self.console_port}"
        self.process: Optional[subprocess.Popen] = None
        self.output = workdir / "run.sh.out"
        # Fixed for the stack's life: a restarted console must accept the shoppers' cookies.
        self.env = {
            **{k: v for k, v in os.environ.items() if k not in ("AGENT_USERS", "OWNER_USERS")},
            "RUN_DIR": str(self.run_dir), "VAR_DIR": str(self.var_dir), "RUN_SETUP": "0",
            "RUN_MODEL": str(model), "ACTION_PORT": str(self.action_port), "RASA_PORT": str(self.rasa_port),
            "CONSOLE_PORT": str(self.console_port), "CONSOLE_HOST": "127.0.0.1",
            "CONSOLE_ENV": "development", "CONSOLE_SECRET": secrets.token_urlsafe(40),
            # given, so the console writes no first-run password file into the repository's .run/
            "AGENT_PASSWORD": "faults-" + secrets.token_hex(8), "OWNER_PASSWORD": "faults-" + secrets.token_hex(8),
            "RASA_TRACKER_DB": str(self.var_dir / "rasa-tracker.db"),
            "HELPDESK_DB_URL": f"sqlite:///{self.var_dir / 'helpdesk.db'}",
        }
        for name in ("RASA_TOKEN", "ACTION_SERVER_TOKEN", "RASA_TRACKER_URL", "REDIS_URL"):
            self.env.pop(name, None)   # its own tokens (RUN_DIR/secrets.env), its own stores

    # ---- start and stop -------------------------------------------------------------------

    def start(self, timeout: float = 120) -> float:
        """Starts run.sh; returns the seconds until all three answer."""
        t0 = time.monotonic()
        self.process = subprocess.Popen(["bash", "scripts/run.sh"], cwd=ROOT, env=self.env,
                                        stdout=self.output.open("ab"), stderr=subprocess.STDOUT,
                                        start_new_session=True)
        while not all(self.answering(p) for p in PROGRAMS):
            if self.process.poll() is not None:
                raise RuntimeError(f"run.sh exited with {self.process.returncode}:\n{self.tail()}")
            if time.monotonic() - t0 > timeout:
                self.stop()
                raise RuntimeError(f"the supervised stack did not answer within {timeout:g} s:\n{self.tail()}")
            time.sleep(0.3)
        return time.monotonic() - t0

    def stop(self, timeout: float = 90) -> tuple[Optional[int], float]:
        """SIGTERM to supervisord (what Ctrl-C or systemd does): (exit code, seconds taken)."""
        if self.process is None or self.process.poll() is not None:
            return (self.process.returncode if self.process else None), 0.0
        t0 = time.monotonic()
        self.process.send_signal(signal.SIGTERM)   # run.sh exec'd supervisord: the same pid
        try:
            code = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            code = self.process.wait()
        return code, time.monotonic() - t0

    # ---- looking at it --------------------------------------------------------------------

    def health_url(self, program: str) -> str:
        return {"actions": f"http://127.0.0.1:{self.action_port}/health",
                "rasa": f"http://127.0.0.1:{self.rasa_port}/",
                "console": f"{self.url}/health"}[program]

    def answering(self, program: str) -> bool:
        return answers(self.health_url(program))

    def ctl(self, *args: str) -> str:
        done = subprocess.run([str(SUPERVISORCTL), "-c", str(CONF), *args], cwd=ROOT, capture_output=True,
                              text=True, env={**os.environ, "RUN_DIR": str(self.run_dir)}, timeout=30)
        return done.stdout

    def status(self) -> dict[str, tuple[str, Optional[int]]]:
        """program → (supervisor state, pid)."""
        states = {}
        for line in self.ctl("status").splitlines():
            parts = line.split()
            if len(parts) >= 2 and parts[0] in PROGRAMS:
                pid = int(parts[3].rstrip(",")) if len(parts) > 3 and parts[2] == "pid" else None
                states[parts[0]] = (parts[1], pid)
        return states

    def pid(self, program: str) -> int:
        state, pid = self.status()[program]
        if state != "RUNNING" or pid is None:
            raise RuntimeError(f"{program} is {state}")
        return pid

    def signal(self, program: str, sig: int) -> int:
        pid = self.pid(program)
        os.kill(pid, sig)
        return pid

    def wait_back(self, program: str, old_pid: int, timeout: float = 120) -> Optional[float]:
        """Seconds from now until supervisor reports the program RUNNING under a new pid and it
        answers; None when it did not come back in time."""
        t0 = time.monotonic()
        while time.monotonic() - t0 < timeout:
            state, pid = self.status().get(program, ("?", None))
            if state == "RUNNING" and pid not in (None, old_pid) and self.answering(program):
                return time.monotonic() - t0
            time.sleep(0.2)
        return None

    def supervisor_log(self) -> str:
        path = self.var_dir / "log" / "supervisord.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def tail(self, lines: int = 40) -> str:
        parts = []
        for path in [self.output, *sorted((self.var_dir / "log").glob("*.log"))]:
            if path.exists():
                text = path.read_text(errors="replace").splitlines()[-lines:]
                parts.append(f"----- {path.name} -----\n" + "\n".join(text))
        return "\n".join(parts)

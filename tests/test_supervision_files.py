"""The supervision files say what the README promises (fast, no process started):
deploy/supervisord.conf as supervisord itself reads it (three programs restarted on their own, with
start retries, TERM and a stop wait, rotated logs, the control socket closed to others, no HTTP
control port), and the systemd units of deploy/systemd/ as `systemd-analyze verify` reads them
(Debian's systemd; a parse of the units where it is not installed)."""
from __future__ import annotations

import configparser
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from supervisor.options import ServerOptions

ROOT = Path(__file__).resolve().parents[1]
CONF = ROOT / "deploy" / "supervisord.conf"
UNITS = ROOT / "deploy" / "systemd"
SERVICES = ("actions", "rasa", "console")


@pytest.fixture
def supervisord_options(tmp_path, monkeypatch):
    (tmp_path / "var" / "log").mkdir(parents=True)
    (tmp_path / "run").mkdir()
    for name, value in {"RUN_DIR": tmp_path / "run", "VAR_DIR": tmp_path / "var", "APP_ROOT": ROOT,
                        "ACTION_PORT": 6190, "RASA_PORT": 6191, "CONSOLE_PORT": 6192,
                        "RUN_MODEL": "models/test/store.tar.gz", "RASA_TOKEN": "t" * 48}.items():
        monkeypatch.setenv(name, str(value))
    options = ServerOptions()
    options.realize(args=["-c", str(CONF)])
    return options, tmp_path


def test_supervisord_runs_three_programs_that_restart_on_their_own(supervisord_options):
    options, tmp = supervisord_options
    programs = {p.name: p for group in options.process_group_configs for p in group.process_configs}
    assert set(programs) == set(SERVICES)
    for name, program in programs.items():
        assert program.autorestart is not False, name
        assert program.startretries >= 3, name           # retried with supervisor's growing BACKOFF
        assert program.stopsignal.name == "SIGTERM", name
        assert program.stopwaitsecs >= 20, name          # in-flight messages finish before SIGKILL
        assert program.stopasgroup and program.killasgroup, name
        assert program.stdout_logfile == str(tmp / "var" / "log" / f"{name}.log"), name
        assert program.redirect_stderr and program.stdout_logfile_maxbytes > 0 and program.stdout_logfile_backups > 0
    # Stopped highest priority first: the console, then Rasa, then the action server.
    assert programs["console"].priority > programs["rasa"].priority > programs["actions"].priority
    assert "--auth-token" in programs["rasa"].command and "-i 127.0.0.1" in programs["rasa"].command


def test_supervisord_stays_in_the_foreground_and_logs_what_restarted(supervisord_options):
    options, tmp = supervisord_options
    assert options.nodaemon
    assert options.logfile == str(tmp / "var" / "log" / "supervisord.log")
    assert options.loglevel <= 20   # info: "exited: … (terminated by SIGKILL; not expected)", "spawned"


def test_the_control_surface_is_a_private_unix_socket_only(supervisord_options):
    options, tmp = supervisord_options
    [server] = options.server_configs
    assert server["section"] == "unix_http_server"
    assert server["file"] == str(tmp / "run" / "supervisor.sock")
    assert server["chmod"] == 0o700
    assert "[inet_http_server]" not in CONF.read_text()


def _units() -> list[Path]:
    return sorted(UNITS.glob("*.service")) + sorted(UNITS.glob("*.target"))


def test_systemd_units_verify(tmp_path):
    """systemd-analyze verify on copies whose install root is this checkout (it checks that the
    commands and paths exist); any warning fails."""
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed (apt-get install systemd); the parse test still runs")
    for unit in _units():
        (tmp_path / unit.name).write_text(unit.read_text().replace("/opt/store-assistant", str(ROOT)))
    done = subprocess.run([analyze, "verify", "--man=no", *[str(tmp_path / u.name) for u in _units()]],
                          capture_output=True, text=True, timeout=60, cwd=tmp_path,
                          env={**os.environ, "SYSTEMD_LOG_COLOR": "0"})
    # Lines about the host's own units (this machine may run no systemd) are not ours.
    ours = [line for line in (done.stdout + done.stderr).splitlines() if "store-assistant" in line]
    assert done.returncode == 0 and not ours, done.stdout + done.stderr


def test_systemd_services_restart_on_failure_and_are_hardened():
    services = {}
    for role in SERVICES:
        parser = configparser.ConfigParser(strict=False, interpolation=None)
        parser.optionxform = str
        parser.read_string((UNITS / f"store-assistant-{role}.service").read_text())
        services[role] = parser
        service = parser["Service"]
        assert service["Restart"] == "on-failure" and service["RestartSec"]
        assert service["ExecStart"].endswith(f"deploy/bin/start.sh {role}")   # the image's entry point
        assert service["User"] == "store" and service["NoNewPrivileges"] == "yes"
        assert service["ProtectSystem"] == "strict" and service["PrivateTmp"] == "yes"
        assert service["ReadWritePaths"] and service["KillSignal"] == "SIGTERM"
        assert parser["Unit"]["PartOf"] == "store-assistant.target"
        assert parser["Install"]["WantedBy"] == "store-assistant.target"
    # Started actions → Rasa → console, so stopped console → Rasa → actions.
    assert "store-assistant-actions.service" in services["rasa"]["Unit"]["After"]
    assert "store-assistant-rasa.service" in services["console"]["Unit"]["After"]
    target = (UNITS / "store-assistant.target").read_text()
    assert all(f"store-assistant-{role}.service" in target for role in SERVICES)

"""`make audit`: bandit on the packages that run in production, and pip-audit of requirements.lock.

    .venv/bin/python security/audit.py             both; exit 1 on a finding, 2 when pip-audit's
                                                   vulnerability service did not answer
    .venv/bin/python security/audit.py bandit      bandit only (offline; tests/test_bandit.py)
    .venv/bin/python security/audit.py pip-audit   pip-audit only (needs PyPI's JSON API or OSV)

Both tools run from the tools venv (.tools/venv, requirements-tools.lock, made on first use by
scripts/deploy_check.py). Exceptions are committed next to this file, each with its reason:
bandit.yml (tests that do not apply), bandit-baseline.json + bandit-review.md (reviewed findings),
pip-audit-allowlist.txt (reviewed advisories); advisories-review.md is the review of the
advisories for the main dependencies, kept by hand when no vulnerability service answers.
"""
from __future__ import annotations

import importlib.util
import json
import subprocess  # nosec B404: runs the two tools with argument lists
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HERE = ROOT / "security"
# The packages that run in the services (the layers of .importlinter) and the operator's jobs.
PACKAGES = ["actions", "console", "handoff", "helpdesk", "metrics_export", "nlu_components",
            "rasa_sdk_plugins", "rasa_server_plugins", "store", "tuning", "ops"]
BANDIT_CONFIG, BANDIT_BASELINE = HERE / "bandit.yml", HERE / "bandit-baseline.json"
ALLOWLIST = HERE / "pip-audit-allowlist.txt"
UNREACHABLE = 2


def _tools():
    spec = importlib.util.spec_from_file_location("deploy_check", ROOT / "scripts" / "deploy_check.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def bandit_command(baseline: bool = True) -> list[str]:
    packages = [name for name in PACKAGES if (ROOT / name).is_dir()]
    command = [_tools().tool("bandit"), "-q", "-c", str(BANDIT_CONFIG), "-r", *packages, "-f", "json"]
    return command + (["-b", str(BANDIT_BASELINE)] if baseline else [])


def bandit_findings() -> list[str]:
    """New findings (not in the reviewed baseline), one line each."""
    done = subprocess.run(bandit_command(), cwd=ROOT, capture_output=True, text=True, timeout=300)  # nosec B603
    try:
        report = json.loads(done.stdout)
    except ValueError:
        return [f"bandit failed ({done.returncode}): {done.stderr.strip()[-500:]}"]
    findings = [f"{r['filename']}:{r['line_number']}: {r['test_id']} {r['issue_text']}" for r in report["results"]]
    findings += [f"bandit could not read {e['filename']}: {e['reason']}" for e in report.get("errors", [])]
    return findings


def allowed_advisories() -> dict[str, str]:
    """ID → reason, from pip-audit-allowlist.txt (`ID  package  reason`, # comments)."""
    allowed = {}
    for line in ALLOWLIST.read_text(encoding="utf8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            parts = line.split(None, 2)
            if len(parts) < 3:
                raise ValueError(f"{ALLOWLIST.name}: every entry needs an ID, a package and a reason: {line!r}")
            allowed[parts[0]] = parts[2]
    return allowed


def pip_audit() -> tuple[int, list[str]]:
    """(exit code, lines): 0 clean, 1 advisories not on the allow-list, 2 service unreachable."""
    command = [_tools().tool("pip-audit"), "-r", str(ROOT / "requirements.lock"), "--no-deps", "--disable-pip",
               "--progress-spinner", "off", "-f", "json"]
    for advisory in allowed_advisories():
        command += ["--ignore-vuln", advisory]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=900)  # nosec B603
    try:
        report = json.loads(done.stdout)
    except ValueError:
        return UNREACHABLE, [f"pip-audit failed ({done.returncode}): {done.stderr.strip()[-500:]}"]
    dependencies = report["dependencies"]
    skipped = [d for d in dependencies if "skip_reason" in d]
    found = [f"{d['name']} {d['version']}: {v['id']} (fixed in {', '.join(v.get('fix_versions') or ['-'])})"
             for d in dependencies for v in d.get("vulns", [])]
    if skipped and len(skipped) == len(dependencies):
        return UNREACHABLE, [f"pip-audit: the vulnerability service did not answer for any of {len(dependencies)} "
                             f"packages ({skipped[0]['skip_reason']}); see security/advisories-review.md"]
    lines = found + [f"not audited: {d['skip_reason']}" for d in skipped]
    return (1 if found else 0), lines or [f"pip-audit: {len(dependencies)} packages, no advisory outside the allow-list"]


def main(argv: list[str]) -> int:
    which = argv[1] if len(argv) > 1 else "all"
    status = 0
    if which in ("all", "bandit"):
        findings = bandit_findings()
        print("ok   bandit" if not findings else "FAIL bandit")
        for finding in findings:
            print(f"     {finding}")
        status = max(status, 1 if findings else 0)
    if which in ("all", "pip-audit"):
        code, lines = pip_audit()
        print({0: "ok   pip-audit", 1: "FAIL pip-audit", UNREACHABLE: "SKIP pip-audit"}[code])
        for line in lines:
            print(f"     {line}")
        status = max(status, code) if status != 1 else 1
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))

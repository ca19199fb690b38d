"""bandit on the production packages (security/audit.py, the tools venv): no finding outside the
reviewed baseline, every reviewed finding explained, and the configuration still catches what it
must (a shell command). pip-audit needs a vulnerability service, so it runs in `make audit` only;
its allow-list is checked here for a reason on every entry."""
from __future__ import annotations

import importlib.util
import json
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("security_audit", ROOT / "security" / "audit.py")
audit = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(audit)


def test_bandit_finds_nothing_new_in_the_production_packages():
    assert audit.bandit_findings() == []


def test_every_reviewed_finding_is_explained():
    review = (ROOT / "security" / "bandit-review.md").read_text(encoding="utf8")
    baseline = json.loads(audit.BANDIT_BASELINE.read_text(encoding="utf8"))["results"]
    for result in baseline:
        row = next((line for line in review.splitlines() if f"`{result['filename']}`" in line), "")
        assert result["test_id"] in row, f"{result['filename']} {result['test_id']}: no reason in bandit-review.md"


def test_the_configuration_still_catches_a_shell_command(tmp_path):
    package = tmp_path / "bad"
    package.mkdir()
    (package / "__init__.py").write_text("import subprocess\n\ndef run(name):\n"
                                         "    subprocess.call('ls ' + name, shell=True)\n")
    done = subprocess.run([audit._tools().tool("bandit"), "-q", "-c", str(audit.BANDIT_CONFIG), "-r", str(package),
                           "-f", "json"], capture_output=True, text=True, timeout=120)
    assert {r["test_id"] for r in json.loads(done.stdout)["results"]} == {"B602"}


def test_every_allowed_advisory_has_a_reason():
    allowed = audit.allowed_advisories()
    assert allowed and all(len(reason) > 40 for reason in allowed.values())

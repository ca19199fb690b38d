"""The structure the README's code map describes, kept by tests rather than by memory:
- import-linter's contracts (.importlinter): console and actions above the handoff service, above
  the helpdesk's storage, above the store domain; the domain imports no Rasa, web or database library;
- each of our shared packages is used through its public names (`__all__`) only: no other package
  imports one of its submodules."""
from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("actions", "console", "exact_cors", "handoff", "helpdesk", "metrics_export", "nlu_components", "ops", "rasa_sdk_plugins",
            "rasa_server_plugins", "store", "tuning")
SHARED = ("store", "helpdesk", "handoff", "tuning", "metrics_export", "ops")   # packages other packages build on


def test_import_linter_contracts_are_kept():
    done = subprocess.run([str(Path(sys.executable).parent / "lint-imports"), "--no-cache"], cwd=ROOT,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "0 broken" in done.stdout


@pytest.fixture(scope="module")
def graph():
    sys.path.insert(0, str(ROOT))
    return grimp.build_graph(*PACKAGES, cache_dir=None)


@pytest.mark.parametrize("package", SHARED)
def test_other_packages_use_only_the_public_names(graph, package):
    outside = []
    for module in graph.find_descendants(package):
        for importer in graph.find_modules_that_directly_import(module):
            if not (importer == package or importer.startswith(package + ".")):
                outside.append(f"{importer} imports {module}")
    assert not outside, f"use `from {package} import …` instead: {sorted(outside)}"


@pytest.mark.parametrize("package", SHARED)
def test_the_public_names_exist_and_are_listed_once(package):
    module = importlib.import_module(package)
    assert len(module.__all__) == len(set(module.__all__))
    assert all(hasattr(module, name) for name in module.__all__)

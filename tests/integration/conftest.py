"""The integration run's fixtures. Collected only by `make integration` (scripts/integration/run.sh
sets INTEGRATION_RUN_DIR after starting the engines); `make test` skips this folder, since its
checks need PostgreSQL, Redis, RabbitMQ and nginx running and take minutes.

The session starts the processes (two Rasa instances, the action server, two consoles) and stops
them at the end; every check leaves them all running again. Figures go to
<run dir>/figures.json, printed as a table by run.sh."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

RUN_DIR = os.environ.get("INTEGRATION_RUN_DIR")
if not RUN_DIR:
    collect_ignore_glob = ["test_*.py"]


@pytest.fixture(scope="session")
def world():
    from integration_world import World
    from stack import Stack

    run_dir = Path(RUN_DIR)
    figures_file = run_dir / "figures.json"
    figures = json.loads(figures_file.read_text()) if figures_file.exists() else {}
    stack = Stack.from_run_dir(run_dir)
    stack.write_accounts()
    try:
        figures.setdefault("start", {}).update(stack.start_all())
        yield World(run_dir, stack, figures)
    finally:
        stack.stop_all()
        figures_file.write_text(json.dumps(figures, ensure_ascii=False, indent=1))

"""`make run` under supervisord keeps the web chat answering when a process dies (bounded: about a
minute, most of it Rasa loading the tests' model): the real stack, started by scripts/run.sh on
test ports with its own scratch directories, a shopper on the console's socket.io.

- the action server is killed (kill -9): the shopper's next message gets an answer or the
  apology/ticket within seconds, and supervisor has it RUNNING (and answering) again;
- the console is killed while it answers: the shopper's socket reconnects to the restarted
  console, syncs, and the message it had acknowledged is answered there;
- nothing the shopper sent is lost or answered twice.

The figures come from `make faults` (scripts/faults/process_kills.py), not from this test."""
from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from benchmark.ports import is_free
from scripts.faults.process_kills import kill_action_server, kill_console
from scripts.faults.shopper import Shopper, audit
from scripts.faults.supervised import ROOT, SupervisedStack

pytestmark = pytest.mark.slow
PORT_RANGE = range(6150, 6199, 3)   # this test's share of the supervision ports (6100–6199)
START_SECONDS = float(os.environ.get("E2E_STARTUP_SECONDS", "120"))


def _ports() -> tuple[int, int, int]:
    for first in PORT_RANGE:
        if all(is_free(p) for p in range(first, first + 3)):
            return first, first + 1, first + 2
    pytest.skip("no three free ports in 6150–6198")


@pytest.fixture
def stack(tmp_path):
    model = Path(os.environ.get("TEST_MODEL") or ROOT / "models" / "test" / "store.tar.gz")
    if not model.is_file():
        pytest.skip(f"no trained model at {model}: `make test` trains it before pytest")
    started = SupervisedStack(tmp_path, model, _ports())
    try:
        started.start(timeout=START_SECONDS)
    except RuntimeError as err:
        pytest.fail(str(err))
    yield started
    code, _seconds = started.stop()
    assert code == 0, started.tail()


def test_a_killed_process_is_restarted_while_the_shopper_is_answered(stack):
    async def scenario():
        shopper = await Shopper(stack.url, "supervised").open()
        try:
            actions = await kill_action_server(stack, shopper)
            console = await kill_console(stack, shopper)
            sent = actions.pop("sent") + console.pop("sent")
            return actions, console, audit(await shopper.history(), sent)
        finally:
            await shopper.close()

    actions, console, counted = asyncio.run(scenario())
    details = f"{actions}\n{console}\n{counted}\n{stack.tail(20)}"
    # kill -9 of the action server: the next message is answered (the bot, or the ticket and
    # apology of the "bot unavailable" path) within seconds; the server is back.
    assert actions["answer_s"] is not None and actions["answer_s"] < 15, details
    assert actions["back_s"] is not None and actions["after_back"] == "bot", details
    # kill -9 of the console mid-answer: reconnect, sync, the acknowledged message is answered.
    assert console["reconnected"] and console["answer_s"] is not None and console["answer_s"] < 40, details
    assert console["back_s"] is not None and console["after_back"] == "bot", details
    assert counted["lost"] == 0 and counted["duplicates"] == 0, details
    log = stack.supervisor_log()
    assert "exited: actions (terminated by SIGKILL; not expected)" in log
    assert "exited: console (terminated by SIGKILL; not expected)" in log

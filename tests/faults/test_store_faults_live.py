"""The real action server, Rasa (`python -m rasa_server_plugins run`, the tests' model) and
console, started once for two faults; shoppers on socket.io.

- Rasa's tracker store out of reach (its SQLite file replaced by a directory; its disk full, a
  tmpfs filled to the last block, when the tests run as root): every message is acknowledged and
  answered with "please retry", each conversation is handed to a person once per outage, and once
  the store is back no conversation has forgotten what was said before (figure:
  scripts/faults/tracker_store_faults.py).
- The wall clock jumping under all three processes at once (libfaketime, Debian's `faketime`):
  across the 16:00 cut-off, across midnight into National Day 2026 and back; ship days, ticket
  numbers and due times follow the policy for the time the clock says, nothing is answered twice,
  no answer lease is left behind, and a province said after the jump back is the one priced
  (figure: scripts/faults/clock_jumps.py).

About 50 s, most of it Rasa loading its model."""
from __future__ import annotations

import asyncio
import contextlib
import os

import pytest

from scripts.faults import clock_jumps, store_fault_rig as rig, tracker_store_faults as tracker_faults

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not rig.MODEL.is_file(), reason=f"no trained model at {rig.MODEL} (make test trains it)")]


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("store_faults_live")
    clock = clock_jumps.FakeClock(workdir / "faketime") if clock_jumps.available() else None
    disk = rig.SmallDisk(workdir / "tracker-disk", "4m") if rig.SmallDisk.possible() else None
    with disk or contextlib.nullcontext():
        tracker = (disk.path if disk else workdir) / "tracker.db"
        faked = clock.env() if clock else {}
        with rig.rasa(workdir / "rasa", tracker, extra_env=faked) as rasa:
            helpdesk = workdir / "console-helpdesk.db"
            console = rig.start_console(workdir, helpdesk, rasa.rasa_url, env=faked)
            try:
                yield {"console": console, "tracker": tracker, "helpdesk": helpdesk, "disk": disk,
                       "clock": clock, "workdir": workdir}
            finally:
                console.stop()


def test_a_tracker_store_outage_asks_to_retry_tickets_once_and_forgets_nothing(live):
    faults = tracker_faults.file_faults(live["tracker"], live["disk"])
    results = asyncio.run(tracker_faults.scenario(live["console"].url, live["helpdesk"], faults,
                                                  tracker_faults.sqlite_events(live["tracker"]), shoppers=2, messages=2))
    assert len(results) == (2 if live["disk"] else 1)
    for fault, counts in results.items():
        assert counts["acknowledged"] == counts["messages"] == counts["retry_notices"], f"{fault}: {counts}"
        assert counts["bot_replies"] == 0, f"{fault}: no answer from a context Rasa could not read or keep"
        assert counts["ticket_notices"] == counts["conversations"], f"{fault}: one ticket notice per conversation"
        assert counts["open_tickets_with_the_reason"] == counts["conversations"], f"{fault}: {counts}"
        assert counts["forgotten_contexts"] == 0 and counts["forgotten_in_tracker"] == 0, f"{fault}: {counts}"


def test_answers_follow_the_clock_as_it_jumps_and_nothing_is_answered_twice(live):
    if live["clock"] is None:
        message = f"libfaketime is missing ({clock_jumps.LIBFAKETIME}): apt-get install faketime"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    results = asyncio.run(clock_jumps.scenario(live["console"].url, live["clock"], live["helpdesk"]))
    wrong = [step for step in results["steps"] if not step["ok"]]
    assert not wrong, wrong
    assert results["double_answers"] == 0 and results["leases_left"] == 0, results

"""SIGTERM to the real console while its ticket write waits inside its transaction for a lock
another connection holds (the write began after the bot, a Rasa that never answers, timed out):
after the restart the ticket is wholly absent (the write gave up with the process) or wholly
there, the database is intact, and the shopper's message is ticketed and answered once when the
page reconnects and syncs. About 15 s; both endings with figures:
scripts/faults/ticket_write_sigterm.py."""
from __future__ import annotations

import asyncio

import pytest

from scripts.faults import ticket_write_sigterm as sigterm

pytestmark = pytest.mark.slow


def test_a_ticket_write_killed_midway_leaves_no_half_ticket_and_the_message_is_answered_once(tmp_path):
    counts = asyncio.run(sigterm.one_kill(tmp_path, free_lock_at_once=False, busy_timeout_ms=2000))
    assert counts["tickets_after_kill"] == 0, counts
    assert counts["database_integrity"] == "ok", counts
    assert counts["tickets_after_restart"] == 1 and counts["shopper_messages"] == 1, counts
    assert counts["ticket_notices_shown"] == 1 and counts["answers_shown"] == 1, counts

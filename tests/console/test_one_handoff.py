"""One handoff for every process: the bot's path (the action server's action_handoff) and the
console's "bot unavailable" path open tickets through the same handoff service, so in the same
store they give the same due time, reason labels, transcript record and reply texts; an owner's
edit of the working hours reaches both without a restart."""
from __future__ import annotations

import datetime as dt
import os
import shutil

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.events import UserUttered
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import ActionHandoff
from actions.runtime import build_services
from handoff import Reason
from store import DEFAULT_CONFIG_DIR, describe_due, load_store

pytestmark = pytest.mark.asyncio


@pytest.fixture
def config_dir(tmp_path):
    """A copy of store_config/ the test edits as an owner would (never the shipped files)."""
    copy = tmp_path / "store_config"
    shutil.copytree(DEFAULT_CONFIG_DIR, copy)
    return copy


def edit_working_hours(config_dir, start: str, end: str) -> None:
    path = config_dir / "store.yml"
    raw = yaml.safe_load(path.read_text(encoding="utf8"))
    raw["handoff"]["working_hours"] = {"start": start, "end": end}
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf8")
    later = path.stat().st_mtime + 2  # a new modification time, however coarse the file system's clock
    os.utime(path, (later, later))


def bot_hands_off(services):
    """What Rasa does for 转人工: runs action_handoff on the action server with the tracker."""
    async def answer(body):
        text = body["message"]
        latest = {"text": text, "intent": {"name": "request_human", "confidence": 1.0}, "entities": []}
        tracker = Tracker(body["sender"], {}, latest, [UserUttered(text, parse_data=latest)], False, None, {},
                          "action_listen")
        dispatcher = CollectingDispatcher()
        await ActionHandoff(services).run(dispatcher, tracker, {})
        return [{"recipient_id": body["sender"], "text": m["text"]} for m in dispatcher.messages]
    return answer


async def hand_off_both_ways(console, fake_rasa):
    """A shopper whose 转人工 the bot hands off, and one the bot cannot answer at all."""
    tickets = {}
    for path, mode in (("bot", "reply"), ("console", "empty")):
        fake_rasa.mode = mode
        fake_rasa.answer = fake_rasa.bot if path == "bot" else None
        shopper = await console.shopper()
        sio = await console.socket(shopper)
        assert (await sio.call("send", {"text": f"转人工（{path}）", "client_msg_id": "1"}))["ok"]
        await console.settle()
        conversation = console.app.ctx.shopper_sessions.conversation_of(
            next(c.value for c in shopper.cookie_jar if c.key == "chat_session"))
        tickets[path] = console.tickets.active_for(conversation)
    return tickets["bot"], tickets["console"]


async def test_both_paths_give_the_same_due_time_labels_record_and_texts(start_console, fake_rasa, config_dir,
                                                                         tmp_path, clock):
    console = await start_console(config_dir=config_dir)
    fake_rasa.bot = bot_hands_off(build_services(config_dir, f"sqlite:///{tmp_path / 'helpdesk.db'}", clock))
    by_bot, by_console = await hand_off_both_ways(console, fake_rasa)

    assert by_bot.due_at == by_console.due_at == clock() + dt.timedelta(hours=4, minutes=30)
    assert (by_bot.reasons, by_console.reasons) == (["request_human"], ["bot_unavailable"])

    store = load_store(config_dir)
    due = describe_due(by_bot.due_at, clock())
    for ticket, new_ticket_answer in ((by_bot, "handoff_ticket"), (by_console, "bot_unavailable_ticket")):
        record = console.messages.since(ticket.conversation_id)
        told = store.replies.render(new_ticket_answer, ticket=ticket.number, due=due)[0]
        assert [m.sender for m in record] == ["shopper", "bot" if ticket is by_bot else "system"]
        assert record[-1].text == told, "the shopper is told the owner's text with the ticket's number and due time"
        assert "今天14:30前" in told

    agent = await console.agent()
    for ticket, reason in ((by_bot, Reason.REQUEST_HUMAN), (by_console, Reason.BOT_UNAVAILABLE)):
        async with agent.get(f"/agent/tickets/{ticket.id}") as resp:
            page = await resp.text()
        assert reason.label in page, "the agent sees the reason's one label"
        assert f"转人工（{'bot' if ticket is by_bot else 'console'}）" in page, "the agent reads the record"
        assert "11月25日 14:30" in page


async def test_an_owner_edit_of_the_working_hours_reaches_both_paths_without_a_restart(
        start_console, fake_rasa, config_dir, tmp_path, clock):
    console = await start_console(config_dir=config_dir)
    fake_rasa.bot = bot_hands_off(build_services(config_dir, f"sqlite:///{tmp_path / 'helpdesk.db'}", clock))
    before = await hand_off_both_ways(console, fake_rasa)
    assert {t.due_at for t in before} == {clock() + dt.timedelta(hours=4, minutes=30)}  # half of 09:00–18:00
    for ticket in before:
        console.tickets.close(ticket.id, clock())

    edit_working_hours(config_dir, "09:00", "12:00")  # half a working day is now 1 h 30 min
    after = await hand_off_both_ways(console, fake_rasa)
    assert {t.due_at for t in after} == {clock() + dt.timedelta(hours=1, minutes=30)}
    assert all("今天11:30前" in console.messages.since(t.conversation_id)[-1].text for t in after)

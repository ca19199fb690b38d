"""The tracker reader on a real Rasa SQLite tracker store filled by Rasa's own SQLTrackerStore."""
import datetime as dt
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from rasa_conversations import START, Said, fill_tracker_store, shop_day  # noqa: E402

from store import CHINA  # noqa: E402
from tuning import TrackerReader, tracker_store_url  # noqa: E402


@pytest.fixture(scope="module")
def reader(tmp_path_factory):
    path = fill_tracker_store(tmp_path_factory.mktemp("tracker") / "rasa.db", shop_day())
    return TrackerReader(f"sqlite:///{path}")


def by_text(reader):
    return {m.text: m for m in reader.shopper_messages()}


def test_every_shopper_message_is_read_with_what_the_model_made_of_it(reader):
    messages = by_text(reader)
    assert len(messages) == 9
    sure = messages["寄到乌鲁木齐运费多少"]
    assert (sure.conversation_id, sure.intent, sure.confidence) == ("c-sure", "ask_shipping_fee", 0.99)
    assert sure.time == START + dt.timedelta(seconds=10) and sure.time.tzinfo is not None
    assert sure.time.utcoffset() == dt.timedelta(hours=8)
    assert [(e["entity"], e["value"]) for e in sure.entities] == [("destination", "乌鲁木齐")]
    assert sure.bot_actions == ("action_quote_fee",)
    assert not (sure.fell_back or sure.handed_off_here or sure.conversation_handed_off)


def test_a_fallback_keeps_the_models_own_best_intent(reader):
    first = by_text(reader)["你们家那个紫色的还有货没呀"]
    assert first.fell_back and first.intent == "ask_tracking" and first.confidence == 0.31
    assert not first.handed_off_here and first.conversation_handed_off   # the second one hands off


def test_the_second_fallback_in_a_row_and_action_handoff_hand_the_conversation_over(reader):
    messages = by_text(reader)
    assert messages["就是紫色那款 有没有货"].handed_off_here
    late = messages["等了一周了还没到 你们怎么回事"]
    assert late.handed_off_here and late.bot_actions == ("utter_complain_apology", "action_handoff")


def test_since_filters_in_sql_and_one_conversation_can_be_read(reader):
    since = START + dt.timedelta(minutes=6)
    assert {m.conversation_id for m in reader.shopper_messages(since)} == {"c-late", "c-known"}
    assert [m.text for m in reader.shopper_messages(conversation_id="c-fallback")] == [
        "你们家那个紫色的还有货没呀", "就是紫色那款 有没有货"]


def test_a_conversation_reads_as_shopper_and_bot_lines(reader):
    turns = reader.conversation("c-fallback")
    assert [(t.sender, t.text) for t in turns] == [
        ("shopper", "你们家那个紫色的还有货没呀"), ("bot", "亲，没太明白您的意思，能换个说法吗？"),
        ("shopper", "就是紫色那款 有没有货"), ("bot", "抱歉，这个问题需要人工客服…")]
    assert turns[1].action == "action_fallback" and turns[0].intent == "ask_tracking"
    assert reader.conversation("nobody") == []


def test_daily_figures_for_the_dashboard(tmp_path):
    next_day = START + dt.timedelta(days=1)
    path = fill_tracker_store(tmp_path / "rasa.db", shop_day())
    fill_tracker_store(path, {"d2": [Said("在吗", "greet", 0.98, actions=("utter_greet",)),
                                     Said("转人工", "request_human", 0.99, actions=("action_handoff",))]}, next_day)
    first, second = TrackerReader(f"sqlite:///{path}").daily_figures()
    assert (first.day, first.conversations, first.shopper_messages) == (START.date(), 8, 9)
    assert (first.fallbacks, first.handoffs) == (2, 3)
    assert first.fallback_rate == 2 / 9 and first.handoff_rate == 3 / 8
    assert first.intents["ask_shipping_fee"] == 4
    assert (second.day, second.conversations, second.handoffs, second.handoff_rate) == (next_day.date(), 1, 1, 1.0)


def test_a_store_not_created_yet_is_empty(tmp_path):
    reader = TrackerReader(f"sqlite:///{tmp_path / 'none.db'}")
    assert reader.shopper_messages() == [] and reader.daily_figures() == []
    assert not (tmp_path / "none.db").exists()   # read-only: never created by reading


def test_the_url_follows_endpoints_yml_and_the_environment(tmp_path):
    root = Path(__file__).resolve().parents[2]
    assert tracker_store_url(root, {}) == f"sqlite:///{root / 'var/rasa-tracker.db'}"
    assert tracker_store_url(root, {"RASA_TRACKER_DB": "/data/t.db"}) == "sqlite:////data/t.db"
    assert tracker_store_url(root, {"RASA_TRACKER_URL": "postgresql://u:p@h/db"}) == "postgresql://u:p@h/db"
    (tmp_path / "endpoints.yml").write_text(
        "tracker_store:\n  type: SQL\n  dialect: postgresql\n  url: db.local\n  port: 5432\n"
        "  db: rasa\n  username: rasa\n  password: ${PG_PW}\n", encoding="utf8")
    assert tracker_store_url(tmp_path, {"PG_PW": "s3cret"}) == "postgresql://rasa:s3cret@db.local:5432/rasa"


def test_times_are_china_time_across_midnight_utc(tmp_path):
    late = dt.datetime(2026, 11, 24, 7, 30, tzinfo=CHINA)   # 23:30 UTC the day before
    path = fill_tracker_store(tmp_path / "rasa.db", {"early": [Said("在吗", "greet", 0.9, actions=("utter_greet",))]}, late)
    (figures,) = TrackerReader(f"sqlite:///{path}").daily_figures()
    assert figures.day == dt.date(2026, 11, 24)

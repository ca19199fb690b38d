"""The owner's loop settings: the shipped file, defaults, and each kind of bad value."""
import pytest

from tuning import LoopSettings, LoopSettingsError, load_loop_settings


def test_the_shipped_file_has_the_issue_defaults():
    assert load_loop_settings() == LoopSettings(0.6, 0, 2, True)


def test_a_missing_file_gives_the_defaults(tmp_path):
    assert load_loop_settings(tmp_path / "none.yml") == LoopSettings()


@pytest.mark.parametrize("text", ["review: {confidence_below: 1.5}", "review: {confidence_below: 是}",
                                  "promotion_guard: {max_intent_loss: -1}",
                                  "promotion_guard: {stories_must_pass: 1}", "review: [", ])
def test_bad_values_are_refused_with_the_key(tmp_path, text):
    path = tmp_path / "owner_loop.yml"
    path.write_text(text, encoding="utf8")
    with pytest.raises(LoopSettingsError):
        load_loop_settings(path)

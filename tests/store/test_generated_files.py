"""Files derived from store_config/ are up to date, and fee amounts live only in the owner's
configuration (README architecture invariant "no fee in code")."""
from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FEE_AMOUNT = re.compile(r"\d\s*元")          # \d also matches full-width digits
# A phone number, QQ or WeChat id; the words themselves ("we give no QQ") are fine.
PHONE_OR_QQ = re.compile(r"\d{7,}|qq[号:：\s]*\d{5,}|(?:微信|vx|wx)号?[:：\s]*[a-z0-9_-]{5,}", re.IGNORECASE)
PROMISE = re.compile(r"(?<!没法)(?<!无法)(?<!不能)(?<!没办法)(保证|肯定|绝对|一定)")


def _script(name: str):
    path = ROOT / "scripts" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"_test_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("script, generated", [
    pytest.param("build_jieba_dict", "jieba_dict/places.txt", id="jieba_dict-places.txt"),
    pytest.param("build_lookups", "data/nlu/lookups.yml", id="nlu-lookups.yml"),
])
def test_generated_file_is_up_to_date_with_places_yml(script, generated):
    expected = _script(script).render()
    actual = (ROOT / generated).read_text(encoding="utf8")
    assert actual == expected, f"{generated} is stale: run `make dict`"


PYTHON_FILES = sorted(p for package in ("actions", "store", "handoff", "helpdesk", "console")
                      for p in (ROOT / package).rglob("*.py"))


def test_there_is_python_to_check():
    assert len(PYTHON_FILES) > 10


@pytest.mark.parametrize("path", [pytest.param(p, id=str(p.relative_to(ROOT))) for p in PYTHON_FILES])
def test_no_fee_amount_is_written_in_python(path):
    text = path.read_text(encoding="utf8")
    found = [line for line in text.splitlines() if FEE_AMOUNT.search(line)]
    assert found == [], "fees belong in store_config/store.yml"


def _answers(store) -> dict[str, str]:
    import yaml
    raw = yaml.safe_load((ROOT / "store_config" / "replies.yml").read_text(encoding="utf8"))
    return {key: (value["text"] if isinstance(value, dict) else value) for key, value in raw.items()}


def test_answers_state_no_fee_amount_of_their_own(store):
    """Fees come from {fee}/{first_fee} placeholders, never from the wording."""
    offending = {k: v for k, v in _answers(store).items() if FEE_AMOUNT.search(v)}
    assert offending == {}


def test_answers_reveal_no_phone_number_or_qq(store):
    offending = {k: v for k, v in _answers(store).items() if PHONE_OR_QQ.search(v)}
    assert offending == {}


def test_answers_promise_nothing(store):
    """Policy: prefer 尽量/一般 over 肯定/保证/绝对 (a negated 没法保证 is a caveat, not a promise)."""
    offending = {k: v for k, v in _answers(store).items() if PROMISE.search(v)}
    assert offending == {}

"""The owner's files with every kind of damage: truncated, wrong types, missing and duplicate keys,
YAML bombs (anchors), a BOM, invalid UTF-8, huge and negative numbers. Loading must either give a
valid store or a ConfigError naming the file and the key: never a traceback, never a fee that is
silently not what the owner wrote (a yes/no, an infinite or a negative number read as a price).
`python -m store.check` says so in one line; the running console keeps the last good store."""
from __future__ import annotations

import math
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from hypothesis import assume, given, strategies as st

from fuzz_support import ROOT, fuzz_settings
from store import DEFAULT_CONFIG_DIR, ConfigError, StoreCache, load_store
from store.config import load_store_config

PROVINCES = load_store(DEFAULT_CONFIG_DIR).places.provinces

SURFACE = "owner config files (store_config/*.yml)"
FILES = ("store.yml", "places.yml", "replies.yml")
ORIGINAL = {name: (DEFAULT_CONFIG_DIR / name).read_bytes() for name in FILES}
STORE_DATA = yaml.safe_load(ORIGINAL["store.yml"].decode("utf8"))
NEVER_A_NUMBER = [True, False, None, "", "八元", [], {}, [8], {"fee": 8}, "yes", ".inf", "nan"]
NOT_A_FEE = [-1, -0.01, float("inf"), float("-inf"), float("nan"), 10**30, 1e308]


def _leaves(data, path=()):
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _leaves(value, path + (key,))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _leaves(value, path + (i,))
    else:
        yield path, data


LEAVES = list(_leaves(STORE_DATA))
NUMERIC = [(p, v) for p, v in LEAVES if isinstance(v, (int, float)) and not isinstance(v, bool)]
FEES = [(p, v) for p, v in NUMERIC if str(p[-1]).endswith("_fee") or str(p[-1]).endswith("_kg")]


def _set(data, path, value):
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value


def _delete(data, path):
    node = data
    for key in path[:-1]:
        node = node[key]
    del node[path[-1]]


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "store_config"
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(DEFAULT_CONFIG_DIR, target)
    return target


def _outcome(config_dir: Path, damaged: str):
    """The store's configuration, or the ConfigError; anything else fails the test. A ConfigError
    must name the damaged file and a key. (store.yml alone is read as load_store reads it, with
    the places loaded once: a whole load_store per example would cost most of the budget.)"""
    try:
        if damaged == "store.yml":
            return load_store_config(config_dir / "store.yml", provinces=PROVINCES)
        return load_store(config_dir).config
    except ConfigError as err:
        assert Path(err.file).name in FILES and err.key and err.problem, err
        assert Path(err.file).name == damaged, f"the error names {err.file}, the damage is in {damaged}: {err}"
        return err


def _fees(config) -> list:
    shipping = config.shipping
    fees = [shipping.first_weight_kg, shipping.max_quote_weight_kg, shipping.ems.ems_max_kg,
            shipping.ems.first_kg_fee, shipping.ems.continued_kg_fee]
    for zone in shipping.zones:
        fees += [zone.first_kg_fee, zone.continued_kg_fee]
    return [f for f in fees if f is not None]


def _sane(config) -> None:
    for fee in _fees(config):
        assert isinstance(fee, Decimal) and fee.is_finite() and 0 <= fee <= 10000, fee


@fuzz_settings(2)
@given(leaf=st.sampled_from(NUMERIC), value=st.sampled_from(NEVER_A_NUMBER + NOT_A_FEE))
def test_a_number_replaced_by_anything_else_is_refused_with_its_key(tmp_path_factory, fuzz_figures, leaf, value):
    fuzz_figures.count(SURFACE)
    config_dir = _copy(tmp_path_factory.mktemp("cfg"))
    data = yaml.safe_load(ORIGINAL["store.yml"].decode("utf8"))
    path, _ = leaf
    _set(data, path, value)
    assume(not (value is None and "continued_kg_fee" in path or value is None and path[-1] == "first_kg_fee" and "ems" in path))
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    (config_dir / "store.yml").write_text(text, encoding="utf8")
    result = _outcome(config_dir, "store.yml")
    if isinstance(result, ConfigError):
        assert str(path[-1]) in result.key or result.key in ("shipping", "shipping.zones", "(top level)") \
            or str(path[0]) in result.key, (path, result)
    else:
        _sane(result)
        pytest.fail(f"{'.'.join(map(str, path))} = {value!r} was accepted")


@fuzz_settings(2)
@given(leaf=st.sampled_from(LEAVES), how=st.sampled_from(["delete", "wrong_type", "long_text"]),
       value=st.one_of(st.none(), st.booleans(), st.integers(min_value=-10**20, max_value=10**20),
                       st.floats(allow_nan=True), st.text(max_size=30),
                       st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=5), st.integers(), max_size=2)))
def test_any_leaf_deleted_or_replaced_gives_a_store_or_a_named_error(tmp_path_factory, fuzz_figures, leaf, how, value):
    fuzz_figures.count(SURFACE)
    config_dir = _copy(tmp_path_factory.mktemp("cfg"))
    data = yaml.safe_load(ORIGINAL["store.yml"].decode("utf8"))
    path, _ = leaf
    if how == "delete":
        _delete(data, path)
    else:
        _set(data, path, "运" * 100_000 if how == "long_text" else value)
    (config_dir / "store.yml").write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf8")
    result = _outcome(config_dir, "store.yml")
    if not isinstance(result, ConfigError):
        _sane(result)


@fuzz_settings(2)
@given(name=st.sampled_from(FILES), cut=st.floats(min_value=0, max_value=1, exclude_max=True),
       damage=st.sampled_from(["truncate", "bom", "invalid_utf8", "tab", "nul", "crlf", "binary"]),
       junk=st.binary(min_size=1, max_size=64))
def test_file_level_damage_gives_a_store_or_a_named_error(tmp_path_factory, fuzz_figures, name, cut, damage, junk):
    fuzz_figures.count(SURFACE)
    config_dir = _copy(tmp_path_factory.mktemp("cfg"))
    raw = ORIGINAL[name]
    at = int(len(raw) * cut)
    damaged = {
        "truncate": raw[:at],
        "bom": b"\xef\xbb\xbf" + raw,
        "invalid_utf8": raw[:at] + b"\xff\xfe\xc3" + raw[at:],
        "tab": raw[:at] + b"\t" + raw[at:],
        "nul": raw[:at] + b"\x00" + raw[at:],
        "crlf": raw.replace(b"\n", b"\r\n"),
        "binary": junk + raw[at:],
    }[damage]
    (config_dir / name).write_bytes(damaged)
    result = _outcome(config_dir, name)
    if not isinstance(result, ConfigError):
        _sane(result)


def test_a_bom_and_windows_line_ends_are_read_as_the_same_file(tmp_path):
    config_dir = _copy(tmp_path)
    for name in FILES:
        (config_dir / name).write_bytes(b"\xef\xbb\xbf" + ORIGINAL[name].replace(b"\n", b"\r\n"))
    assert load_store(config_dir).config == load_store(DEFAULT_CONFIG_DIR).config


@pytest.mark.parametrize("name, text, key", [
    ("store.yml", "      first_kg_fee: 8\n      first_kg_fee: 80\n", "first_kg_fee"),
    ("replies.yml", None, "too_fast"),
])
def test_a_duplicate_key_is_refused_not_silently_the_last(tmp_path, name, text, key):
    config_dir = _copy(tmp_path)
    raw = ORIGINAL[name].decode("utf8")
    if name == "store.yml":
        damaged = raw.replace("      first_kg_fee: 8\n", text, 1)
    else:
        line = next(l for l in raw.splitlines() if l.startswith("too_fast:"))
        damaged = raw + line.replace("请稍等", "请等") + "\n"
    (config_dir / name).write_text(damaged, encoding="utf8")
    err = _outcome(config_dir, name)
    assert isinstance(err, ConfigError) and key in err.key and "twice" in err.problem, err


@pytest.mark.parametrize("bomb", [
    # billion laughs: each level doubles nine times
    "a: &a [\"哈\", \"哈\", \"哈\", \"哈\", \"哈\", \"哈\", \"哈\", \"哈\", \"哈\"]\n"
    + "".join(f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)),
    "store: &s\n  name: 示例\nshipping: *s\n",
])
def test_anchors_and_aliases_are_refused(tmp_path, bomb):
    config_dir = _copy(tmp_path)
    (config_dir / "store.yml").write_text(bomb, encoding="utf8")
    err = _outcome(config_dir, "store.yml")
    assert isinstance(err, ConfigError) and "anchor" in err.problem, err


@pytest.mark.parametrize("value", ["-8", "1e400", ".inf", ".nan", "true", "10000000000000000000000000000000"])
def test_store_check_names_the_file_and_key_without_a_traceback(tmp_path, value):
    config_dir = _copy(tmp_path)
    raw = ORIGINAL["store.yml"].decode("utf8").replace("      first_kg_fee: 8\n", f"      first_kg_fee: {value}\n", 1)
    (config_dir / "store.yml").write_text(raw, encoding="utf8")
    done = subprocess.run([sys.executable, "-m", "store.check", str(config_dir)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr and "store.yml" in done.stderr and "first_kg_fee" in done.stderr, done.stderr


def test_the_running_store_keeps_the_last_good_config(tmp_path):
    config_dir = _copy(tmp_path)
    cache = StoreCache(config_dir)
    good = cache.get()
    path = config_dir / "store.yml"
    path.write_text(ORIGINAL["store.yml"].decode("utf8").replace("first_kg_fee: 8\n", "first_kg_fee: -8\n", 1),
                    encoding="utf8")
    assert cache.get() is good
    assert math.isclose(cache.get().config.shipping.zones[0].first_kg_fee, 8)

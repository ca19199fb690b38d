"""Fixtures for the pure store-domain tests: the shipped store_config/ loaded once, and
factories for variants of store.yml written to temporary copies (the owner's file is never touched)."""
from __future__ import annotations

import copy
import sys
from pathlib import Path
from typing import Callable

import pytest
import yaml

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # `import policy_tables` under any --import-mode
    sys.path.insert(0, str(HERE))

from store import DEFAULT_CONFIG_DIR, Store, StoreConfig, load_store, load_store_config  # noqa: E402


@pytest.fixture(scope="session")
def store() -> Store:
    """The store exactly as shipped in store_config/ (config, places, calendar, replies)."""
    return load_store()


@pytest.fixture(scope="session")
def config(store: Store) -> StoreConfig:
    return store.config


@pytest.fixture(scope="session")
def places(store: Store):
    return store.places


@pytest.fixture(scope="session")
def calendar(store: Store):
    return store.calendar


@pytest.fixture(scope="session")
def shipped_store_yml() -> dict:
    with open(DEFAULT_CONFIG_DIR / "store.yml", encoding="utf8") as fh:
        return yaml.safe_load(fh)


@pytest.fixture(scope="session")
def write_store_yml(tmp_path_factory, shipped_store_yml: dict) -> Callable[[Callable[[dict], None]], Path]:
    """Apply `edit(raw)` to a copy of the shipped store.yml, write it to a new directory, return its path."""

    def write(edit: Callable[[dict], None]) -> Path:
        raw = copy.deepcopy(shipped_store_yml)
        edit(raw)
        path = tmp_path_factory.mktemp("store_config") / "store.yml"
        path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf8")
        return path

    return write


@pytest.fixture(scope="session")
def store_config_with(write_store_yml, places) -> Callable[[Callable[[dict], None]], StoreConfig]:
    """Load a variant of the shipped store.yml through load_store_config, as the action server would."""

    def load(edit: Callable[[dict], None]) -> StoreConfig:
        return load_store_config(write_store_yml(edit), provinces=places.provinces)

    return load

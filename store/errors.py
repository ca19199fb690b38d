"""What can go wrong in the store's domain, as exceptions the Rasa glue turns into polite replies.

StoreError
 ├── ConfigError            the owner's configuration is invalid (names file, key and fix)
 ├── UnknownDestination     no province could be read from what the shopper wrote
 ├── AmbiguousDestination   the place exists in several fee zones: ask which one
 ├── WeightUnreadable       no weight could be read (or it is ≤ 0): ask again
 └── NoQuoteAvailable       the store has no price for this case: a person quotes it
"""
from __future__ import annotations


class StoreError(Exception):
    """Base class of every domain error."""


class ConfigError(StoreError):
    def __init__(self, file: str, key: str, problem: str) -> None:
        super().__init__(f"{file}: at {key}: {problem}")
        self.file, self.key, self.problem = file, key, problem


class UnknownDestination(StoreError):
    def __init__(self, text: str) -> None:
        super().__init__(f"no province found in {text!r}")
        self.text = text


class AmbiguousDestination(StoreError):
    def __init__(self, place: str, provinces: tuple[str, ...]) -> None:
        super().__init__(f"{place!r} may be in {', '.join(provinces)}")
        self.place, self.provinces = place, provinces


class WeightUnreadable(StoreError):
    def __init__(self, text: str) -> None:
        super().__init__(f"no positive weight in {text!r}")
        self.text = text


class NoQuoteAvailable(StoreError):
    """The store has not configured a price for this case; `reason` says which case."""

    EMS_UNPRICED = "ems_unpriced"
    CONTINUED_UNPRICED = "continued_unpriced"
    TOO_HEAVY = "too_heavy"

    def __init__(self, reason: str, province: str, **facts) -> None:
        super().__init__(f"no quote for {province}: {reason}")
        self.reason, self.province, self.facts = reason, province, facts

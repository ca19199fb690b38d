"""The owner's store configuration (store_config/store.yml): loaded once, validated, immutable.

Every error names the file, the key path and what to fix, e.g.
  store_config/store.yml: at shipping.zones.1.first_kg_fee: must be a number of yuan ≥ 0
"""
from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from pathlib import Path
from typing import Optional

from pydantic import BaseModel, Field, ValidationError, root_validator, validator

from .contact_details import contact_detail_in
from .errors import ConfigError
from .yaml_file import read_mapping

ROOT = Path(__file__).resolve().parents[1]
# STORE_CONFIG_DIR points every process (action server, console, checks) at another copy of the
# owner's files, e.g. a test's; unset, the repository's store_config/.
DEFAULT_CONFIG_DIR = Path(os.environ.get("STORE_CONFIG_DIR") or ROOT / "store_config")


MAX_FEE_YUAN = 10_000    # beyond any parcel's postage: a typo or a unit mistake, refused
MAX_WEIGHT_KG = 1_000
MAX_DAYS = 60            # arrival days beyond two months are a typo, and would overflow date sums


def _numeric(field) -> bool:
    """A number field (constrained ones are subclasses), or a tuple of them; bool is an int but not one."""
    kind = field.type_
    if isinstance(kind, type) and issubclass(kind, (int, float, Decimal)) and not issubclass(kind, bool):
        return True
    return any(_numeric(f) for f in field.sub_fields or ())


def _whole(field) -> bool:
    kind = field.type_
    if isinstance(kind, type) and issubclass(kind, int) and not issubclass(kind, bool):
        return True
    return any(_whole(f) for f in field.sub_fields or ())


class _Frozen(BaseModel):
    class Config:
        allow_mutation = False
        extra = "forbid"

    @validator("*", pre=True, allow_reuse=True)
    def _numbers_are_numbers(cls, value, field):
        """pydantic reads true/false as 1/0 and 0.5 days as 0: a mistake, never a silent number."""
        items = value if isinstance(value, (list, tuple)) else (value,)
        if _numeric(field) and any(isinstance(item, bool) for item in items):
            raise ValueError("must be a number, not true/false (yes/no)")
        if _whole(field) and any(isinstance(item, float) and not item.is_integer() for item in items):
            raise ValueError("must be a whole number")
        return value


def _clock(value: str) -> dt.time:
    try:
        return dt.time.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"must be a time like \"16:00\", got {value!r}")


class Span(_Frozen):
    start: dt.time
    end: dt.time

    _parse = validator("start", "end", pre=True, allow_reuse=True)(_clock)

    @root_validator(skip_on_failure=True)
    def _ordered(cls, values):
        if values["start"] >= values["end"]:
            raise ValueError("start must be before end")
        return values


def _day_range(value: tuple[int, int]) -> tuple[int, int]:
    if not 0 <= value[0] <= value[1] <= MAX_DAYS:
        raise ValueError(f"must be [fewest, most] days with 0 ≤ fewest ≤ most ≤ {MAX_DAYS}, got {list(value)}")
    return value


class Zone(_Frozen):
    name: str
    first_kg_fee: Decimal = Field(..., ge=0, le=MAX_FEE_YUAN)
    continued_kg_fee: Optional[Decimal] = Field(None, ge=0, le=MAX_FEE_YUAN)
    arrival_extra_days: tuple[int, int] = (0, 0)
    provinces: tuple[str, ...]

    _days = validator("arrival_extra_days", allow_reuse=True)(_day_range)


class CourierRule(_Frozen):
    courier: str
    provinces: tuple[str, ...]


class Couriers(_Frozen):
    available: tuple[str, ...]
    default: tuple[str, ...]
    restricted: tuple[CourierRule, ...] = ()

    @root_validator(skip_on_failure=True)
    def _known(cls, values):
        unknown = {c for c in values["default"] if c not in values["available"]}
        unknown |= {r.courier for r in values["restricted"] if r.courier not in values["available"]}
        if unknown:
            raise ValueError(f"couriers {sorted(unknown)} are not in `available`")
        return values


class Ems(_Frozen):
    ems_max_kg: Decimal = Field(Decimal("0.5"), gt=0, le=MAX_WEIGHT_KG)
    first_kg_fee: Optional[Decimal] = Field(None, ge=0, le=MAX_FEE_YUAN)
    continued_kg_fee: Optional[Decimal] = Field(None, ge=0, le=MAX_FEE_YUAN)


class Shipping(_Frozen):
    first_weight_kg: Decimal = Field(Decimal(1), gt=0, le=MAX_WEIGHT_KG)
    max_quote_weight_kg: Decimal = Field(Decimal(30), gt=0, le=MAX_WEIGHT_KG)
    zones: tuple[Zone, ...]
    couriers: Couriers
    ems: Ems = Ems()
    cutoff: dt.time = dt.time(16)
    statutory_holidays: bool = True
    extra_non_shipping_days: tuple[dt.date, ...] = ()
    arrival_days: tuple[int, int] = (2, 3)

    _parse = validator("cutoff", pre=True, allow_reuse=True)(_clock)
    _days = validator("arrival_days", allow_reuse=True)(_day_range)

    @root_validator(skip_on_failure=True)
    def _each_province_once(cls, values):
        seen: dict[str, str] = {}
        for zone in values["zones"]:
            for prov in zone.provinces:
                if prov in seen:
                    raise ValueError(f"{prov} is in zone {seen[prov]} and in zone {zone.name}")
                seen[prov] = zone.name
        return values


class StoreInfo(_Frozen):
    """Who the store is (its name appears in answers as {store_name})."""
    name: str


class Handoff(_Frozen):
    working_hours: Span = Span(start="09:00", end="18:00")
    lunch_break: Optional[Span] = None
    reply_within_working_fraction: float = Field(0.5, gt=0, le=5)


class Promotions(_Frozen):
    """The shop's own current campaigns, quoted as written; none by default (store-policy §2:
    what the platform applies at checkout applies, the shop adds nothing of its own)."""
    campaigns: tuple[str, ...] = ()

    @validator("campaigns", each_item=True)
    def _plain_text(cls, text: str) -> str:
        if not text.strip():
            raise ValueError("a campaign needs a text")
        if contact_detail_in(text, channel_words=True):  # store-policy §6; the answers use the same check
            raise ValueError("no phone numbers, QQ/WeChat or links in a campaign text (store policy §6)")
        return text.strip()


class Privacy(_Frozen):
    """Personal data (PIPL): what shoppers said is kept `retention_days` after a conversation's
    last message, then purged (ops/retention.py); a conversation whose ticket is not closed yet
    is kept until it is."""
    retention_days: int = Field(180, ge=1, le=3650)


class StoreConfig(_Frozen):
    store: StoreInfo
    shipping: Shipping
    handoff: Handoff = Handoff()
    promotions: Promotions = Promotions()
    privacy: Privacy = Privacy()

    def zone_of(self, province: str) -> Optional[Zone]:
        return next((z for z in self.shipping.zones if province in z.provinces), None)

    def required_courier(self, province: str) -> Optional[str]:
        rule = next((r for r in self.shipping.couriers.restricted if province in r.provinces), None)
        return rule.courier if rule else None

    def is_ems_only(self, province: str) -> bool:
        """A region outside every fee zone (港澳台): it ships by EMS, priced by `shipping.ems`."""
        return self.zone_of(province) is None


def load_store_config(path: Path = DEFAULT_CONFIG_DIR / "store.yml", provinces=None) -> StoreConfig:
    """Read and validate the configuration. `provinces`, when given, must all be covered."""
    raw = read_mapping(path)
    try:
        config = StoreConfig.parse_obj(raw)
    except ValidationError as err:
        first = err.errors()[0]
        key = ".".join(str(p) for p in first["loc"] if p != "__root__") or "(top level)"
        raise ConfigError(str(path), key, first["msg"])
    if provinces is not None:
        priced = {p for z in config.shipping.zones for p in z.provinces}
        routed = {p for r in config.shipping.couriers.restricted for p in r.provinces}
        unknown = sorted((priced | routed) - set(provinces))
        if unknown:
            raise ConfigError(str(path), "shipping", f"unknown province names {unknown}; use short names like 广东, 新疆, 内蒙古")
        ems_only = {p for r in config.shipping.couriers.restricted if r.courier == "EMS" for p in r.provinces}
        missing = sorted(set(provinces) - priced - ems_only)
        if missing:  # only EMS-only regions may lack a fee zone (they are priced by shipping.ems)
            raise ConfigError(str(path), "shipping.zones", f"no fee zone for {missing}")
    return config

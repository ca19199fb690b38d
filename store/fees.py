"""Shipping fee and courier for one cart order (store-policy §1)."""
from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Optional

from .config import StoreConfig
from .errors import NoQuoteAvailable
from .weight import Weight

EMS = "EMS"
E_EMS = "E邮宝"


@dataclass(frozen=True)
class FeeQuote:
    province: str
    fee: Decimal
    couriers: tuple[str, ...]          # the courier(s) the parcel may go with
    weight: Optional[Weight]           # None: the shopper gave none, the first-weight fee is quoted
    first_weight_kg: Decimal
    first_fee: Decimal
    extra_kg: int = 0                  # whole kilograms charged as continued weight
    continued_kg_fee: Decimal = Decimal(0)
    required_courier: Optional[str] = None   # set when the region must use one courier
    ems_if_unreachable: bool = False   # the required courier may not reach the address: EMS then
    ems_only: bool = False             # a region outside the fee zones (港澳台): EMS/E邮宝 by weight


def format_yuan(amount: Decimal) -> str:
    """18 → "18", 12.50 → "12.5" (the reply adds 元)."""
    text = f"{amount.normalize():f}"
    return text


def ems_service(weight: Optional[Weight], config: StoreConfig) -> tuple[str, ...]:
    """EMS up to ems_max_kg, E邮宝 above; both possible when the weight is unknown."""
    if weight is None:
        return (EMS, E_EMS)
    return (EMS,) if weight.kg <= config.shipping.ems.ems_max_kg else (E_EMS,)


def _extra_kg(weight: Optional[Weight], first_kg: Decimal) -> int:
    if weight is None or weight.kg <= first_kg:
        return 0
    return math.ceil(weight.kg - first_kg)  # part of a kilogram counts as a whole one


def quote_fee(province: str, weight: Optional[Weight], config: StoreConfig) -> FeeQuote:
    """The fee for a parcel to `province`. Raises NoQuoteAvailable where the store set no price."""
    shipping = config.shipping
    if weight is not None and weight.kg > shipping.max_quote_weight_kg:
        raise NoQuoteAvailable(NoQuoteAvailable.TOO_HEAVY, province, weight=weight,
                               max_kg=shipping.max_quote_weight_kg)
    required = config.required_courier(province)
    extra = _extra_kg(weight, shipping.first_weight_kg)
    zone = config.zone_of(province)
    if zone is None:  # an EMS-only region (港澳台): priced only if the owner set EMS prices
        couriers = ems_service(weight, config)
        first, cont = shipping.ems.first_kg_fee, shipping.ems.continued_kg_fee
        if first is None:
            raise NoQuoteAvailable(NoQuoteAvailable.EMS_UNPRICED, province, couriers=couriers, weight=weight)
    else:
        couriers = (required,) if required else shipping.couriers.default
        first, cont = zone.first_kg_fee, zone.continued_kg_fee
    if extra and cont is None:
        raise NoQuoteAvailable(NoQuoteAvailable.CONTINUED_UNPRICED, province, weight=weight,
                               first_fee=first, first_weight_kg=shipping.first_weight_kg, couriers=couriers)
    cont = cont or Decimal(0)
    return FeeQuote(
        province=province,
        fee=first + extra * cont,
        couriers=couriers,
        weight=weight,
        first_weight_kg=shipping.first_weight_kg,
        first_fee=first,
        extra_kg=extra,
        continued_kg_fee=cont,
        required_courier=required,
        ems_if_unreachable=bool(required) and required != EMS,
        ems_only=zone is None,
    )


def common_quote(provinces: tuple[str, ...], weight: Optional[Weight], config: StoreConfig) -> Optional[FeeQuote]:
    """The quote shared by every candidate province of an ambiguous place (普陀: 上海 or 浙江,
    both the same fee by 汇通/韵达), or None when they differ or one has no price: then the shopper is asked."""
    try:
        quotes = [quote_fee(p, weight, config) for p in provinces]
    except NoQuoteAvailable:
        return None
    first = quotes[0]
    same = all((q.fee, q.couriers, q.required_courier, q.ems_only)
               == (first.fee, first.couriers, first.required_courier, first.ems_only) for q in quotes)
    return first if same else None

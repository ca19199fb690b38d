"""The store's domain: plain Python, no Rasa imports. The action server's glue calls these."""
from .bargain import BargainReply, Tone, bargain_reply
from .calendar import CHINA, ShippingCalendar
from .config import StoreConfig, load_store_config
from .couriers import asks_about_free_shipping, find_courier, mentions_several_items
from .errors import (AmbiguousDestination, ConfigError, NoQuoteAvailable, StoreError,
                     UnknownDestination, WeightUnreadable)
from .fees import FeeQuote, common_quote, ems_service, format_yuan, quote_fee
from .geography import Destination, Gazetteer, named_place
from .replies import ANSWER_FIELDS, Replies
from .invoice import InvoiceTopic, classify_invoice_question
from .loader import Store, StoreCache, load_store
from .ship_dates import ArrivalEstimate, arrival_deadline, estimate_arrival, format_day, parse_target_date, ship_date
from .weight import Weight, find_weight, parse_weight
from .working_hours import describe_due, reply_due

__all__ = [
    "ANSWER_FIELDS", "AmbiguousDestination", "arrival_deadline", "ArrivalEstimate", "BargainReply", "CHINA", "ConfigError", "Destination",
    "FeeQuote", "Gazetteer", "InvoiceTopic", "NoQuoteAvailable", "Replies", "ShippingCalendar", "Store",
    "StoreCache", "StoreConfig", "StoreError", "Tone", "UnknownDestination", "Weight",
    "WeightUnreadable", "asks_about_free_shipping", "bargain_reply", "classify_invoice_question", "common_quote",
    "describe_due", "ems_service", "estimate_arrival", "find_courier", "find_weight", "format_day",
    "format_yuan", "load_store", "load_store_config", "mentions_several_items", "named_place", "parse_target_date",
    "parse_weight", "quote_fee", "reply_due", "ship_date",
]

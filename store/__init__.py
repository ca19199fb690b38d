"""The store's domain: plain Python, no Rasa, no web, no database. Every process (the action
server, the console, the handoff service, scripts) uses it through these names only.

Bottom layer: it imports nothing of ours (tests/test_layers.py runs import-linter)."""
from .bargain import BargainReply, Tone, bargain_reply, mentions_other_shops
from .answers_file import PLACEHOLDERS, Answer, AnswersDraft, AnswersFile, answer_text_problem, preview_answer
from .business_time import CHINA, china_now, day_name
from .config import DEFAULT_CONFIG_DIR, Span, StoreConfig, StoreInfo, load_store_config
from .couriers import asks_about_free_shipping, find_courier, mentions_several_items
from .errors import (AmbiguousDestination, ConfigError, NoQuoteAvailable, StoreError,
                     UnknownDestination, WeightUnreadable)
from .fees import FeeQuote, common_quote, ems_service, format_yuan, quote_fee
from .geography import Destination, Gazetteer, named_place
from .invoice import InvoiceTopic, classify_invoice_question
from .loader import Store, StoreCache, load_store
from .orders import asks_about_placed_order, find_order_id, order_numbers
from .owner_files import EditConflict, EditInvalid, SavedEdit, file_version
from .replies import ANSWER_FIELDS, Replies
from .settings_file import SettingsDraft, StoreSettingsFile, describe_text_changes
from .settings_form import KNOWN_COURIERS, NEW_ROW, StoreSettings, ZoneSettings, is_choice_list
from .ship_dates import (ArrivalEstimate, ArrivalVerdict, arrival_deadline, arrival_verdict, estimate_arrival,
                         format_day, parse_target_date, ship_date)
from .shipping_calendar import ShippingCalendar
from .text import normalize_in_place
from .weight import Weight, find_weight, parse_weight
from .working_hours import describe_due, reply_due, working_minutes_per_day

__all__ = [
    "AmbiguousDestination", "ANSWER_FIELDS", "Answer", "AnswersDraft", "AnswersFile", "EditConflict", "EditInvalid",
    "KNOWN_COURIERS", "NEW_ROW", "PLACEHOLDERS", "SavedEdit", "SettingsDraft", "StoreSettings", "StoreSettingsFile",
    "ZoneSettings", "answer_text_problem", "describe_text_changes", "file_version", "is_choice_list",
    "preview_answer", "ArrivalEstimate", "ArrivalVerdict", "BargainReply", "CHINA",
    "ConfigError", "DEFAULT_CONFIG_DIR", "Destination", "FeeQuote", "Gazetteer", "InvoiceTopic",
    "NoQuoteAvailable", "Replies", "ShippingCalendar", "Span", "Store", "StoreCache", "StoreConfig",
    "StoreError", "StoreInfo", "Tone", "UnknownDestination", "Weight", "WeightUnreadable",
    "arrival_deadline", "arrival_verdict", "asks_about_free_shipping", "asks_about_placed_order",
    "bargain_reply", "china_now", "classify_invoice_question", "common_quote", "day_name", "describe_due",
    "ems_service", "estimate_arrival", "find_courier", "find_order_id", "find_weight", "format_day",
    "format_yuan", "load_store", "load_store_config", "mentions_other_shops", "mentions_several_items",
    "named_place", "normalize_in_place", "order_numbers", "parse_target_date", "parse_weight", "quote_fee",
    "reply_due", "ship_date", "working_minutes_per_day",
]

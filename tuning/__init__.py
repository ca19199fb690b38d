"""The owner's loop, without the web: what shoppers asked that the bot did not understand (the
review queue, from Rasa's tracker store), labelling it into the owner's own training file,
training a candidate, evaluating it against the live model on the held-out files, the promotion
guard, and the live model pointer with its rollback. Used by the console's owner pages and by
the `make review / evaluate / promote / rollback` commands alike, through these names only.

Plain Python: Rasa runs in subprocesses (training, prediction), never imported here, so the
console stays light and a crash in training cannot take the console down."""
from .loop_settings import LoopSettings, LoopSettingsError, load_loop_settings
from .nlu_files import NEAR_COPY_JACCARD, NearCopies
from .nlu_files import examples as nlu_examples
from .nlu_files import key as message_key

# what shoppers asked: the review queue, labelling, the dashboard
from .tracker_reader import DayFigures, ShopperMessage, TrackerReader, tracker_store_url
from .masking import Masked, Masker, mask
from .labels import (LabelResult, OwnerLabels, check_nlu_file, domain_intents, intent_descriptions,
                     validate_training_data)
from .review_queue import Queue, QueueGroup, Review, build_queue
from .dashboard import DashboardDay, chart_data, dashboard_days

__all__ = [
    "LoopSettings", "LoopSettingsError", "NEAR_COPY_JACCARD", "NearCopies", "load_loop_settings", "message_key",
    "nlu_examples",
    # what shoppers asked
    "DayFigures", "ShopperMessage", "TrackerReader", "tracker_store_url",
    "LabelResult", "Masked", "Masker", "OwnerLabels", "Queue", "QueueGroup", "Review", "build_queue",
    "check_nlu_file", "domain_intents", "intent_descriptions", "mask", "validate_training_data",
    "DashboardDay", "chart_data", "dashboard_days",
]

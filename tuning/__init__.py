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

# models: retrain, evaluate, guard, promote, roll back
from .training_job import STAGES as TRAINING_STAGES, RetrainBusy, TrainingPaths, start_retrain
from .training_job import is_running as retrain_running, read_status as retrain_status
from .evaluation import EvaluationError, evaluate as evaluate_candidate, intent_scores, read_report as read_evaluation
from .guard import GuardVerdict, check_promotion
from .model_shelf import ModelShelf, Pointers, ShelfError, model_id_of, model_name
from .rasa_server import RasaApiError, RasaServer, RasaStatus, RasaUnreachable
from .promotion import (ModelPromotion, Outcome, PromotionError, evaluation_report, evaluation_report_path,
                        held_out_figures)

__all__ = [
    "LoopSettings", "LoopSettingsError", "NEAR_COPY_JACCARD", "NearCopies", "load_loop_settings", "message_key",
    "nlu_examples",
    # what shoppers asked
    "DayFigures", "ShopperMessage", "TrackerReader", "tracker_store_url",
    "LabelResult", "Masked", "Masker", "OwnerLabels", "Queue", "QueueGroup", "Review", "build_queue",
    "check_nlu_file", "domain_intents", "intent_descriptions", "mask", "validate_training_data",
    "DashboardDay", "chart_data", "dashboard_days",
    # models
    "RetrainBusy", "TRAINING_STAGES", "TrainingPaths", "retrain_running", "retrain_status", "start_retrain",
    "EvaluationError", "evaluate_candidate", "intent_scores", "read_evaluation",
    "GuardVerdict", "check_promotion",
    "ModelShelf", "Pointers", "ShelfError", "model_id_of", "model_name",
    "RasaApiError", "RasaServer", "RasaStatus", "RasaUnreachable",
    "ModelPromotion", "Outcome", "PromotionError", "evaluation_report", "evaluation_report_path", "held_out_figures",
]

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

__all__ = [
    "LoopSettings", "LoopSettingsError", "NEAR_COPY_JACCARD", "NearCopies", "load_loop_settings", "message_key",
    "nlu_examples",
]

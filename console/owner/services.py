"""What the owner console works on, built once in console/__main__.py (tests build their own)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

from helpdesk import ConfigHistory, ModelEvents
from store import Store


@dataclass
class OwnerServices:
    root: Path                          # the repository: data/, models/, results/, tests/nlu/
    store_dir: Path                     # store_config/: the owner's files
    store: Callable[[], Store]          # the live store (reloaded when a file changes)
    config_history: ConfigHistory
    model_events: ModelEvents
    clock: Callable[[], dt.datetime]    # aware, China time
    rasa_url: str = "http://127.0.0.1:5005"
    rasa_token: Optional[str] = None
    tracker_db_url: Optional[str] = None   # Rasa's tracker store (SQL), read for the review queue and dashboard
    promotion: Optional[object] = None     # tuning.ModelPromotion for /owner/models; None: built from root and rasa_*
    review: Optional[object] = None        # tuning.Review for /owner/review and the conversation pages; None: not set up
    retrain_command: Optional[tuple] = None  # the background retrain's command (tests: a stand-in); None: the real one

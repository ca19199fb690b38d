"""Operations on a whole installation, without the web: backups and restores of both databases,
the models and the owner's files (`make backup`, `make restore`), and personal data (PIPL): the
retention purge (scheduled in the console, `make purge` now) and forgetting one shopper
(`make forget`). Used by the console through these names only.

Plain Python above the owner's loop: Rasa's tables through SQLAlchemy Core, no Rasa or web import."""
from .backup import BackupResult, make_backup
from .databases import DatabaseBusy
from .forget import forget_conversation
from .personal_data import Erased, PersonalData
from .restore import ChecksumMismatch, RestoreResult, restore_backup
from .retention import PurgeReport, purge_expired
from .schedule import RetentionSchedule
from .site import Site, StoredDatabase
from .tracker_events import TrackerEvents

__all__ = [
    "BackupResult", "ChecksumMismatch", "DatabaseBusy", "Erased", "PersonalData", "PurgeReport",
    "RestoreResult", "RetentionSchedule", "Site", "StoredDatabase", "TrackerEvents", "forget_conversation",
    "make_backup", "purge_expired", "restore_backup",
]

"""Where one installation keeps what a backup must hold: the two databases (by URL, SQLite or
PostgreSQL, the same settings the processes read), the models and their pointers, the owner's
labelled examples and files, and the secrets generated on first run."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Optional

from sqlalchemy.engine import make_url

from helpdesk import database_url_from_env
from tuning import tracker_store_url

ROOT = Path(__file__).resolve().parents[1]
OWNER_LABELS = Path("data/nlu/owner_labelled.yml")
STORE_CONFIG = Path("store_config")
# Generated secrets (scripts/env.sh, console/settings.py, console/credentials.py): tokens, the
# console's cookie key, first-run passwords. Runtime files in .run/ (sockets, pids) are not secrets.
SECRET_DIRS = (Path(".run"),)
SECRET_FILES = (Path("var/console-secret"), Path("var/agent-users.json"))
_NOT_SECRETS = (".sock", ".pid", ".log", ".lock")


@dataclass(frozen=True)
class StoredDatabase:
    """One of the two databases: `name` is tracker (Rasa's conversations) or helpdesk."""
    name: str
    url: str

    @property
    def is_sqlite(self) -> bool:
        return make_url(self.url).get_backend_name() == "sqlite"

    @property
    def path(self) -> Optional[Path]:
        """The SQLite file (None for a server database)."""
        return Path(make_url(self.url).database).resolve() if self.is_sqlite else None

    def home(self, root: Path) -> Path:
        """Where this database's file goes under another installation directory: the same path
        relative to the installation when it lies inside, else var/<file name>."""
        path = self.path or Path(f"{self.name}.db")
        try:
            return path.relative_to(root.resolve())
        except ValueError:
            return Path("var") / path.name


@dataclass(frozen=True)
class Site:
    root: Path
    tracker: StoredDatabase
    helpdesk: StoredDatabase

    @classmethod
    def from_env(cls, root: Path = ROOT, environ: Mapping[str, str] = os.environ) -> "Site":
        """The installation the processes started from `root` with this environment use."""
        return cls(Path(root), StoredDatabase("tracker", tracker_store_url(root, environ)),
                   StoredDatabase("helpdesk", database_url_from_env(environ)))

    @property
    def databases(self) -> tuple[StoredDatabase, StoredDatabase]:
        return self.tracker, self.helpdesk

    @property
    def models_dir(self) -> Path:
        return self.root / "models"

    @property
    def owner_labels(self) -> Path:
        return self.root / OWNER_LABELS

    def owner_files(self) -> list[Path]:
        """The owner's own files, relative to the root: labelled examples and store_config/."""
        found = [OWNER_LABELS] if self.owner_labels.is_file() else []
        config = self.root / STORE_CONFIG
        if config.is_dir():
            found += sorted(p.relative_to(self.root) for p in config.iterdir() if p.is_file())
        return found

    def secret_files(self) -> list[Path]:
        found = [p for p in SECRET_FILES if (self.root / p).is_file()]
        for folder in SECRET_DIRS:
            if (self.root / folder).is_dir():
                found += sorted(p.relative_to(self.root) for p in (self.root / folder).iterdir()
                                if p.is_file() and not p.is_symlink() and not p.name.endswith(_NOT_SECRETS))
        return found

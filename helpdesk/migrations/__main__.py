"""The helpdesk database's migrations from the command line (HELPDESK_DB_URL, else var/helpdesk.db):

  python -m helpdesk.migrations [upgrade]     bring the database to the head; prints from → to (make migrate)
  python -m helpdesk.migrations current       the revision it is at, and the head
  python -m helpdesk.migrations history       every revision, oldest first
  python -m helpdesk.migrations check         does helpdesk/schema.py match the newest revision? (exit 1 if not)
  python -m helpdesk.migrations revision -m "what changes" [--autogenerate]
                                              write the next revision into versions/ (autogenerate: from
                                              the difference between schema.py and a scratch SQLite
                                              database at the head; read it, add what SQLite cannot show)
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import make_url

from ..db import connect, database_url_from_env, migrate
from ..schema import metadata
from .config import alembic_config, head_revision, scripts
from .to_head import current_revision


def _shown(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def upgrade() -> int:
    url = database_url_from_env()
    db = connect(url)
    try:
        print(f"helpdesk database {_shown(url)}: {migrate(db)}")
    finally:
        db.dispose()
    return 0


def current() -> int:
    url = database_url_from_env()
    db = connect(url)
    try:
        with db.read() as conn:
            print(f"helpdesk database {_shown(url)}: at {current_revision(conn) or 'no revision'}, "
                  f"head {head_revision()}")
    finally:
        db.dispose()
    return 0


def history() -> int:
    for script in reversed(list(scripts().walk_revisions())):
        print(f"{script.revision}  {script.doc}")
    return 0


def _scratch_at_head(work: str):
    db = connect(f"sqlite:///{Path(work) / 'scratch.db'}")
    migrate(db)
    return db


def check() -> int:
    with tempfile.TemporaryDirectory() as work:
        db = _scratch_at_head(work)
        with db.read() as conn:
            diffs = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata)
        db.dispose()
    for diff in diffs:
        print(diff)
    print(f"helpdesk/schema.py {'differs from' if diffs else 'matches'} revision {head_revision()}")
    return 1 if diffs else 0


def revision(message: str, autogenerate: bool) -> int:
    next_id = f"{max(int(s.revision) for s in scripts().walk_revisions()) + 1:04d}"
    if not autogenerate:
        command.revision(alembic_config(), message, rev_id=next_id)
        return 0
    with tempfile.TemporaryDirectory() as work:
        db = _scratch_at_head(work)
        with db.write() as conn:
            command.revision(alembic_config(conn), message, autogenerate=True, rev_id=next_id)
        db.dispose()
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpdesk.migrations", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command")
    for name in ("upgrade", "current", "history", "check"):
        commands.add_parser(name)
    new = commands.add_parser("revision")
    new.add_argument("-m", "--message", required=True)
    new.add_argument("--autogenerate", action="store_true")
    args = parser.parse_args(argv)
    if args.command == "revision":
        return revision(args.message, args.autogenerate)
    return {"current": current, "history": history, "check": check}.get(args.command, upgrade)()


if __name__ == "__main__":
    sys.exit(main())

"""Alembic migrations of the helpdesk database, configured in code (config.py) and run by every
process that opens the database (helpdesk.db.open_database → bring_to_head, under a lock).

Developers: `python -m helpdesk.migrations revision --autogenerate -m "what changes"` writes the
next revision in versions/ from the difference between helpdesk/schema.py and the newest revision;
`make migrate` brings the configured database (HELPDESK_DB_URL) to the head and prints from → to.
"""
from .config import alembic_config, head_revision
from .to_head import BEFORE_MIGRATIONS, NEW, SchemaStep, bring_to_head, current_revision

__all__ = ["BEFORE_MIGRATIONS", "NEW", "SchemaStep", "alembic_config", "bring_to_head",
           "current_revision", "head_revision"]

"""Alembic's configuration for the helpdesk database, built in code: no alembic.ini to ship or
find at run time. Revisions live in versions/ next to this file, named `<number>_<slug>.py`."""
from __future__ import annotations

import functools
from pathlib import Path
from typing import Optional

from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

HERE = Path(__file__).resolve().parent


def alembic_config(connection: Optional[Connection] = None, url: Optional[str] = None) -> Config:
    """`connection`: the locked connection env.py runs the revisions on; `url`: offline (--sql) only."""
    config = Config()
    config.set_main_option("script_location", str(HERE))
    config.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.attributes["connection"] = connection
    return config


@functools.lru_cache(maxsize=1)
def scripts() -> ScriptDirectory:
    """The revisions, read once per process (every open_database asks for the head)."""
    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    head = scripts().get_current_head()
    assert head is not None, "helpdesk/migrations/versions/ holds no revision"
    return head

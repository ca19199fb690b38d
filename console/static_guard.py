"""A check in front of Sanic's static files (/static/…): Sanic 21.12 answers 500, with a traceback
in the log, for a path that is a directory (/static/, /static/vendor), holds a NUL byte, or
climbs out with `..` (that one a 404 logged as an ERROR). Anything but a regular file inside the
static directory is a plain 404 here, before Sanic's handler."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote

from sanic.response import text

PREFIX = "/static/"


def static_file_guard(static_dir: Path):
    """Sanic request middleware for the files served from `static_dir` under /static/."""
    root = static_dir.resolve()

    async def refuse_what_is_not_a_static_file(request):
        if not request.path.startswith(PREFIX):
            return None
        relative = unquote(request.path[len(PREFIX):])
        if "\x00" in relative or ".." in Path(relative).parts:
            return text("Not Found", status=404)
        try:
            path = (root / relative.lstrip("/")).resolve()
            found = root in path.parents and path.is_file()
        except (OSError, ValueError):
            found = False
        return None if found else text("Not Found", status=404)

    return refuse_what_is_not_a_static_file

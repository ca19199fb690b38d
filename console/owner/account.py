"""The owner's login, logout and password change (the agent inbox has the same routes)."""
from __future__ import annotations

from ..login_views import add_login_routes
from . import bp
from .pages import owner_required, render

add_login_routes(bp, "owner", owner_required, render)

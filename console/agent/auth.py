"""The agent inbox's login check: accounts with the agent or owner role (console/auth.py)."""
from __future__ import annotations

from ..auth import login_required


def _refuse(request, status: int, message: str):
    return request.app.ctx.templates.render("agent/error.html", status=status, message=message, session=None)


agent_required = login_required(lambda request: request.app.ctx.agent_auth, "/agent/login", _refuse)

"""The owner console's page helpers: the login check and rendering with the navigation."""
from __future__ import annotations

from ..auth import login_required

NAV = (
    ("/owner", "概览"),
    ("/owner/review", "待处理问题"),
    ("/owner/training", "训练与评估"),
    ("/owner/models", "模型上线"),
    ("/owner/settings", "店铺设置"),
    ("/owner/answers", "回复文案"),
)


def render(request, name: str, status: int = 200, **context):
    """An owner page: the template gets `user`, `csrf_token`, `nav` and the current path."""
    ctx = request.app.ctx
    session = getattr(request.ctx, "session", None)
    context.setdefault("csrf_token", ctx.owner_auth.csrf_token(session) if session else "")
    return ctx.templates.render(name, status=status, user=session, session=session, nav=NAV,
                                path=request.path, **context)


def _refuse(request, status: int, message: str):
    return request.app.ctx.templates.render("owner/error.html", status=status, message=message, user=None,
                                            session=None, nav=NAV, path=request.path, csrf_token="")


owner_required = login_required(lambda request: request.app.ctx.owner_auth, "/owner/login", _refuse)

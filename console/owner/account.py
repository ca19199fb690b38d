"""The owner's login, logout and password change."""
from __future__ import annotations

from .. import login_views
from . import bp
from .pages import owner_required, render


@bp.get("/login")
async def login_form(request):
    return await login_views.login_form(request, "owner")


@bp.post("/login")
async def login(request):
    return await login_views.login(request, "owner")


@bp.post("/logout")
@owner_required
async def logout(request):
    return await login_views.logout(request, "owner")


def _password_page(request, status=200, error=None, done=False):
    return render(request, "owner/password.html", status=status, error=error, done=done)


@bp.get("/password")
@owner_required
async def password_form(request):
    return _password_page(request)


@bp.post("/password")
@owner_required
async def change_password(request):
    return await login_views.change_password(request, "owner", _password_page)

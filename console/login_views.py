"""Log in, log out and change one's password: the same flow for the agent inbox and the owner
console, each with its own templates (`<area>/login.html`, `<area>/password.html`)."""
from __future__ import annotations

import asyncio
import dataclasses
import logging
import math

from sanic.response import redirect

from .attempt_log import AttemptLogUnavailable
from .auth import MIN_PASSWORD_CHARS, Auth
from .passwords import hash_password, verify_password
from .texts import LOGIN

logger = logging.getLogger(__name__)


def auth_of(request, area: str) -> Auth:
    return getattr(request.app.ctx, f"{area}_auth")


async def render_login(request, area: str, status: int = 200, error=None):
    """The login form, with a fresh anonymous session if there is none yet (its CSRF token)."""
    ctx, auth = request.app.ctx, auth_of(request, area)
    session = await auth.session_of(request) or auth.new_session()
    response = ctx.templates.render(f"{area}/login.html", status=status, session=None, user=None,
                                    error=error, csrf_token=auth.csrf_token(session))
    await auth.set_cookie(response, session, request)
    return response


async def login_form(request, area: str):
    session = await auth_of(request, area).session_of(request)
    if session and session.user:
        return redirect(auth_of(request, area).area.path)
    return await render_login(request, area)


def _wait_words(seconds: float) -> str:
    if seconds < 60:
        return LOGIN["seconds"].format(n=max(1, math.ceil(seconds)))
    return LOGIN["minutes"].format(n=math.ceil(seconds / 60))


async def login(request, area: str):
    auth = auth_of(request, area)
    if not auth.csrf_ok(request, await auth.session_of(request)):
        return await render_login(request, area, status=403, error=LOGIN["expired_form"])
    user = (request.form.get("username") or "").strip()[:100]
    try:
        wait = await asyncio.to_thread(auth.retry_after, user, request)
        if wait > 0:  # refused before the password is looked at: guessing gains nothing
            response = await render_login(request, area, status=429,
                                          error=LOGIN["too_many"].format(wait=_wait_words(wait)))
            response.headers["Retry-After"] = str(math.ceil(wait))
            return response
        ok = await auth.check_password(user, request.form.get("password") or "", request)
    except AttemptLogUnavailable as err:  # fail closed: no limit, no login
        logger.error("login refused: the login-attempt store did not answer (%s)", err)
        return await render_login(request, area, status=503, error=LOGIN["unavailable"])
    if not ok:
        return await render_login(request, area, status=401, error=LOGIN["bad_credentials"])
    response = redirect(auth.area.path, status=303)
    await auth.set_cookie(response, auth.new_session(user), request)  # a new nonce: no session fixation
    return response


async def logout(request, area: str):
    auth = auth_of(request, area)
    await auth.end(request.ctx.session)
    response = redirect(f"{auth.area.path}/login", status=303)
    await auth.set_cookie(response, auth.new_session(), request)
    return response


def password_problem(form, current_ok: bool) -> str | None:
    new, again = form.get("new_password") or "", form.get("new_password_again") or ""
    if not current_ok:
        return LOGIN["current_wrong"]
    if len(new) < MIN_PASSWORD_CHARS:
        return LOGIN["too_short"].format(n=MIN_PASSWORD_CHARS)
    if new != again:
        return LOGIN["differ"]
    if new == (form.get("current_password") or ""):
        return LOGIN["unchanged"]
    return None


async def change_password(request, area: str, render):
    """POST of the password form (the caller checked login and CSRF). `render(request, status,
    error, done)` shows the form again. Other sessions of the account end (their stamp is stale);
    this one gets a new cookie."""
    ctx, auth, session = request.app.ctx, auth_of(request, area), request.ctx.session
    account = await asyncio.to_thread(ctx.accounts.get, session.user)
    current_ok = account is not None and await asyncio.to_thread(
        verify_password, request.form.get("current_password") or "", account.password_hash)
    problem = password_problem(request.form, current_ok)
    if problem:
        return render(request, 400, problem, False)
    new_hash = await asyncio.to_thread(hash_password, request.form.get("new_password"))
    await asyncio.to_thread(ctx.accounts.set_password, session.user, new_hash, ctx.clock())
    response = render(request, 200, None, True)
    await auth.set_cookie(response, dataclasses.replace(session, stamp=""), request)  # stamped anew
    return response


def add_login_routes(bp, area: str, required, render) -> None:
    """/login, /logout and /password on an area's blueprint. `required`: the area's login check;
    `render(request, template, status=, **context)`: its page renderer."""
    def password_page(request, status=200, error=None, done=False):
        return render(request, f"{area}/password.html", status=status, error=error, done=done)

    async def show_login(request):
        return await login_form(request, area)

    async def do_login(request):
        return await login(request, area)

    async def do_logout(request):
        return await logout(request, area)

    async def show_password(request):
        return password_page(request)

    async def do_change_password(request):
        return await change_password(request, area, password_page)

    bp.add_route(show_login, "/login", methods=["GET"], name=f"{area}_login_form")
    bp.add_route(do_login, "/login", methods=["POST"], name=f"{area}_login")
    bp.add_route(required(do_logout), "/logout", methods=["POST"], name=f"{area}_logout")
    bp.add_route(required(show_password), "/password", methods=["GET"], name=f"{area}_password_form")
    bp.add_route(required(do_change_password), "/password", methods=["POST"], name=f"{area}_change_password")

"""Log in, log out and change one's password: the same flow for the agent inbox and the owner
console, each with its own templates (`<area>/login.html`, `<area>/password.html`)."""
from __future__ import annotations

import asyncio

from sanic.response import redirect

from .auth import MIN_PASSWORD_CHARS, Auth, client_address
from .passwords import hash_password, verify_password


def auth_of(request, area: str) -> Auth:
    return getattr(request.app.ctx, f"{area}_auth")


async def render_login(request, area: str, status: int = 200, error=None):
    """The login form, with a fresh anonymous session if there is none yet (its CSRF token)."""
    ctx, auth = request.app.ctx, auth_of(request, area)
    session = await auth.session_of(request) or auth.new_session()
    response = ctx.templates.render(f"{area}/login.html", status=status, session=None, user=None,
                                    error=error, csrf_token=auth.csrf_token(session))
    await auth.set_cookie(response, session)
    return response


async def login_form(request, area: str):
    session = await auth_of(request, area).session_of(request)
    if session and session.user:
        return redirect(auth_of(request, area).area.path)
    return await render_login(request, area)


async def login(request, area: str):
    auth = auth_of(request, area)
    if not auth.csrf_ok(request, await auth.session_of(request)):
        return await render_login(request, area, status=403, error="页面已过期，请重新登录。")
    user = (request.form.get("username") or "").strip()[:100]
    if not await auth.check_password(user, request.form.get("password") or "", client_address(request)):
        return await render_login(request, area, status=401, error="用户名或密码不正确。")
    response = redirect(auth.area.path, status=303)
    await auth.set_cookie(response, auth.new_session(user))  # a new nonce: no session fixation
    return response


async def logout(request, area: str):
    auth = auth_of(request, area)
    response = redirect(f"{auth.area.path}/login", status=303)
    await auth.set_cookie(response, auth.new_session())
    return response


def password_problem(form, current_ok: bool) -> str | None:
    new, again = form.get("new_password") or "", form.get("new_password_again") or ""
    if not current_ok:
        return "当前密码不正确。"
    if len(new) < MIN_PASSWORD_CHARS:
        return f"新密码至少要{MIN_PASSWORD_CHARS}个字符。"
    if new != again:
        return "两次输入的新密码不一样。"
    if new == (form.get("current_password") or ""):
        return "新密码不能和当前密码一样。"
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
    await auth.set_cookie(response, session)
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

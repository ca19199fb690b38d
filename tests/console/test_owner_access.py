"""Who may open the owner console: owners only, with CSRF on every form, and a password change
that ends other sessions (the login limit: tests/console/test_sec_login_limit.py)."""
from __future__ import annotations

import pytest


async def test_an_owner_logs_in_and_sees_the_owner_console(owner_console):
    client = await owner_console.owner()
    async with client.get("/owner") as resp:
        page = await resp.text()
    assert resp.status == 200 and "店铺后台" in page and "退出登录" in page


async def test_an_agent_cannot_open_the_owner_console(console):
    agent = await console.agent()
    async with agent.get("/owner", allow_redirects=False) as resp:
        assert resp.status == 302 and resp.headers["Location"] == "/owner/login"
    resp = await console.login(console.session(), "agent", console.agent_password, area="owner")
    assert resp.status == 401, "an agent's password does not open the owner console"


async def test_an_owner_may_also_answer_tickets(console):
    client = console.session()
    resp = await console.login(client, "owner", console.owner_password, area="agent")
    assert resp.status == 200 and resp.url.path == "/agent"


async def test_the_owner_session_cookie_is_not_the_agent_session(console):
    owner = await console.owner()
    async with owner.get("/agent", allow_redirects=False) as resp:
        assert resp.status == 302, "each area has its own login"


async def test_a_form_without_the_csrf_token_is_refused(console):
    owner = await console.owner()
    async with owner.post("/owner/logout", data={}) as resp:
        assert resp.status == 403
    async with owner.get("/owner") as resp:
        assert resp.status == 200, "still logged in"


async def test_pages_need_a_login(console):
    async with console.session().get("/owner/password", allow_redirects=False) as resp:
        assert resp.status == 302 and resp.headers["Location"] == "/owner/login"
    async with console.session().post("/owner/password", data={}) as resp:
        assert resp.status == 401


async def test_changing_the_password_ends_other_sessions(console):
    laptop, phone = await console.owner(), await console.owner()
    status, path, page = await console.post_form(laptop, "/owner/password", "/owner/password", {
        "current_password": console.owner_password, "new_password": "a-new-owner-pass", "new_password_again": "a-new-owner-pass"})
    assert status == 200 and "密码已修改" in page
    async with laptop.get("/owner") as resp:
        assert resp.status == 200 and resp.url.path == "/owner", "this session goes on"
    async with phone.get("/owner", allow_redirects=False) as resp:
        assert resp.status == 302, "the other session ended"
    assert (await console.login(console.session(), "owner", console.owner_password, area="owner")).status == 401
    await console.owner("a-new-owner-pass")


@pytest.mark.parametrize("form, complaint", [
    ({"current_password": "wrong", "new_password": "x" * 12, "new_password_again": "x" * 12}, "当前密码不正确"),
    ({"current_password": None, "new_password": "short", "new_password_again": "short"}, "至少要10个字符"),
    ({"current_password": None, "new_password": "x" * 12, "new_password_again": "y" * 12}, "不一样"),
])
async def test_a_bad_password_change_is_explained(console, form, complaint):
    form = {**form, "current_password": form["current_password"] or console.owner_password}
    owner = await console.owner()
    status, _, page = await console.post_form(owner, "/owner/password", "/owner/password", form)
    assert status == 400 and complaint in page
    await console.owner()  # the password did not change


async def test_the_dashboard_shows_the_days_and_serves_its_chart_data(owner_console, clock):
    from helpdesk import TicketStore  # noqa: F401  (the console's own ticket store is used)
    owner = await owner_console.owner()
    owner_console.tickets.open_or_append("c1", "request_human", {}, clock(), clock())
    async with owner.get("/owner") as resp:
        page = await resp.text()
    assert resp.status == 200 and "每天的数字" in page and "/static/vendor/chart.umd.min.js" in page
    async with owner.get("/owner/dashboard.json") as resp:
        data = await resp.json()
    assert len(data["labels"]) == 14 and data["tickets"][-1] == 1 and data["conversations"] == [0] * 14
    async with owner_console.session().get("/owner/dashboard.json", allow_redirects=False) as resp:
        assert resp.status == 302, "owners only"

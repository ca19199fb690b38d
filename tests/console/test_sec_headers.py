"""Every route of the console app (walked from Sanic's router, so a new route is covered without
editing this test), plus a missing page and a wrong method, answers with the security headers:
a CSP without unsafe-inline / unsafe-eval that forbids framing, nosniff, Referrer-Policy,
Permissions-Policy; the agent's and owner's pages are not cached; and the pages themselves need
nothing the CSP forbids (no inline script, style attribute or event handler)."""
from __future__ import annotations

import re

from console.security import HEADERS

SAMPLE = {"path": "chat.js"}   # the static route's file; other parameters get "1"


def concrete_paths(app) -> list[tuple[str, str]]:
    paths = []
    for route in app.router.routes:
        path = "/" + route.path.lstrip("/")
        path = re.sub(r"<([^:>]+)(?::([^>]+))?>", lambda m: SAMPLE.get(m.group(2) or "", "1"), path)
        for method in sorted(route.methods):
            paths.append((method, path))
    return sorted(set(paths))


def assert_secure(resp, where: str) -> None:
    for name, value in HEADERS.items():
        assert resp.headers.get(name) == value, f"{where}: {name} missing"
    csp = resp.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp and "frame-ancestors 'none'" in csp
    assert "Access-Control-Allow-Origin" not in resp.headers, f"{where}: no CORS for other sites"


async def test_every_route_sends_the_security_headers_and_no_page_needs_what_the_csp_forbids(console):
    client = console.session()
    assert (await console.login(client, "owner", console.owner_password, area="owner")).status == 200
    assert (await console.login(client, "owner", console.owner_password, area="agent")).status == 200
    await check_every_route(console, client)
    await check_pages_need_nothing_the_csp_forbids(client)


async def check_every_route(console, client) -> None:
    routes = concrete_paths(console.app)
    assert len(routes) >= 20 and ("GET", "/owner/settings") in routes
    checked = 0
    for method, path in routes + [("GET", "/no-such-page"), ("DELETE", "/agent")]:
        async with client.request(method, path, allow_redirects=False) as resp:
            await resp.read()
            assert resp.status < 500, f"{method} {path}: {resp.status}"
            assert_secure(resp, f"{method} {path} ({resp.status})")
            if path.startswith(("/agent", "/owner")):
                assert resp.headers.get("Cache-Control") == "no-store", f"{method} {path} may be cached"
            checked += 1
    assert checked == len(routes) + 2


async def check_pages_need_nothing_the_csp_forbids(client) -> None:
    pages = ["/", "/agent", "/agent/login", "/owner", "/owner/review", "/owner/training", "/owner/models",
             "/owner/settings", "/owner/answers", "/owner/password", "/owner/login"]
    for page in pages:
        async with client.get(page) as resp:
            html = await resp.text()
        assert resp.status == 200, page
        inline = [tag for tag in re.findall(r"<script\b[^>]*>", html)
                  if "src=" not in tag and 'type="application/json"' not in tag]
        assert not inline, f"{page}: inline script {inline}"
        assert not re.search(r"<style\b|\sstyle=|\son[a-z]+=", html), f"{page}: inline style or event handler"
        assert "javascript:" not in html, page

"""Response headers every console response gets (pages, JSON, static files, socket.io, errors).

- Content-Security-Policy: scripts, styles, fonts, images and connections from this origin only;
  no inline script or style and no eval (an injected tag or attribute cannot run), no plugins, no
  <base> rewriting, forms post only here, no framing (clickjacking);
- X-Content-Type-Options, Referrer-Policy, Permissions-Policy (no camera, microphone, location…),
  Cross-Origin-Opener-Policy / -Resource-Policy (another site's window or page cannot reach in);
- Strict-Transport-Security when the request came over TLS (directly or through a trusted proxy)
  or the app runs in production (always behind TLS there);
- Cache-Control: no-store on the agent's and owner's pages: conversations, tickets and the
  store's settings stay out of shared and browser caches.

No CORS headers: the console is the one origin its pages talk to; other sites get none."""
from __future__ import annotations

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",   # includes the same-origin socket.io websocket
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])

PERMISSIONS = ", ".join(f"{feature}=()" for feature in (
    "accelerometer", "camera", "geolocation", "gyroscope", "magnetometer", "microphone", "payment", "usb"))

HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": PERMISSIONS,
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}
HSTS = "max-age=31536000; includeSubDomains"
PRIVATE_AREAS = ("/agent", "/owner")


def over_tls(request) -> bool:
    ctx = request.app.ctx
    settings, proxies = getattr(ctx, "settings", None), getattr(ctx, "proxies", None)
    return bool(settings is not None and settings.production) or bool(proxies and proxies.is_https(request))


async def add_security_headers(request, response) -> None:
    if response is None:
        return
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if over_tls(request):
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    if request.path.startswith(PRIVATE_AREAS):
        response.headers["Cache-Control"] = "no-store"

"""Cross-origin access to the Rasa server and the action server only for exact, configured origins.

Rasa (and rasa-sdk) configure sanic-cors 2.0.1 from `--cors`; its origin patterns are matched with
an unanchored `re.match` (CVE-2026-37737: "https://shop.example.*" also admits
"https://shop.example.evil.com"), `*` admits every site, and with `*` a request without an Origin
still gets `Access-Control-Allow-Origin: *`. Installed before either server builds its app (the
Rasa entry point, rasa_server_plugins; the action server's plugin hook, rasa_sdk_plugins),
`sanic_cors.core.get_cors_origins` (which every CORS header sanic-cors sends goes through) is
replaced: an Origin is admitted only when it is, character for character, one of CORS_ORIGINS
(environment, comma- or space-separated `scheme://host[:port]`; empty by default: no
cross-origin access at all). `--cors` no longer widens that; `null` and patterns are never admitted.
A package of its own, below both plugin packages, which may not import each other."""
from __future__ import annotations

import os
import re
from typing import Optional

import sanic_cors.core

ENV_NAME = "CORS_ORIGINS"
_ORIGIN = re.compile(r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?")


def configured_origins(environ=os.environ) -> frozenset[str]:
    """The exact origins CORS_ORIGINS names; a malformed one stops the start with the fix."""
    origins = frozenset(re.split(r"[\s,]+", environ.get(ENV_NAME, "").strip())) - {""}
    wrong = sorted(o for o in origins if not _ORIGIN.fullmatch(o))
    if wrong:
        raise SystemExit(f"{ENV_NAME} names {', '.join(wrong)}: give exact origins, scheme://host[:port] without "
                         f"path or wildcard, e.g. {ENV_NAME}=https://shop.example,https://www.shop.example")
    return origins


def install(environ=os.environ) -> frozenset[str]:
    origins = configured_origins(environ)

    def exact_origin(options: dict, request_origin: Optional[str]) -> Optional[list[str]]:
        return [request_origin] if request_origin in origins else None

    sanic_cors.core.get_cors_origins = exact_origin
    return origins

"""Health of the process this container runs (STORE_ROLE), for Docker's HEALTHCHECK and for the
Rasa readiness probe in Kubernetes: exit 0 when healthy, 1 otherwise.

    python deploy/bin/healthcheck.py live    the process answers (Rasa: GET / → "Hello from Rasa")
    python deploy/bin/healthcheck.py ready   it can serve shoppers (Rasa: GET /status answers, which
                                             it does only once a model is loaded; it needs the token)

The console and the action server answer GET /health for both. Standard library only: the probe
runs often and must start fast.
"""
from __future__ import annotations

import os
import sys
import urllib.error
import urllib.parse
import urllib.request

TIMEOUT_SECONDS = 4


def url_for(role: str, mode: str, environ=os.environ) -> str:
    if role == "console":
        return f"http://127.0.0.1:{environ.get('CONSOLE_PORT', '8080')}/health"
    if role == "actions":
        return f"http://127.0.0.1:{environ.get('ACTION_PORT', '5055')}/health"
    if role == "rasa":
        base = f"http://127.0.0.1:{environ.get('RASA_PORT', '5005')}"
        if mode == "live":
            return base + "/"
        # Rasa's HTTP API takes the token as a query parameter; this request stays on loopback.
        return base + "/status?" + urllib.parse.urlencode({"token": environ.get("RASA_TOKEN", "")})
    raise ValueError(f"no health check for STORE_ROLE={role!r}")


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as response:
            return 200 <= response.status < 300
    except (urllib.error.URLError, OSError):
        return False


def main(argv: list[str]) -> int:
    mode = argv[1] if len(argv) > 1 else "ready"
    role = os.environ.get("STORE_ROLE", "")
    if role == "seed":
        return 0   # a one-shot job: nothing listens
    return 0 if healthy(url_for(role, mode)) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))

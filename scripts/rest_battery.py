"""Fire the bad-request battery (scripts/rest_battery_cases.py) at a running Rasa's REST channel and
print how it answered: "N/M answered 4xx with a reason, K 5xx". A reason is a JSON object with a
non-empty "reason" (our channel) or "message" (Sanic's own errors) string.

    .venv/bin/python scripts/rest_battery.py http://127.0.0.1:5005 [-v]

Exit status 0 only when every request got a 4xx with a reason."""
from __future__ import annotations

import argparse
import http.client
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
from rest_battery_cases import BAD_REQUESTS, BadRequest  # noqa: E402

WEBHOOK = "/webhooks/rest/webhook"
TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class Answer:
    case: BadRequest
    status: int           # 0: no answer (connection error or timeout)
    reason: str

    @property
    def refused_with_reason(self) -> bool:
        return 400 <= self.status < 500 and bool(self.reason)


def _reason(raw: bytes) -> str:
    try:
        body = json.loads(raw)
    except ValueError:
        return ""
    if not isinstance(body, dict):
        return ""
    reason = body.get("reason") or body.get("message")
    return reason if isinstance(reason, str) else ""


def fire(base_url: str, case: BadRequest) -> Answer:
    """One request, its Content-Type exactly as the case says (http.client adds none)."""
    url = urlsplit(base_url)
    connection = http.client.HTTPConnection(url.hostname, url.port or 80, timeout=TIMEOUT_SECONDS)
    headers = {"Content-Length": str(len(case.body))}
    if case.content_type is not None:
        headers["Content-Type"] = case.content_type
    try:
        connection.request("POST", url.path.rstrip("/") + WEBHOOK, body=case.body, headers=headers)
        response = connection.getresponse()
        return Answer(case, response.status, _reason(response.read()))
    except (OSError, http.client.HTTPException) as error:
        return Answer(case, 0, f"no answer: {type(error).__name__}")
    finally:
        connection.close()


def run_battery(base_url: str) -> list[Answer]:
    return [fire(base_url, case) for case in BAD_REQUESTS]


def summary(answers: list[Answer]) -> str:
    refused = sum(a.refused_with_reason for a in answers)
    errors = sum(a.status >= 500 for a in answers)
    accepted = sum(200 <= a.status < 300 for a in answers)
    silent = sum(a.status == 0 for a in answers)
    line = f"{refused}/{len(answers)} answered 4xx with a reason, {errors} 5xx"
    if accepted:
        line += f", {accepted} 2xx"
    if silent:
        line += f", {silent} without an answer"
    return line


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="the Rasa server, e.g. http://127.0.0.1:5005")
    parser.add_argument("-v", "--verbose", action="store_true", help="one line per request")
    args = parser.parse_args()
    answers = run_battery(args.url)
    if args.verbose:
        for answer in answers:
            print(f"{answer.status:>3}  {answer.case.name:<28} {answer.reason[:90]}")
    print(summary(answers))
    return 0 if all(a.refused_with_reason for a in answers) else 1


if __name__ == "__main__":
    sys.exit(main())

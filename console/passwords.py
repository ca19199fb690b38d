"""Agent password hashes (stdlib scrypt with a random salt), and the command that makes them:

    .venv/bin/python -m console.passwords hash      # asks for the password, prints the hash

Put each hash in the AGENT_USERS JSON file: {"xiaomei": "scrypt$16384$8$1$...$..."}.
"""
from __future__ import annotations

import base64
import getpass
import hashlib
import hmac
import secrets
import sys

_N, _R, _P, _LEN = 2 ** 14, 8, 1, 32


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=_LEN)
    return f"scrypt${_N}${_R}${_P}${_b64(salt)}${_b64(digest)}"


def is_hash(value: object) -> bool:
    try:
        _parse(value)
        return True
    except (TypeError, ValueError):
        return False


def _parse(value):
    kind, n, r, p, salt, digest = value.split("$")
    if kind != "scrypt":
        raise ValueError("not an scrypt hash")
    return int(n), int(r), int(p), base64.b64decode(salt, validate=True), base64.b64decode(digest, validate=True)


# Compared against when the user name is unknown, so a wrong name costs as long as a wrong password.
_DUMMY = hash_password(secrets.token_urlsafe(16))


def verify_password(password: str, stored: str | None) -> bool:
    n, r, p, salt, digest = _parse(stored or _DUMMY)
    candidate = hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, dklen=len(digest),
                               maxmem=128 * r * (n + p + 2) + 1024 * 1024)
    return hmac.compare_digest(candidate, digest) and stored is not None


def main(argv: list[str]) -> int:
    if argv[:1] != ["hash"]:
        print("usage: python -m console.passwords hash   (reads the password, prints its hash)", file=sys.stderr)
        return 2
    if sys.stdin.isatty():
        password = getpass.getpass("password: ")
        if password != getpass.getpass("again: "):
            print("the passwords differ", file=sys.stderr)
            return 1
    else:
        password = sys.stdin.readline().rstrip("\n")
    if len(password) < 8:
        print("use at least 8 characters", file=sys.stderr)
        return 1
    print(hash_password(password))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Password hashes for the console's accounts: Argon2id through argon2-cffi's `PasswordHasher`
(RFC 9106's low-memory profile: 64 MiB, 3 passes, 4 lanes; about 0.1 s on the 2-core machine).

Hashes made by earlier versions (stdlib scrypt, `scrypt$N$r$p$salt$digest`) are still accepted;
`needs_rehash` says so, and the login replaces them with an Argon2id hash of the same password
(console/auth.py), as it does for Argon2 hashes made with older parameters.

    .venv/bin/python -m console.passwords hash      # asks for the password, prints the hash

Put each hash in the AGENT_USERS / OWNER_USERS JSON file: {"xiaomei": "$argon2id$v=19$..."}.
"""
from __future__ import annotations

import base64
import getpass
import hashlib
import hmac
import secrets
import sys

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_HASHER = PasswordHasher()
_ARGON2_PREFIX = "$argon2"
_LEGACY_SCRYPT = "scrypt"


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def _scrypt_parts(value: str):
    kind, n, r, p, salt, digest = value.split("$")
    if kind != _LEGACY_SCRYPT:
        raise ValueError("not an scrypt hash")
    return int(n), int(r), int(p), base64.b64decode(salt, validate=True), base64.b64decode(digest, validate=True)


def _argon2_ok(value: str) -> bool:
    try:
        _HASHER.check_needs_rehash(value)   # parses the parameters; raises on a damaged hash
        return True
    except (InvalidHashError, ValueError):
        return False


def is_hash(value: object) -> bool:
    """A hash this module can check: Argon2 (now) or scrypt (earlier versions)."""
    if not isinstance(value, str):
        return False
    if value.startswith(_ARGON2_PREFIX):
        return _argon2_ok(value)
    try:
        _scrypt_parts(value)
        return True
    except (TypeError, ValueError):
        return False


def _verify_scrypt(password: str, stored: str) -> bool:
    n, r, p, salt, digest = _scrypt_parts(stored)
    candidate = hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, dklen=len(digest),
                               maxmem=128 * r * (n + p + 2) + 1024 * 1024)
    return hmac.compare_digest(candidate, digest)


# Checked when the user name is unknown, so a wrong name costs as long as a wrong password.
_DUMMY = hash_password(secrets.token_urlsafe(16))


def verify_password(password: str, stored: str | None) -> bool:
    if stored is not None and not stored.startswith(_ARGON2_PREFIX):
        try:
            return _verify_scrypt(password, stored)
        except (TypeError, ValueError):
            return False
    try:
        return _HASHER.verify(stored or _DUMMY, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """True for an scrypt hash of earlier versions or an Argon2 hash with older parameters."""
    return not stored.startswith(_ARGON2_PREFIX) or _HASHER.check_needs_rehash(stored)


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

"""Password and username rules (OWASP ASVS 5.0 V6.2) and argon2id hashing.

Passwords: 8 to 128 characters (15 or more recommended), any characters including spaces and
Unicode, no composition rules; refused when among the 30,000 most common passwords (the
frequency list shipped in the MIT-licensed `zxcvbn` package) or equal to the username. Both
are NFKC-normalised first, so the same password typed on another keyboard or OS still matches.
Usernames: 3 to 32 letters, digits, `_`, `-` or `.`, NFKC-normalised; unique without regard to
case (`username_key`).
"""

from __future__ import annotations

import functools
import re
import unicodedata

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from pixelsmith.core.errors import ApiError

MIN_PASSWORD = 8
RECOMMENDED_PASSWORD = 15
MAX_PASSWORD = 128
_USERNAME_RE = re.compile(r"[^\W]|[._-]")  # one allowed character: a letter, digit, _ . or -
MIN_USERNAME, MAX_USERNAME = 3, 32

# argon2-cffi's defaults are RFC 9106's second recommended option (argon2id, 64 MiB, t=3, p=4).
_hasher = PasswordHasher()
# Verified against when the username is unknown, so that answer takes as long as a wrong one.
_DUMMY_HASH = _hasher.hash("pixelsmith dummy password, never a real one")


class WeakPassword(ApiError):
    status_code = 422
    code = "weak_password"


class InvalidUsername(ApiError):
    status_code = 422
    code = "invalid_username"


@functools.cache
def common_passwords() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def normalize_username(raw: str) -> tuple[str, str]:
    """(username as shown, its case-insensitive key), or InvalidUsername."""
    name = unicodedata.normalize("NFKC", raw or "").strip()
    ok = MIN_USERNAME <= len(name) <= MAX_USERNAME and all(
        _USERNAME_RE.fullmatch(ch) for ch in name
    )
    if not ok:
        raise InvalidUsername(
            f"A username is {MIN_USERNAME} to {MAX_USERNAME} letters, digits, '_', '-' or '.', "
            "with no spaces. Choose another one.",
            details={"field": "username", "min": MIN_USERNAME, "max": MAX_USERNAME},
        )
    return name, username_key(name)


def username_key(name: str) -> str:
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())


def normalize_password(raw: str) -> str:
    return unicodedata.normalize("NFKC", raw or "")


def check_password(password: str, username: str = "", *, field: str = "password") -> str:
    """The normalised password if it passes the rules; else WeakPassword saying what to do."""
    pw = normalize_password(password)
    hint = f"{RECOMMENDED_PASSWORD} or more characters are recommended; a few words work well."
    details = {
        "field": field,
        "min": MIN_PASSWORD,
        "max": MAX_PASSWORD,
        "recommended": RECOMMENDED_PASSWORD,
    }
    if len(pw) < MIN_PASSWORD:
        raise WeakPassword(
            f"The password is too short: use at least {MIN_PASSWORD} characters ({hint})",
            details={**details, "reason": "too_short"},
        )
    if len(pw) > MAX_PASSWORD:
        raise WeakPassword(
            f"The password is too long: use at most {MAX_PASSWORD} characters.",
            details={**details, "reason": "too_long"},
        )
    if username and username_key(pw) == username_key(username):
        raise WeakPassword(
            f"The password must not be your username. Choose another one ({hint})",
            details={**details, "reason": "same_as_username"},
        )
    if pw.lower() in common_passwords():
        raise WeakPassword(
            f"This password is one of the most common ones, which attackers try first. Choose "
            f"another one ({hint})",
            details={**details, "reason": "common"},
        )
    return pw


def hash_password(password: str) -> str:
    return _hasher.hash(normalize_password(password))


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when `password` matches; with no hash (unknown user) checks a dummy, then False."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, normalize_password(password)) and (
            password_hash is not None
        )
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)

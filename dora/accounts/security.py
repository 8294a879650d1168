"""Password hashing (argon2id) and signed, expiring links (itsdangerous)."""

from __future__ import annotations

from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

# argon2id with the library's defaults (RFC 9106 low-memory profile).
_hasher = PasswordHasher()
# Verified when the e-mail is unknown, so that a failed login takes as long either way.
_DUMMY_HASH = _hasher.hash("dora: no such account")

PASSWORD_MIN_LENGTH = 12
PASSWORD_MAX_LENGTH = 128

# Link lifetimes, in seconds.
VERIFY_EMAIL_MAX_AGE = 3 * 24 * 3600
RESET_PASSWORD_MAX_AGE = 3600
INVITATION_MAX_AGE = 14 * 24 * 3600


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when `password` matches; with no hash, burns the same time and says no."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def password_problem(password: str, email: str = "") -> str | None:
    """A French message saying what is wrong with a new password, or None."""
    if len(password) < PASSWORD_MIN_LENGTH:
        return f"Le mot de passe doit contenir au moins {PASSWORD_MIN_LENGTH} caractères."
    if len(password) > PASSWORD_MAX_LENGTH:
        return f"Le mot de passe est limité à {PASSWORD_MAX_LENGTH} caractères."
    if len(set(password)) < 5:
        return "Le mot de passe est trop répétitif : variez les caractères."
    if email and password.strip().lower() in {email.lower(), email.split("@")[0].lower()}:
        return "Le mot de passe ne doit pas reprendre votre adresse e-mail."
    return None


class InvalidLink(Exception):
    """A signed link that is forged, altered, expired or already used."""

    def __init__(self, expired: bool = False) -> None:
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"dora-{purpose}")


def make_token(purpose: str, payload: dict[str, Any]) -> str:
    return _serializer(purpose).dumps(payload)


def read_token(purpose: str, token: str, max_age: int) -> dict[str, Any]:
    try:
        payload = _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired:
        raise InvalidLink(expired=True) from None
    except BadSignature:
        raise InvalidLink() from None
    if not isinstance(payload, dict):
        raise InvalidLink()
    return payload

"""Signed unsubscribe links: no login, no expiry (old e-mails must keep working), one per
saved search, useless for anything else (own salt)."""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

SALT = "dora.alerts.unsubscribe"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def unsubscribe_token(saved_search_id: int) -> str:
    return _serializer().dumps(saved_search_id)


def read_unsubscribe_token(token: str) -> int | None:
    try:
        value = _serializer().loads(token)
    except BadSignature:
        return None
    return value if isinstance(value, int) else None

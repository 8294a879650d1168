"""Login throttling that an attacker cannot turn against an account's owner.

Three limits apply to failed logins (see dora.accounts.views.login):
- per client address (`LOGIN_LIMIT_PER_IP`, Flask-Limiter): one machine spraying passwords;
- per (account, browser) (`LOGIN_LIMIT_PER_ACCOUNT`, Flask-Limiter): the browser is the
  trusted-device cookie when it has one for this address, else the client address. Failures
  from elsewhere never use up the owner's allowance;
- per account, for browsers it does not know (`LOGIN_ACCOUNT_CEILING`, Flask-Limiter, plus the
  growing delay below, kept in PostgreSQL so that every worker sees it): after FREE_FAILURES
  failures within WINDOW, each new try from an unknown browser must wait 2, 4, 8… seconds
  after the previous failure (at most MAX_DELAY). Distributed guessing slows to a crawl.

A browser becomes known to an address when a login to it succeeds there: it gets a signed
cookie (`DEVICE_COOKIE`, a year) naming a keyed hash of the address. The owner's usual browsers
are never slowed down by an attack from elsewhere; from a new browser, the owner can still
reset the password by e-mail.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta

from flask import Response, current_app, request
from flask_limiter.util import get_remote_address
from sqlalchemy import case, delete
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from dora.accounts import security
from dora.accounts.models import LoginThrottle

FREE_FAILURES = 10
WINDOW = timedelta(hours=1)
MAX_DELAY_SECONDS = 300
DEVICE_COOKIE = "dora_appareil"
DEVICE_MAX_AGE = 365 * 24 * 3600


def _now() -> datetime:
    return datetime.now(UTC)


def normalised(email: str | None) -> str:
    return (email or "").strip().lower()


def address_key(email: str | None) -> str:
    """A keyed hash of the address typed: the same for known and unknown addresses."""
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, normalised(email).encode(), hashlib.sha256).hexdigest()


def _device(email: str | None) -> str | None:
    """The id of this browser if it is a known browser of `email`, else None."""
    token = request.cookies.get(DEVICE_COOKIE)
    if not token:
        return None
    try:
        payload = security.read_token("device", token, DEVICE_MAX_AGE)
    except security.InvalidLink:
        return None
    if payload.get("k") != address_key(email) or not isinstance(payload.get("d"), str):
        return None
    return payload["d"]


def is_known_browser(email: str | None) -> bool:
    return _device(email) is not None


def client_of(email: str | None) -> str:
    """Who is trying, for the per-(account, browser) limit."""
    device = _device(email)
    return f"appareil:{device}" if device else f"ip:{get_remote_address()}"


def delay_after(failures: int) -> int:
    """Seconds an unknown browser waits after the last failure, once past the free ones."""
    if failures < FREE_FAILURES:
        return 0
    return min(2 ** (failures - FREE_FAILURES + 1), MAX_DELAY_SECONDS)


def wait_seconds(session: Session, email: str | None) -> int:
    """How long this browser must wait before trying `email` (0: it may try now)."""
    if is_known_browser(email):
        return 0
    row = session.get(LoginThrottle, address_key(email))
    if row is None or row.window_started_at < _now() - WINDOW:
        return 0
    ready_at = row.last_failure_at + timedelta(seconds=delay_after(row.failures))
    return max(0, int((ready_at - _now()).total_seconds() + 0.999))


def record_failure(session: Session, email: str | None) -> None:
    """Count a failed login from an unknown browser (atomically: workers share the row)."""
    if is_known_browser(email):
        return
    now = _now()
    statement = insert(LoginThrottle).values(
        key=address_key(email), failures=1, window_started_at=now, last_failure_at=now
    )
    table = LoginThrottle.__table__
    expired = table.c.window_started_at < now - WINDOW

    statement = statement.on_conflict_do_update(
        index_elements=[table.c.key],
        set_={
            "failures": case((expired, 1), else_=table.c.failures + 1),
            "window_started_at": case((expired, now), else_=table.c.window_started_at),
            "last_failure_at": now,
        },
    )
    session.execute(statement)
    session.flush()


def record_success(session: Session, email: str | None) -> None:
    session.execute(delete(LoginThrottle).where(LoginThrottle.key == address_key(email)))


def remember_browser(response: Response, email: str) -> Response:
    """Make this browser a known browser of `email` (after a successful login)."""
    device = _device(email) or secrets.token_urlsafe(16)
    token = security.make_token("device", {"k": address_key(email), "d": device})
    response.set_cookie(
        DEVICE_COOKIE,
        token,
        max_age=DEVICE_MAX_AGE,
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
        httponly=True,
        samesite="Lax",
    )
    return response

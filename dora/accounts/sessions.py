"""Server-side sessions: logging out really ends a session.

The session cookie (signed by Flask) carries `<user id>:<password fingerprint>:<token>`; the
database keeps the SHA-256 of the token in `user_session`. Every request checks that the row
exists, is not revoked and is younger than MAX_AGE, in the one query that loads the user. So:
- logging out revokes this browser's row: a copy of the cookie taken before is refused;
- « Se déconnecter de tous les appareils » revokes every row of the user;
- a new password changes the fingerprint, which ends every other session too.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from flask import session as flask_session
from flask_login import current_user, login_user, logout_user
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from dora.accounts.models import User, UserSession
from dora.extensions import db

MAX_AGE = timedelta(days=30)
# Revoked and expired rows are deleted when their owner next logs in, after this long.
KEEP_ENDED = timedelta(days=30)


def _now() -> datetime:
    return datetime.now(UTC)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(session: Session, user: User) -> str:
    """A new server-side session for `user`; its token is set on the user for get_id()."""
    token = secrets.token_urlsafe(32)
    session.execute(
        delete(UserSession).where(
            UserSession.user_id == user.id,
            UserSession.created_at < _now() - MAX_AGE - KEEP_ENDED,
        )
    )
    session.add(UserSession(id=_digest(token), user_id=user.id))
    session.flush()
    user.session_token = token
    return token


def log_in(user: User) -> None:
    """Open a session for `user` in this browser (Flask-Login's cookie)."""
    open_session(db.session, user)
    login_user(user)


def load_user(session_id: str) -> User | None:
    """Flask-Login's loader: the user of a live session, or None (anonymous)."""
    user_id, _, rest = session_id.partition(":")
    fingerprint, _, token = rest.partition(":")
    if not user_id.isdigit() or not token:
        return None
    user = db.session.execute(
        select(User)
        .join(UserSession, UserSession.user_id == User.id)
        .where(
            User.id == int(user_id),
            UserSession.id == _digest(token),
            UserSession.revoked_at.is_(None),
            UserSession.created_at > _now() - MAX_AGE,
        )
    ).scalar_one_or_none()
    if user is None or user.password_fingerprint != fingerprint:
        return None
    user.session_token = token
    return user


def log_out() -> None:
    """End this browser's session, server-side too."""
    token = getattr(current_user, "session_token", None)
    if token:
        db.session.execute(
            update(UserSession)
            .where(UserSession.id == _digest(token), UserSession.revoked_at.is_(None))
            .values(revoked_at=_now())
        )
        db.session.flush()
    logout_user()
    # Everything else the cookie carried (e.g. referral-link grants) ends with the session.
    flask_session.clear()


def revoke_all(session: Session, user: User) -> int:
    """End every session of `user`; how many were open."""
    result = session.execute(
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
        .values(revoked_at=_now())
    )
    session.flush()
    return result.rowcount or 0


def open_sessions(session: Session, user: User) -> list[UserSession]:
    return list(
        session.scalars(
            select(UserSession)
            .where(
                UserSession.user_id == user.id,
                UserSession.revoked_at.is_(None),
                UserSession.created_at > _now() - MAX_AGE,
            )
            .order_by(UserSession.created_at.desc())
        )
    )

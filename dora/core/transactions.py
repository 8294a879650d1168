"""One commit per request, at its boundary (as Indico does).

Views never commit. They call operations, which only flush; when the response is a success
or a redirect (status below 400) the request's transaction is committed once, after the view;
with an error status or an exception it is rolled back when the session is closed. E-mails
queued with `dora.accounts.emails.send_after_commit` leave at that commit, never for a
rolled-back change.

A view that shows a refused operation to the user (a form error, a flash message) runs it in
`attempt()`: on refusal what the operation wrote (and the e-mails it queued) is rolled back to
a savepoint and the error is kept for the view to show.

    with attempt() as outcome:
        operations.request_join(db.session, current_user, structure, message)
    if outcome.error:
        flash(outcome.error.message, "error")
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import Flask, Response, request
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, SessionTransaction

from dora.api.errors import DATABASE_UNAVAILABLE, unavailable_response
from dora.extensions import db

log = logging.getLogger(__name__)


class Refusal(Exception):
    """Base of the errors an operation raises to refuse a change, with a French message and
    optionally the form field concerned. Operations' own error classes derive from it."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass
class Outcome:
    error: Refusal | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


@contextmanager
def attempt(*refusals: type[Exception]) -> Iterator[Outcome]:
    """Run operations in a savepoint; if one refuses (a `Refusal`, or one of `refusals`),
    what they wrote is rolled back and the error is kept in the outcome."""
    outcome = Outcome()
    session = db.session()
    mails = session.info.get(MAILS_KEY)
    mails_before = len(mails) if mails else 0
    savepoint = session.begin_nested()
    try:
        yield outcome
    except (Refusal, *refusals) as error:
        savepoint.rollback()
        # E-mails queued by the refused operation go with it.
        if session.info.get(MAILS_KEY):
            del session.info[MAILS_KEY][mails_before:]
        outcome.error = error  # type: ignore[assignment]
    else:
        savepoint.commit()


WROTE_KEY = "dora_wrote"
# Where dora.accounts.emails queues the e-mails of the transaction (not imported: accounts
# builds on core).
MAILS_KEY = "dora_pending_mails"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@event.listens_for(Session, "after_flush")
def _remember_write(session: Session, _flush_context) -> None:
    session.info[WROTE_KEY] = True


@event.listens_for(Session, "after_transaction_end")
def _forget_write(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(WROTE_KEY, None)


def _has_writes(session: Session) -> bool:
    # A read-only GET ends without a COMMIT round trip; a GET that writes (an e-mail
    # confirmation link) flushes, and is committed like a POST.
    return request.method not in SAFE_METHODS or bool(session.info.get(WROTE_KEY))


def without_transaction(session: Session) -> None:
    """Run the rest of a read-only request's statements outside any transaction: no BEGIN
    and no ROLLBACK round trips around them (two of the four of a search). Each statement
    then sees what is committed when it starts, which a read-only answer built from
    independent reads accepts. A session that already began, or that is bound to a
    connection (a test's shared transaction), is left as it is."""
    if session.in_transaction() or not isinstance(session.get_bind(), Engine):
        return
    session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


def init_app(app: Flask) -> None:
    @app.before_request
    def start_clean() -> None:
        # Writes flushed before this request (a test's fixtures share its session) are not
        # this request's.
        db.session().info.pop(WROTE_KEY, None)

    @app.after_request
    def commit_at_boundary(response: Response) -> Response:
        # An error status leaves the transaction to Flask-SQLAlchemy's teardown, which closes
        # the session and so rolls it back.
        session = db.session()
        if response.status_code < 400 and session.in_transaction() and _has_writes(session):
            try:
                session.commit()
            except DATABASE_UNAVAILABLE:
                # The database went away between the view and its commit: nothing was saved.
                log.exception("commit failed on %s %s", request.method, request.path)
                return unavailable_response()
        return response

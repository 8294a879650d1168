"""E-mails: built during the request, sent once the transaction has committed.

    from dora.accounts import emails
    emails.send_after_commit(emails.build(to, "Sujet", "accounts/emails/verify.txt", url=…))
    db.session.commit()   # the e-mail leaves now, never for a rolled-back change

Delivery goes through the SMTP server of the MAIL_* settings, in a background thread
(MAIL_ASYNC, default on) so that the response time does not tell whether an e-mail was sent
(no account enumeration through timing). Command-line code calls `send(message)` directly.

In development (DORA_ENV=development) an unreachable SMTP server is not an error: the message
is written as an .eml file under var/mail/ (MAIL_FALLBACK_DIR), listed at /dev/mails. `dora mail
serve` runs a real local SMTP server (aiosmtpd) that stores into the same folder.
"""

from __future__ import annotations

import logging
import smtplib
import threading
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

import click
from flask import Flask, current_app, render_template
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from dora.config import PROJECT_ROOT
from dora.core.transactions import MAILS_KEY
from dora.extensions import db

log = logging.getLogger(__name__)

PENDING_KEY = MAILS_KEY  # defined by the request boundary, which trims it on refusal
DEFAULT_FALLBACK_DIR = PROJECT_ROOT / "var" / "mail"
SMTP_TIMEOUT_SECONDS = 10


@dataclass(frozen=True)
class SmtpSettings:
    server: str
    port: int
    username: str
    password: str
    use_tls: bool
    fallback_dir: Path | None
    send_async: bool

    @classmethod
    def from_app(cls, app: Flask) -> SmtpSettings:
        config = app.config
        fallback = config.get("MAIL_FALLBACK_DIR")
        return cls(
            server=config["MAIL_SERVER"],
            port=int(config["MAIL_PORT"]),
            username=config.get("MAIL_USERNAME", ""),
            password=config.get("MAIL_PASSWORD", ""),
            use_tls=bool(config.get("MAIL_USE_TLS")),
            fallback_dir=Path(fallback) if fallback else None,
            send_async=bool(config.get("MAIL_ASYNC", True)),
        )


def init_app(app: Flask) -> None:
    development = app.config.get("DORA_ENV") == "development"
    app.config.setdefault("MAIL_FALLBACK_DIR", str(DEFAULT_FALLBACK_DIR) if development else "")
    app.config.setdefault("MAIL_ASYNC", True)


def build(to: str, subject: str, template: str, **context) -> EmailMessage:
    """A plain-text e-mail rendered from a Jinja template (in an app context)."""
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = make_msgid(domain="dora.local")
    message.set_content(render_template(template, **context))
    return message


def send_after_commit(message: EmailMessage, session: Session | None = None) -> None:
    """Queue `message` on the session: sent if the transaction commits, dropped otherwise."""
    session = session or db.session()
    # The message belongs to the current transaction: open one, so that a rollback (which is
    # a no-op for a session without transaction) drops it.
    session.connection()
    settings = SmtpSettings.from_app(current_app)
    session.info.setdefault(PENDING_KEY, []).append((message, settings))


def send(message: EmailMessage, settings: SmtpSettings | None = None) -> bool:
    """Deliver now (command-line code). True when the SMTP server (or fallback) took it."""
    return _deliver(message, settings or SmtpSettings.from_app(current_app))


_executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="dora-mail")
_futures: set[Future] = set()
_futures_lock = threading.Lock()


def wait_for_deliveries(timeout: float = 10) -> None:
    """Block until the e-mails handed to the background thread are delivered (tests, CLI)."""
    with _futures_lock:
        pending = list(_futures)
    wait(pending, timeout=timeout)


def _dispatch(queued: list[tuple[EmailMessage, SmtpSettings]]) -> None:
    for message, settings in queued:
        if not settings.send_async:
            _deliver(message, settings)
            continue
        future = _executor.submit(_deliver, message, settings)
        with _futures_lock:
            _futures.add(future)
        future.add_done_callback(_forget)


def _forget(future: Future) -> None:
    with _futures_lock:
        _futures.discard(future)


def _deliver(message: EmailMessage, settings: SmtpSettings) -> bool:
    try:
        with smtplib.SMTP(settings.server, settings.port, timeout=SMTP_TIMEOUT_SECONDS) as smtp:
            if settings.use_tls:
                smtp.starttls()
            if settings.username:
                smtp.login(settings.username, settings.password)
            smtp.send_message(message)
        return True
    except (OSError, smtplib.SMTPException) as error:
        if settings.fallback_dir is not None:
            path = write_eml(message, settings.fallback_dir)
            log.warning(
                "SMTP %s:%s unreachable (%s): e-mail written to %s",
                settings.server,
                settings.port,
                error,
                path,
            )
            return True
        log.error("e-mail to %s not sent: %s", message["To"], error)
        return False


def write_eml(message: EmailMessage | bytes, directory: Path) -> Path:
    """Store a message as `<timestamp>-<n>.eml` (the development mailbox)."""
    directory.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    data = message if isinstance(message, bytes) else message.as_bytes()
    path = directory / f"{stamp}-{threading.get_ident() % 10000}.eml"
    path.write_bytes(data)
    return path


# Session hooks: every session of the process (the request's, the CLI's, the tests').


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    queued = session.info.pop(PENDING_KEY, None)
    if queued:
        _dispatch(queued)


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, previous_transaction: SessionTransaction) -> None:
    if previous_transaction.parent is None:
        session.info.pop(PENDING_KEY, None)


# `--base-url` of the commands that send e-mails with links outside any request.
BASE_URL_OPTION = click.option(
    "--base-url",
    default=None,
    help="Adresse du site pour les liens des e-mails, si SERVER_NAME n’est pas défini "
    "(défaut : DORA_BASE_URL).",
)


def link_context(base_url: str | None) -> AbstractContextManager:
    """Where `url_for` can build the e-mails' absolute links in a command: SERVER_NAME when
    it is set, else `base_url`, else DORA_BASE_URL."""
    app = current_app._get_current_object()
    if app.config.get("SERVER_NAME"):
        return nullcontext()
    return app.test_request_context(base_url=base_url or app.config["DORA_BASE_URL"])

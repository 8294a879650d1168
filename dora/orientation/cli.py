"""`dora orientations relancer | purger`: the scheduled work on referrals (cron, daily).

Both are idempotent and commit referral by referral, so an interrupted run resumes where it
stopped and a second run does nothing new:

- `relancer`: reminds the receiving structure of each referral still unanswered after
  ORIENTATION_REMINDER_WORKING_DAYS working days (once: `reminded_at`), then closes those
  unanswered after ORIENTATION_EXPIRY_DAYS days (`expiree`) and tells their prescriber;
- `purger`: erases the personal data of referrals whose last status change is older than
  ORIENTATION_RETENTION_DAYS (keeping status, dates and codes: the counts), deletes their
  files, forgets reads logged more than ORIENTATION_ACCESS_LOG_DAYS ago, and removes stored
  files that no referral knows.

Messages name referrals by number only: no personal data in the output or the logs.
"""

from __future__ import annotations

import sys
from contextlib import nullcontext
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import with_appcontext

from dora.accounts import emails as mail
from dora.core.transactions import MAILS_KEY
from dora.extensions import db
from dora.orientation import operations, queries, storage, workdays

PARIS = ZoneInfo("Europe/Paris")
PURGE_BATCH = 500


@click.group("orientations", help="Orientations : relances, expiration, effacement.")
def command() -> None:
    pass


def _request_context(base_url: str):
    """E-mail links need the site's address: SERVER_NAME, else --base-url."""
    app = current_app._get_current_object()
    if app.config.get("SERVER_NAME"):
        return nullcontext()
    return app.test_request_context(base_url=base_url)


BASE_URL = click.option(
    "--base-url",
    default="http://127.0.0.1:5000",
    show_default=True,
    envvar="DORA_BASE_URL",
    help="Adresse du site pour les liens des e-mails (si SERVER_NAME n’est pas défini).",
)
DRY_RUN = click.option("--dry-run", is_flag=True, help="Compter sans rien envoyer ni écrire.")


class DeliveryFailed(Exception):
    pass


def _one(action, orientation) -> bool | None:
    """Apply `action` to one referral, send its e-mails, then commit: a referral is marked
    reminded (or expired) only if its e-mails left. True when done, False when there was
    nothing to do, None on failure: what it wrote is rolled back (a savepoint) and it is left
    for the next run."""
    session = db.session
    savepoint = session.begin_nested()
    try:
        done = action(session, orientation)
        for message, settings in session.info.pop(MAILS_KEY, []):
            if not mail.send(message, settings):
                raise DeliveryFailed()
        savepoint.commit()
    except Exception as error:  # one referral must not stop the others
        savepoint.rollback()
        session.info.pop(MAILS_KEY, None)
        click.echo(f"Orientation n° {orientation.id} : échec ({type(error).__name__}).", err=True)
        return None
    session.commit()
    return bool(done)


@command.command("relancer", help="Relancer les structures, clore les orientations expirées.")
@BASE_URL
@DRY_RUN
@with_appcontext
def remind_command(base_url: str, dry_run: bool) -> None:
    config = current_app.config
    now = operations.now()
    today = now.astimezone(PARIS).date()
    # Sent on or before this day: at least N working days have passed since.
    last_day = workdays.subtract_working_days(today, config["ORIENTATION_REMINDER_WORKING_DAYS"])
    remind_before = datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=PARIS)
    expire_before = now - timedelta(days=config["ORIENTATION_EXPIRY_DAYS"])
    session = db.session
    to_expire = queries.due_expiry(session, expire_before)
    expiring = {o.id for o in to_expire}
    # An orientation about to expire gets the expiry notice, not a reminder too.
    to_remind = [o for o in queries.due_reminders(session, remind_before) if o.id not in expiring]
    if dry_run:
        click.echo(
            f"{len(to_remind)} orientation(s) à relancer, {len(to_expire)} à clore (rien envoyé)."
        )
        return
    with _request_context(base_url):
        reminders = [_one(operations.remind, o) for o in to_remind]
        expiries = [_one(operations.expire, o) for o in to_expire]
    reminded, expired = reminders.count(True), expiries.count(True)
    failures = reminders.count(None) + expiries.count(None)
    click.echo(
        f"{reminded} orientation(s) relancée(s), {expired} close(s) sans réponse "
        f"(après {config['ORIENTATION_EXPIRY_DAYS']} jours), {failures} échec(s)."
    )
    if failures:
        sys.exit(1)


@command.command("purger", help="Effacer les données personnelles au terme de leur conservation.")
@DRY_RUN
@with_appcontext
def purge_command(dry_run: bool) -> None:
    config = current_app.config
    session = db.session
    now = operations.now()
    cutoff = now - timedelta(days=config["ORIENTATION_RETENTION_DAYS"])
    if dry_run:
        count = len(queries.due_purge(session, cutoff, limit=1_000_000))
        click.echo(f"{count} orientation(s) à effacer (rien effacé).")
        return
    purged = files = 0
    while True:
        batch = queries.due_purge(session, cutoff, limit=PURGE_BATCH)
        if not batch:
            break
        keys: list[str] = []
        for orientation in batch:
            keys.extend(operations.purge(session, orientation))
        session.commit()
        # Files go once their rows are gone for good (a failed commit keeps both).
        files += storage.delete(keys)
        purged += len(batch)
    forgotten = operations.delete_access_log_before(
        session, now - timedelta(days=config["ORIENTATION_ACCESS_LOG_DAYS"])
    )
    session.commit()
    orphans = storage.sweep_orphans(session)
    click.echo(
        f"{purged} orientation(s) effacée(s) ({files} fichier(s)), {forgotten} lecture(s) "
        f"anciennes oubliées du journal, {orphans} fichier(s) orphelin(s) supprimé(s)."
    )

"""`dora alertes envoyer`: the e-mail digests of saved searches (cron, daily).

Idempotent per period: each saved search is handled at most once per day (`quotidienne`) or
per ISO week (`hebdomadaire`). Its run is recorded (`alert_delivery`) in the same transaction
that moves its checkpoint, committed only once the e-mail has left (or when nothing new
matched, with no e-mail): a second run sends nothing new, a failed delivery is retried at the
next run, an interrupted run resumes where it stopped.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import click
from flask import url_for
from flask.cli import with_appcontext

from dora.accounts import emails
from dora.accounts.models import User
from dora.alerts import links, operations, queries
from dora.alerts.models import Frequence, SavedSearch
from dora.api.errors import ApiError
from dora.core.template_helpers import french_date
from dora.extensions import db

PARIS = ZoneInfo("Europe/Paris")


@click.group("alertes", help="Alertes des recherches enregistrées.")
def command() -> None:
    pass


def periods(now: datetime) -> dict[str, str]:
    """The current period of each frequency (French time): `2026-12-07`, `2026-W50`."""
    local = now.astimezone(PARIS)
    year, week, _ = local.isocalendar()
    return {
        Frequence.QUOTIDIENNE.value: local.date().isoformat(),
        Frequence.HEBDOMADAIRE.value: f"{year}-W{week:02d}",
    }


def _now() -> datetime:
    return datetime.now(UTC)


@command.command("envoyer", help="Envoyer les alertes du jour (et de la semaine) par e-mail.")
@click.option("--dry-run", is_flag=True, help="Compter sans envoyer ni enregistrer.")
@emails.BASE_URL_OPTION
@with_appcontext
def send_command(dry_run: bool, base_url: str | None) -> None:
    session = db.session
    now = _now()
    current = periods(now)
    due = queries.due_searches(session, current)
    context = emails.link_context(base_url)
    sent = empty = failed = invalid = 0
    with context:
        for saved in due:
            outcome = _one(saved, current[saved.frequence], now, dry_run)
            if outcome == "sent":
                sent += 1
            elif outcome == "empty":
                empty += 1
            elif outcome == "invalid":
                invalid += 1
            elif outcome == "failed":
                failed += 1
    verb = "seraient envoyées" if dry_run else "envoyées"
    click.echo(
        f"{len(due)} recherche(s) à traiter : {sent} alerte(s) {verb}, {empty} sans nouveauté, "
        f"{invalid} recherche(s) devenue(s) invalide(s), {failed} échec(s) d’envoi."
    )
    if failed:
        sys.exit(1)


def _one(saved: SavedSearch, periode: str, now: datetime, dry_run: bool) -> str:
    session = db.session
    try:
        total, services = queries.new_matches(session, saved, now)
    except ApiError as error:
        click.echo(f"Recherche n° {saved.id} invalide : {error.message}", err=True)
        return "invalid"
    if dry_run:
        return "sent" if total else "empty"
    since = saved.depuis
    savepoint = session.begin_nested()
    if not operations.record_delivery(session, saved, periode, total, now):
        savepoint.rollback()
        return "done"  # another run did it meanwhile
    if total:
        user = session.get(User, saved.user_id)
        if (
            user is None
            or not user.is_verified
            or not emails.send(_message(saved, user, total, services, since))
        ):
            savepoint.rollback()
            click.echo(
                f"Recherche n° {saved.id} : échec de l’envoi, réessayé au prochain passage.",
                err=True,
            )
            return "failed"
    savepoint.commit()
    session.commit()
    return "sent" if total else "empty"


def _message(saved: SavedSearch, user: User, total: int, services, since: datetime):
    search_url = url_for("search.search_page", _external=True) + "?" + saved.parametres
    unsubscribe_url = url_for(
        "alerts.unsubscribe", token=links.unsubscribe_token(saved.id), _external=True
    )
    subject = (
        f"« {saved.nom} » : {total} service{'s' if total > 1 else ''} "
        f"nouveau{'x' if total > 1 else ''} ou mis à jour"
    )
    message = emails.build(
        user.email,
        subject,
        "alerts/emails/digest.txt",
        saved=saved,
        total=total,
        services=services,
        period_label=f"depuis le {french_date(since.astimezone(PARIS))}",
        search_url=search_url,
        unsubscribe_url=unsubscribe_url,
        service_urls={
            s.id: url_for("catalogue.service_page", service_id=s.id, _external=True)
            for s in services
        },
    )
    # One-click unsubscribe from the mail client (RFC 8058): the signed link, POSTed.
    message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return message

"""`dora notify stale`: e-mail structure admins about their services that need a check.

Idempotent per period (a month by default): each (structure, admin, period) reminder is
recorded in `stale_notification` in the same transaction as its sending, so a second run in
the same month sends nothing, and a run interrupted half-way resumes where it stopped.
"""

from __future__ import annotations

import re
import sys
from datetime import date

import click
from flask import url_for
from flask.cli import with_appcontext
from sqlalchemy.dialects.postgresql import insert
from tqdm import tqdm

from dora.accounts import emails
from dora.extensions import db
from dora.publishing import queries
from dora.publishing.models import StaleNotification

_PERIODE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


@click.group("notify", help="Rappels envoyés par e-mail.")
def command() -> None:
    pass


def _periode(ctx, param, value: str | None) -> str:
    if value is None:
        return date.today().strftime("%Y-%m")
    if not _PERIODE.match(value):
        raise click.BadParameter(f"« {value} » n’est pas un mois AAAA-MM (par exemple 2026-11).")
    return value


@command.command("stale", help="Prévenir les administrateurs des services à vérifier.")
@click.option(
    "--periode",
    callback=_periode,
    metavar="AAAA-MM",
    help="Période de rappel (défaut : le mois en cours) : un seul e-mail par période.",
)
@click.option("--dry-run", is_flag=True, help="Compter sans envoyer ni enregistrer.")
@emails.BASE_URL_OPTION
@with_appcontext
def stale(periode: str, dry_run: bool, base_url: str | None) -> None:
    session = db.session
    groups = queries.stale_published_by_structure(session)
    admins = queries.structure_admins(session, [g.structure_id for g in groups])
    already = queries.notified(session, periode)
    sent = skipped = failed = orphan = 0
    context = emails.link_context(base_url)
    with context:
        for group in tqdm(groups, desc="Structures", unit="structure", file=sys.stderr):
            recipients = admins.get(group.structure_id, [])
            if not recipients:
                orphan += 1
                continue
            for recipient in recipients:
                if (group.structure_id, recipient.user_id) in already:
                    skipped += 1
                    continue
                if dry_run:
                    sent += 1
                    continue
                outcome = _remind(group, recipient, periode)
                if outcome is None:
                    skipped += 1
                elif outcome:
                    sent += 1
                else:
                    failed += 1
    verb = "seraient envoyés" if dry_run else "envoyés"
    click.echo(
        f"Période {periode} : {len(groups)} structure(s) avec des services à vérifier ; "
        f"{sent} e-mail(s) {verb}, {skipped} déjà envoyé(s) pour cette période, "
        f"{failed} échec(s), {orphan} structure(s) sans administrateur."
    )
    if failed:
        sys.exit(1)


def _remind(group: queries.StaleGroup, recipient: queries.Recipient, periode: str) -> bool | None:
    """Record then send one reminder, and commit: the record stays only if the e-mail left.

    True when sent, False when the delivery failed (retried next run), None when another
    run recorded it meanwhile.
    """
    session = db.session
    savepoint = session.begin_nested()
    recorded = session.execute(
        insert(StaleNotification)
        .values(
            structure_id=group.structure_id,
            user_id=recipient.user_id,
            periode=periode,
            email=recipient.email,
            services_count=len(group.services),
        )
        .on_conflict_do_nothing(constraint="uq_stale_notification")
        .returning(StaleNotification.id)
    ).scalar()
    if recorded is None:
        savepoint.rollback()
        return None
    count = len(group.services)
    message = emails.build(
        recipient.email,
        f"{count} service{'s' if count > 1 else ''} de {group.structure_nom} à vérifier",
        "publishing/emails/stale.txt",
        group=group,
        dashboard_url=url_for(
            "publishing.structure_services", structure_id=group.structure_id, _external=True
        ),
        service_urls={
            service_id: url_for("publishing.service", service_id=service_id, _external=True)
            for service_id, _, _ in group.services
        },
    )
    if not emails.send(message):
        savepoint.rollback()
        return False
    savepoint.commit()
    session.commit()
    return True

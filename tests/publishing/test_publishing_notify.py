"""`dora notify stale`: reminders e-mailed to structure admins, once per period."""

from datetime import date, timedelta

import pytest

from dora.publishing.models import StaleNotification
from tests.support.net import free_port


@pytest.fixture
def stale_world(db_session, structure, admin, member, make_service, make_user, membership):
    old = date.today() - timedelta(days=400)
    make_service(structure=structure, nom="Vieux garage", date_maj=old)
    make_service(
        structure=structure, nom="Vieille épicerie", date_maj=old, frequence_maj="mensuelle"
    )
    make_service(structure=structure, nom="Service récent")
    make_service(structure=structure, nom="Brouillon ancien", date_maj=old, statut="brouillon")
    second_admin = make_user("admin2@tremplin.fr")
    membership(second_admin, structure, "admin")
    membership(make_user("pas-verifie@tremplin.fr", verified=False), structure, "admin")
    return structure


def _run(app, *args):
    from flask.cli import ScriptInfo

    from dora.cli import cli

    # The real `dora` group, bound to the test app (and so to the test's transaction).
    return app.test_cli_runner().invoke(
        cli, ["notify", "stale", *args], obj=ScriptInfo(create_app=lambda: app)
    )


def test_admins_get_one_email_listing_their_stale_published_services(
    app, db_session, stale_world, mailbox
):
    result = _run(app, "--periode", "2026-11")

    assert result.exit_code == 0, result.output
    assert "2 e-mail(s) envoyés" in result.output
    recipients = sorted(m["To"] for m in mailbox.messages)
    assert recipients == ["admin2@tremplin.fr", "admin@tremplin.fr"]  # not members, not unverified
    message = mailbox.messages[0]
    assert message["Subject"] == "2 services de Association Tremplin à vérifier"
    body = message.get_content()
    assert "Vieux garage" in body and "Vieille épicerie" in body
    assert "Service récent" not in body and "Brouillon ancien" not in body
    assert f"/mon-espace/structures/{stale_world.id}/services" in body
    assert db_session.query(StaleNotification).filter_by(periode="2026-11").count() == 2


def test_a_second_run_in_the_same_period_sends_nothing(app, stale_world, mailbox):
    _run(app, "--periode", "2026-11")
    mailbox.clear()

    result = _run(app, "--periode", "2026-11")

    assert result.exit_code == 0
    assert mailbox.messages == []
    assert "0 e-mail(s) envoyés, 2 déjà envoyé(s)" in result.output
    # A new period reminds again.
    result = _run(app, "--periode", "2026-12")
    assert len(mailbox.messages) == 2


def test_dry_run_counts_without_sending_or_recording(app, db_session, stale_world, mailbox):
    result = _run(app, "--dry-run")
    assert "2 e-mail(s) seraient envoyés" in result.output
    assert mailbox.messages == []
    assert db_session.query(StaleNotification).count() == 0


def test_a_failed_delivery_is_not_recorded_so_the_next_run_retries(
    app, db_session, stale_world, mailbox
):
    app.config.update(MAIL_PORT=free_port())  # nobody listens there
    result = _run(app, "--periode", "2026-11")
    assert result.exit_code == 1
    assert "2 échec(s)" in result.output
    assert db_session.query(StaleNotification).count() == 0


def test_a_bad_period_is_refused_in_french(app):
    result = _run(app, "--periode", "novembre")
    assert result.exit_code == 2
    assert "« novembre » n’est pas un mois AAAA-MM" in result.output

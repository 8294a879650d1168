"""`dora orientations relancer | purger`: scheduled, idempotent, one commit per referral."""

from __future__ import annotations

import re

import pytest

from tests.support.net import free_port


def _run(app, *args):
    from flask.cli import ScriptInfo

    from dora.cli import cli

    return app.test_cli_runner().invoke(
        cli, ["orientations", *args], obj=ScriptInfo(create_app=lambda: app)
    )


def _body(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


@pytest.fixture
def orphan_service(make_structure, make_service):
    structure = make_structure(nom="Garage solidaire", code_insee="93066")
    return make_service(structure=structure, nom="Garage", courriel="contact@garage.fr")


def test_relancer_reminds_once_after_n_working_days(app, make_orientation, mailbox):
    waiting = make_orientation(days_ago=12)
    recent = make_orientation(days_ago=0.5)
    answered = make_orientation(days_ago=12, statut="acceptee")
    result = _run(app, "relancer")
    assert result.exit_code == 0, result.output
    assert "1 orientation(s) relancée(s), 0 close(s)" in result.output
    [message] = mailbox.messages
    assert message["To"] == "accueil@structure.fr" and "Rappel" in message["Subject"]
    assert f"/orientations/{waiting.id}" in _body(message)
    assert "Camille" not in _body(message)
    assert waiting.reminded_at is not None and waiting.events[-1].kind == "relance"
    assert recent.reminded_at is None and answered.reminded_at is None
    mailbox.clear()
    result = _run(app, "relancer")
    assert "0 orientation(s) relancée(s)" in result.output and mailbox.messages == []


def test_relancer_sends_a_fresh_link_to_a_structure_without_members(
    app, make_orientation, orphan_service, mailbox
):
    from dora.orientation.access import hash_token, link_valid

    orientation = make_orientation(orphan_service, days_ago=12)
    old_hash = orientation.token_hash
    assert not link_valid(orientation)  # 8 days have passed
    _run(app, "relancer")
    [message] = mailbox.messages
    assert message["To"] == "contact@garage.fr"
    token = re.search(r"/orientations/lien/(\S+)", _body(message)).group(1)
    assert orientation.token_hash == hash_token(token) != old_hash
    assert link_valid(orientation)


def test_relancer_closes_expired_referrals_and_tells_the_prescriber(app, make_orientation, mailbox):
    old = make_orientation(days_ago=31)
    result = _run(app, "relancer")
    assert "0 orientation(s) relancée(s), 1 close(s)" in result.output
    assert old.statut == "expiree" and old.events[-1].kind == "expiration"
    [message] = mailbox.messages
    assert message["To"] == "conseillere@ccas.fr" and message["Subject"].endswith(": expirée")
    assert "n’a pas répondu à temps" in _body(message)
    mailbox.clear()
    assert "0 close(s)" in _run(app, "relancer").output and mailbox.messages == []


def test_dry_run_counts_and_changes_nothing(app, make_orientation, mailbox):
    waiting, old = make_orientation(days_ago=12), make_orientation(days_ago=40)
    result = _run(app, "relancer", "--dry-run")
    assert "1 orientation(s) à relancer, 1 à clore" in result.output
    assert mailbox.messages == [] and waiting.reminded_at is None and old.statut == "nouvelle"


def test_a_failed_delivery_is_retried_next_run(app, make_orientation, mailbox):
    waiting = make_orientation(days_ago=12)
    saved = app.config["MAIL_PORT"]
    app.config.update(MAIL_PORT=free_port())  # nobody listens there
    try:
        result = _run(app, "relancer")
    finally:
        app.config.update(MAIL_PORT=saved)
    assert result.exit_code == 1 and "1 échec(s)" in result.output
    assert waiting.reminded_at is None
    assert "1 orientation(s) relancée(s)" in _run(app, "relancer").output


def test_purger_erases_personal_data_keeps_counts_and_files_go(
    app, db_session, make_orientation, storage_dir, client, login, receiving
):
    import io
    from datetime import timedelta

    from dora.orientation import operations, stats, storage
    from dora.orientation.access import Reader, Side
    from dora.orientation.models import OrientationAttachment, Via
    from tests.orientation.helpers import PDF

    _, member, _ = receiving
    old = make_orientation()
    key = storage.write(db_session, storage.check(io.BytesIO(PDF), "cv.pdf"))
    db_session.add(
        OrientationAttachment(
            orientation_id=old.id, nom_fichier="cv.pdf", content_type="application/pdf",
            taille=len(PDF), sha256="0" * 64, storage_key=key,
        )
    )  # fmt: skip
    reader = Reader(Side.STRUCTURE, Via.COMPTE, member)
    operations.write_message(db_session, old, reader, "prescripteur", "Avez-vous son CV ?")
    operations.refuse(db_session, old, reader, "autre", "Trop loin de chez elle")
    old.status_changed_at -= timedelta(days=200)
    fresh = make_orientation()
    before = stats.total(db_session)

    result = _run(app, "purger")
    assert result.exit_code == 0, result.output
    assert "1 orientation(s) effacée(s) (1 fichier(s))" in result.output
    for column in operations.PERSONAL_COLUMNS:
        assert getattr(old, column) is None, column
    assert old.attachments == [] and not storage.path_of(key).exists()
    assert all(event.contenu is None for event in old.events)
    assert old.statut == "refusee" and old.motif_refus == "autre" and old.purged_at
    assert fresh.personne_nom == "Martin"
    after = stats.total(db_session)
    assert (after.total, after.refusees) == (before.total, before.refusees)
    # Idempotent.
    assert "0 orientation(s) effacée(s)" in _run(app, "purger").output
    # Both sides still see what is left, without the person.
    login(member)
    page = client.get(f"/orientations/{old.id}").get_data(as_text=True)
    assert "a été effacé" in page and "Martin" not in page and "Trop loin" not in page


def test_purger_forgets_old_reads(app, db_session, make_orientation, receiving):
    from datetime import timedelta

    from dora.orientation import operations
    from dora.orientation.models import Objet, OrientationAccess, Via

    orientation = make_orientation()
    operations.log_reads(db_session, [orientation.id], Via.COMPTE, None, Objet.FICHE)
    operations.log_reads(db_session, [orientation.id], Via.COMPTE, None, Objet.LISTE)
    first = db_session.query(OrientationAccess).order_by(OrientationAccess.id).first()
    first.at -= timedelta(days=400)
    db_session.flush()
    assert "1 lecture(s) anciennes oubliées" in _run(app, "purger").output
    assert db_session.query(OrientationAccess).count() == 1


def test_relancer_records_nothing_when_nobody_can_be_reminded(
    app, db_session, make_orientation, receiving, mailbox
):
    from dora.accounts.models import Membership

    waiting = make_orientation(days_ago=12)
    db_session.query(Membership).filter_by(structure_id=receiving[0].id).delete()
    db_session.flush()
    result = _run(app, "relancer")
    assert "0 orientation(s) relancée(s)" in result.output and mailbox.messages == []
    assert waiting.reminded_at is None and waiting.events[-1].kind == "creation"

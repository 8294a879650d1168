"""A structure without members: the secret link, its expiry and its renewal."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests.orientation.helpers import form_data


@pytest.fixture
def orphan_service(make_structure, make_service):
    structure = make_structure(
        nom="Garage solidaire", code_insee="93066", courriel="garage@asso.fr"
    )
    return make_service(
        structure=structure, nom="Réparation de voitures", courriel="contact@garage.fr"
    )


@pytest.fixture
def linked(app, client, login, prescriber, orphan_service, storage_dir, mailbox):
    """A referral to a structure without members; returns (orientation, token)."""
    from dora.accounts import emails
    from dora.extensions import db
    from dora.orientation.models import Orientation

    login(prescriber[0])
    response = client.post(
        f"/services/{orphan_service.id}/orienter",
        # This service states no condition: nothing to tick.
        data=form_data(prescripteur_structure=prescriber[1].id, criteres=None),
    )
    assert response.status_code == 302
    orientation = db.session.get(Orientation, int(response.headers["Location"].rsplit("/", 1)[1]))
    emails.wait_for_deliveries()
    message = next(m for m in mailbox.messages if m["To"] == "contact@garage.fr")
    body = message.get_body(preferencelist=("plain",)).get_content()
    token = re.search(r"/orientations/lien/(\S+)", body).group(1)
    _anonymous(client)  # the structure's browser is not the prescriber's
    mailbox.clear()
    return orientation, token


def _anonymous(client) -> None:
    from flask import g

    with client.session_transaction() as session:
        session.clear()
    # Test requests share the test's app context: forget the user loaded before.
    g.pop("_login_user", None)


def test_the_link_is_hashed_at_rest_and_valid_8_days(linked):
    from dora.orientation.access import hash_token

    orientation, token = linked
    assert orientation.token_hash == hash_token(token) and token not in orientation.token_hash
    assert orientation.courriel_structure == "contact@garage.fr"
    lifetime = orientation.token_expires_at - orientation.created_at
    assert abs(lifetime - timedelta(days=8)) < timedelta(minutes=1)


def test_the_link_opens_the_referral_without_an_account_and_refuses(linked, client, mailbox):
    from dora.orientation.models import OrientationAccess

    orientation, token = linked
    response = client.get(f"/orientations/lien/{token}")
    assert response.status_code == 302
    # The following pages carry no token.
    assert response.headers["Location"].endswith(f"/orientations/{orientation.id}")
    page = client.get(f"/orientations/{orientation.id}").get_data(as_text=True)
    assert "Camille Martin" in page and "lien sécurisé envoyé à contact@garage.fr" in page
    assert orientation.statut == "en-cours"
    read = OrientationAccess.query.filter_by(orientation_id=orientation.id).one()
    assert (read.via, read.user_id) == ("lien", None)
    response = client.post(
        f"/orientations/{orientation.id}/refuser",
        data={"motif": "hors-criteres", "precision": "Réservé aux 16-25 ans"},
    )
    assert response.status_code == 302 and orientation.statut == "refusee"
    refusal = orientation.events[-1]
    assert refusal.actor_label == "Lien sécurisé envoyé à contact@garage.fr"
    from dora.accounts import emails

    emails.wait_for_deliveries()
    to_prescriber = [m for m in mailbox.messages if m["To"] == "conseillere@ccas.fr"]
    assert [m["Subject"].rsplit(" : ", 1)[1] for m in to_prescriber] == ["en cours", "refusée"]
    body = to_prescriber[-1].get_body(preferencelist=("plain",)).get_content()
    assert "Hors critères — Réservé aux 16-25 ans" in body


def test_another_browser_without_the_link_is_sent_to_log_in(linked, client):
    orientation, _ = linked
    response = client.get(f"/orientations/{orientation.id}")
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]


def test_an_expired_link_can_be_renewed_to_the_same_address_only(linked, client, mailbox):
    from dora.accounts import emails
    from dora.orientation.access import hash_token

    orientation, token = linked
    orientation.token_expires_at = orientation.created_at - timedelta(seconds=1)
    page = client.get(f"/orientations/lien/{token}")
    assert page.status_code == 200 and "Ce lien a expiré" in page.get_data(as_text=True)
    assert client.get(f"/orientations/{orientation.id}").status_code == 302  # no grant
    response = client.post(f"/orientations/lien/{token}/renouveler")
    assert "Nouveau lien envoyé" in response.get_data(as_text=True)
    emails.wait_for_deliveries()
    [message] = mailbox.messages
    assert message["To"] == "contact@garage.fr"
    new_token = re.search(
        r"/orientations/lien/(\S+)", message.get_body(preferencelist=("plain",)).get_content()
    ).group(1)
    assert orientation.token_hash == hash_token(new_token)
    # The old link is dead, the new one works.
    assert client.get(f"/orientations/lien/{token}").status_code == 404
    assert client.get(f"/orientations/lien/{new_token}").status_code == 302
    assert orientation.events[-1].kind == "lien-renouvele"


def test_a_forged_link_is_refused(client, linked):
    assert client.get("/orientations/lien/not-a-real-token").status_code == 404
    assert client.post("/orientations/lien/not-a-real-token/renouveler").status_code == 404


def test_a_closed_referral_s_link_no_longer_opens_it(linked, client, db_session):
    from dora.orientation import operations

    orientation, token = linked
    operations.expire(db_session, orientation)
    assert client.get(f"/orientations/lien/{token}").status_code == 410
    assert client.post(f"/orientations/lien/{token}/renouveler").status_code in {404, 410}


def test_a_member_joining_later_sees_it_in_the_inbox(linked, client, login, make_user, membership):
    orientation, _ = linked
    newcomer = make_user("nouveau@garage.fr")
    membership(newcomer, _structure(orientation))
    login(newcomer)
    page = client.get("/mon-espace/orientations/recues").get_data(as_text=True)
    assert f"n° {orientation.id}" in page


def _structure(orientation):
    from dora.catalogue.models import Structure
    from dora.extensions import db

    return db.session.get(Structure, orientation.structure_id)


def test_the_token_never_reaches_a_log_line(app):
    import logging

    from dora.orientation import RedactLinkTokens

    record = logging.LogRecord(
        "werkzeug", logging.INFO, __file__, 1, '%s - "%s" %s',
        ("127.0.0.1", "GET /orientations/lien/s3cr3t-T0ken_x HTTP/1.1", "302"), None,
    )  # fmt: skip
    RedactLinkTokens().filter(record)
    line = record.getMessage()
    assert "s3cr3t" not in line and "/orientations/lien/[masqué] HTTP/1.1" in line
    assert any(isinstance(f, RedactLinkTokens) for f in logging.getLogger("werkzeug").filters)


def test_only_a_usable_address_receives_the_link(app, make_structure, make_service):
    from dora.orientation.queries import contact_address

    structure = make_structure(courriel="accueil@structure.fr")
    assert contact_address(make_service(structure=structure, courriel=None)) == (
        "accueil@structure.fr"
    )
    broken = make_service(structure=structure, courriel="a@b.fr\nBcc: x@y.fr")
    assert contact_address(broken) == "accueil@structure.fr"
    nothing = make_service(structure=make_structure(courriel="pas une adresse"), courriel="")
    assert contact_address(nothing) is None

"""Fixtures of the orientation tests: a receiving structure with a member and a public
service, a prescriber, attachments stored in a temporary folder."""

from __future__ import annotations

import pytest

from tests.orientation.helpers import form_data


@pytest.fixture(autouse=True)
def fresh_national_figures():
    """The national figures are cached five minutes per process: not across tests."""
    from dora.orientation import stats

    stats.forget_national()
    yield
    stats.forget_national()


@pytest.fixture
def storage_dir(app, tmp_path):
    saved = app.config["ORIENTATION_STORAGE_DIR"]
    app.config["ORIENTATION_STORAGE_DIR"] = str(tmp_path / "pieces")
    yield tmp_path / "pieces"
    app.config["ORIENTATION_STORAGE_DIR"] = saved


@pytest.fixture
def receiving(make_structure, make_service, make_user, membership):
    """A structure of Saint-Denis with one member, and its public service for the 93."""
    structure = make_structure(
        nom="Accueil solidaire", code_insee="93066", commune="Saint-Denis", code_postal="93200"
    )
    member = make_user("accueil@structure.fr", nom_complet="Alex Accueil")
    membership(member, structure, "membre")
    service = make_service(
        structure=structure,
        nom="Atelier vélo",
        publics=["jeunes", "demandeurs-emploi"],
        conditions_acces="Avoir entre 16 et 25 ans ; se munir d’une pièce d’identité",
        telephone="01 23 45 67 89",
        courriel="velo@structure.fr",
    )
    return structure, member, service


@pytest.fixture
def prescriber(make_user, make_structure, membership):
    structure = make_structure(
        nom="CCAS de Paris", code_insee="75056", commune="Paris", code_postal="75001"
    )
    user = make_user("conseillere@ccas.fr", nom_complet="Claire Conseil")
    membership(user, structure, "membre")
    return user, structure


@pytest.fixture
def send(client, login, receiving, prescriber, storage_dir, mailbox):
    """Send a referral through the form as the prescriber; returns the referral."""
    from dora.orientation.models import Orientation

    def do(**overrides):
        user, structure = prescriber
        _, _, service = receiving
        login(user)
        data = form_data(prescripteur_structure=structure.id, **overrides)
        response = client.post(f"/services/{service.id}/orienter", data=data)
        assert response.status_code == 302, response.get_data(as_text=True)[:3000]
        from dora.extensions import db

        return db.session.get(Orientation, int(response.headers["Location"].rsplit("/", 1)[1]))

    return do


@pytest.fixture
def make_orientation(db_session, receiving, prescriber, storage_dir, mailbox):
    """A referral sent by the prescriber (operations, not the form): `service=` another
    service, `days_ago=` to age it, `statut=` to place it; the e-mails of its sending are
    cleared."""
    import uuid
    from datetime import timedelta

    from dora.orientation import operations

    def make(service=None, *, days_ago: float = 0, email="camille.martin@exemple.fr", **fields):
        user, structure = prescriber
        data = operations.NewOrientation(
            submission_key=uuid.uuid4(),
            person=operations.Person(
                "Camille", "Martin", "93066", "Saint-Denis", email=email, telephone="0612345678"
            ),
            prescriber=operations.Prescriber("Claire Conseil", structure_id=structure.id),
            message="Camille cherche un atelier vélo.",
            consent=True,
        )
        orientation, _ = operations.create(db_session, user, service or receiving[2], data)
        if days_ago:
            moment = orientation.created_at - timedelta(days=days_ago)
            orientation.created_at = orientation.status_changed_at = moment
            if orientation.token_expires_at:
                orientation.token_expires_at = moment + timedelta(days=8)
        for name, value in fields.items():
            setattr(orientation, name, value)
        db_session.flush()
        from dora.accounts import emails

        # What sending queued leaves with the next commit: drop it, tests look at the rest.
        db_session.info.pop(emails.PENDING_KEY, None)
        return orientation

    return make

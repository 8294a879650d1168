"""Bad input: every field says what is wrong, in French; nothing is half-written; a form
sent twice makes one referral."""

from __future__ import annotations

import re

import pytest

from tests.orientation.helpers import EXE, JPEG, PDF, PNG, form_data, upload


@pytest.fixture
def post(client, login, receiving, prescriber, storage_dir, mailbox):
    def do(**overrides):
        login(prescriber[0])
        data = form_data(**{"prescripteur_structure": prescriber[1].id, **overrides})
        return client.post(f"/services/{receiving[2].id}/orienter", data=data)

    return do


def _errors(response) -> list[str]:
    """The messages next to fields, and those of the summary at the top."""
    page = response.get_data(as_text=True)
    return re.findall(r'class="field-error"[^>]*>([^<]+)<', page) + re.findall(
        r'<li><a href="#[^"]+">([^<]+)</a></li>', page
    )


def _nothing_written(db_session, storage_dir) -> None:
    from dora.orientation.models import Orientation, OrientationAttachment

    assert db_session.query(Orientation).count() == 0
    assert db_session.query(OrientationAttachment).count() == 0
    assert not storage_dir.exists() or not any(p.is_file() for p in storage_dir.rglob("*"))


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"personne_prenom": ""}, "Indiquez le prénom de la personne."),
        ({"personne_nom": "   "}, "Indiquez le nom de la personne."),
        ({"personne_email": "camille@"}, "Adresse e-mail invalide"),
        ({"personne_telephone": "12"}, "Numéro de téléphone invalide"),
        ({"commune": "", "code_postal": "", "code_insee": ""}, "Indiquez la commune de résidence"),
        ({"commune": "Ville-qui-n-existe-pas", "code_insee": ""}, "Commune introuvable"),
        ({"commune": "x" * 5000, "code_insee": ""}, "150 caractères au plus."),
        ({"message": ""}, "Expliquez en quelques lignes"),
        ({"message": "x" * 5001}, "5000 caractères au plus."),
        ({"prescripteur_nom": ""}, "Indiquez vos prénom et nom."),
        ({"consentement": None}, "l’accord de la personne est nécessaire"),
        ({"situation": ["licornes"]}, "Valeur(s) inconnue(s) : licornes."),
        ({"criteres": ["99"]}, "Valeur(s) inconnue(s) : 99."),
        ({"personne_contact": ["pigeon"]}, "Valeur(s) inconnue(s) : pigeon."),
        (
            {"prescripteur_structure": "", "prescripteur_organisation": ""},
            "indiquez votre organisation",
        ),
        ({"jeton_envoi": "pas-un-uuid"}, "rechargez la page"),
    ],
)
def test_each_field_says_what_is_wrong(post, db_session, storage_dir, overrides, message):
    response = post(pieces_jointes=[upload(PDF, "cv.pdf")], **overrides)
    assert response.status_code == 200
    assert any(message in error for error in _errors(response)), _errors(response)
    # The summary at the top links to the field.
    assert 'id="error-summary"' in response.get_data(as_text=True)
    _nothing_written(db_session, storage_dir)


def test_a_structure_that_is_not_mine_is_refused(post, db_session, storage_dir, make_structure):
    other = make_structure(nom="Pas la mienne")
    response = post(prescripteur_structure=other.id)
    assert _errors(response)  # not one of the choices
    _nothing_written(db_session, storage_dir)


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ([upload(EXE, "cv.pdf")], "n’est ni un PDF, ni une image JPEG ou PNG"),
        ([upload(b"", "vide.pdf")], "est vide"),
        # The limit is lowered to 100 Ko below (see the test): the same check, a smaller body.
        ([upload(PDF + b"0" * 100 * 1024, "gros.pdf")], "dépasse 100 Ko"),
        ([upload(PDF, f"{n}.pdf") for n in range(4)], "3 pièces jointes au plus"),
    ],
)
def test_bad_attachments_are_refused_and_nothing_is_stored(
    post, db_session, storage_dir, files, message, monkeypatch
):
    from dora.orientation import storage

    # Werkzeug's test client spools bodies above 500 Ko to a temporary file it never closes;
    # 5 Mo (the real limit, checked in test_orientation_storage.py) is tried at 100 Ko here.
    monkeypatch.setattr(storage, "MAX_BYTES", 100 * 1024)
    response = post(pieces_jointes=files)
    assert any(message in error for error in _errors(response)), _errors(response)
    _nothing_written(db_session, storage_dir)


def test_good_attachments_are_stored_with_their_checksum(post, db_session, storage_dir):
    import hashlib

    from dora.orientation.models import OrientationAttachment

    response = post(
        pieces_jointes=[upload(PDF, "cv.pdf"), upload(PNG, "carte.png"), upload(JPEG, "photo.JPG")]
    )
    assert response.status_code == 302
    stored = db_session.query(OrientationAttachment).order_by(OrientationAttachment.id).all()
    assert [a.content_type for a in stored] == ["application/pdf", "image/png", "image/jpeg"]
    for attachment, data in zip(stored, (PDF, PNG, JPEG), strict=True):
        path = storage_dir / attachment.storage_key
        assert path.read_bytes() == data
        assert attachment.sha256 == hashlib.sha256(data).hexdigest()
        # Nothing in the stored path says what the file is or whom it concerns.
        assert "cv" not in attachment.storage_key and "." not in path.name


def test_the_same_form_sent_twice_makes_one_referral(post, db_session, mailbox):
    from dora.accounts import emails
    from dora.orientation.models import Orientation

    data = form_data()
    first = post(jeton_envoi=data["jeton_envoi"])
    second = post(jeton_envoi=data["jeton_envoi"])
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert db_session.query(Orientation).count() == 1
    emails.wait_for_deliveries()
    # One e-mail to the structure, one to the person: not two of each.
    assert sorted(m["To"] for m in mailbox.messages) == [
        "accueil@structure.fr",
        "camille.martin@exemple.fr",
    ]


def test_an_ineligible_commune_is_shown_not_blocked(post, client, receiving, db_session):
    from dora.orientation.models import Orientation

    # The service is for the 93; the person lives in Lyon.
    response = client.post(
        f"/services/{receiving[2].id}/orienter/eligibilite",
        data={"commune": "Lyon", "code_postal": "69001", "code_insee": ""},
    )
    post()  # logs in
    response = client.post(
        f"/services/{receiving[2].id}/orienter/eligibilite",
        data={"commune": "Lyon", "code_postal": "69001", "code_insee": ""},
    )
    assert response.get_json()["eligible"] is False
    assert "n’est pas dans la zone d’éligibilité" in response.get_json()["message"]
    # A mistake elsewhere in the form shows the mismatch with the errors.
    page = post(commune="Lyon", code_postal="69001", code_insee="", message="")
    assert "Lyon n’est pas dans la zone d’éligibilité" in page.get_data(as_text=True)
    response = post(commune="Lyon", code_postal="69001", code_insee="")
    assert response.status_code == 302
    orientation = db_session.query(Orientation).filter_by(personne_commune_nom="Lyon").one()
    assert orientation.eligible is False
    page = client.get(f"/orientations/{orientation.id}").get_data(as_text=True)
    assert "n’est pas dans la zone d’éligibilité du service" in page


def test_a_request_too_large_gets_a_page_not_a_crash(post, app, db_session, storage_dir):
    app.config["MAX_CONTENT_LENGTH"], saved = 64 * 1024, app.config["MAX_CONTENT_LENGTH"]
    try:
        response = post(pieces_jointes=[upload(PDF + b"0" * 100_000, "cv.pdf")])
    finally:
        app.config["MAX_CONTENT_LENGTH"] = saved
    assert response.status_code == 413
    assert "Envoi trop volumineux" in response.get_data(as_text=True)
    _nothing_written(db_session, storage_dir)


def test_a_service_that_cannot_receive_says_so(
    client, login, prescriber, make_structure, make_service
):
    service = make_service(structure=make_structure(nom="Sans personne"), courriel=None)
    login(prescriber[0])
    page = client.get(f"/services/{service.id}/orienter").get_data(as_text=True)
    assert "ne reçoit pas d’orientation sur dora" in page
    assert "ne reçoit pas encore d’orientation" in client.get(f"/services/{service.id}").get_data(
        as_text=True
    )


def test_a_hidden_service_cannot_be_oriented_to(client, login, prescriber, receiving):
    _, _, service = receiving
    service.statut = "brouillon"
    login(prescriber[0])
    assert client.get(f"/services/{service.id}/orienter").status_code == 404
    assert client.post(f"/services/{service.id}/orienter", data=form_data()).status_code == 404


def test_a_failed_commit_leaves_no_file(app, db_session, storage_dir, receiving, prescriber):
    """Files written by a transaction that rolls back are deleted with it."""
    import uuid

    from dora.orientation import operations, storage

    user, structure = prescriber
    data = operations.NewOrientation(
        submission_key=uuid.uuid4(),
        person=operations.Person("Camille", "Martin", "93066", "Saint-Denis"),
        prescriber=operations.Prescriber("Claire Conseil", structure_id=structure.id),
        message="Bonjour",
        consent=True,
        files=[storage.CheckedFile("cv.pdf", "application/pdf", PDF)],
    )
    with app.test_request_context():
        operations.create(db_session, user, receiving[2], data)
        assert len(list(storage_dir.rglob("*.*"))) + len(list(storage_dir.glob("*/*"))) == 1
        db_session.rollback()
    assert not any(p.is_file() for p in storage_dir.rglob("*"))

"""Structures: creation with SIRET and address checks, moderation, join requests,
invitations, roles and the last-admin rule."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from dora.accounts.models import Invitation, JoinRequest, Membership, StructureModerationEvent
from dora.catalogue.models import Structure
from dora.structures.siret import InvalidSiret, clean_siret
from tests.accounts.authz import log_in

FORM = {
    "nom": "Atelier vélo solidaire",
    "siret": "732 829 320 00074",
    "adresse": "12 rue Gabriel Péri",
    "code_postal": "93200",
    "commune": "saint denis",
}


def forget_loaded_user() -> None:
    """Test requests share the test's app context: drop the user a request loaded."""
    from flask import g

    g.pop("_login_user", None)


def link_in(message) -> str:
    body = message.get_body(preferencelist=("plain",)).get_content()
    return re.search(r"https?://\S+", body).group(0).split("dora.test", 1)[1]


# SIRET -----------------------------------------------------------------------------------


def test_siret_accepts_spaces_and_checks_the_luhn_key():
    assert clean_siret("732 829 320 00074") == "73282932000074"
    with pytest.raises(InvalidSiret, match="clé de contrôle"):
        clean_siret("73282932000075")
    with pytest.raises(InvalidSiret, match="14 chiffres"):
        clean_siret("7328293200007")
    with pytest.raises(InvalidSiret, match="pas des chiffres"):
        clean_siret("7328293200007A")


def test_la_poste_sirets_follow_their_own_rule():
    from stdnum import luhn

    # An establishment of La Poste whose digits sum to a multiple of 5 but fail Luhn.
    candidates = [f"356000000{n:05d}" for n in range(100000)]
    la_poste = next(s for s in candidates if sum(map(int, s)) % 5 == 0 and not luhn.is_valid(s))
    assert clean_siret(la_poste) == la_poste
    not_la_poste = next(s for s in candidates if sum(map(int, s)) % 5 and not luhn.is_valid(s))
    with pytest.raises(InvalidSiret):
        clean_siret(not_la_poste)


# Creation --------------------------------------------------------------------------------


def test_create_structure_waits_for_moderation(client, make_user, db_session, manager_of, mailbox):
    creator = make_user("creatrice@exemple.fr")
    manager_of(make_user("gestion93@exemple.fr"), "93")
    manager_of(make_user("gestion75@exemple.fr"), "75")
    log_in(client, creator)
    response = client.post("/mon-espace/structures/nouvelle", data=FORM)
    assert response.status_code == 302
    structure = db_session.scalar(select(Structure).where(Structure.siret == "73282932000074"))
    assert structure.moderation == "en-attente"
    assert (structure.code_insee, structure.commune, structure.location_precision) == (
        "93066",
        "Saint-Denis",
        "commune",
    )
    assert structure.location is not None
    assert creator.role_in(structure.id) == "admin"
    # The manager of the département is told, the other one is not.
    mailbox.wait_for(lambda m: m["To"] == "gestion93@exemple.fr")
    from dora.accounts import emails

    emails.wait_for_deliveries()
    assert [m["To"] for m in mailbox.messages] == ["gestion93@exemple.fr"]
    # Not public yet; the member sees it in the dashboard.
    assert client.get(f"/structures/{structure.id}").status_code == 404
    page = client.get("/mon-espace").get_data(as_text=True)
    assert "Atelier vélo solidaire" in page and "En attente de validation" in page


@pytest.mark.parametrize(
    ("changes", "field_message"),
    [
        ({"siret": "73282932000075"}, "clé de contrôle est fausse"),
        ({"siret": "123"}, "14 chiffres"),
        ({"code_postal": "9320"}, "5 chiffres"),
        ({"commune": "Nulle-Part-Sur-Mer"}, "Commune introuvable"),
        ({"nom": ""}, "Ce champ est obligatoire"),
        ({"site_web": "exemple.fr"}, "https://"),
    ],
)
def test_create_structure_errors_are_precise_and_write_nothing(
    client, make_user, db_session, changes, field_message
):
    log_in(client, make_user())
    response = client.post("/mon-espace/structures/nouvelle", data={**FORM, **changes})
    assert response.status_code == 200
    assert field_message in response.get_data(as_text=True)
    assert db_session.scalar(select(Structure).limit(1)) is None
    assert db_session.scalar(select(Membership).limit(1)) is None


def test_all_form_errors_show_at_once(client, make_user):
    log_in(client, make_user())
    data = {**FORM, "siret": "12345678901234", "code_postal": "1300"}
    html = client.post("/mon-espace/structures/nouvelle", data=data).get_data(as_text=True)
    assert "clé de contrôle est fausse" in html and "5 chiffres" in html


def test_a_known_siret_points_to_joining(client, make_user, make_structure, db_session):
    make_structure(nom="Déjà là", siret="73282932000074")
    log_in(client, make_user())
    response = client.post("/mon-espace/structures/nouvelle", data=FORM)
    assert "« Déjà là » a déjà ce SIRET" in response.get_data(as_text=True)


def test_picked_insee_code_wins_when_it_names_the_commune(client, make_user, db_session):
    log_in(client, make_user())
    data = {**FORM, "code_postal": "75011", "commune": "Paris", "code_insee": "75056"}
    client.post("/mon-espace/structures/nouvelle", data=data)
    assert db_session.scalar(select(Structure.code_insee)) == "75056"


def test_a_forged_insee_code_is_ignored(client, make_user, db_session):
    log_in(client, make_user())
    client.post("/mon-espace/structures/nouvelle", data={**FORM, "code_insee": "13055"})
    assert db_session.scalar(select(Structure.code_insee)) == "93066"


def test_a_wrong_commune_name_gets_a_suggestion(client, make_user):
    log_in(client, make_user())
    response = client.post("/mon-espace/structures/nouvelle", data={**FORM, "commune": "Marseille"})
    assert "Vouliez-vous dire « Saint-Denis »" in response.get_data(as_text=True)


# Moderation ------------------------------------------------------------------------------


@pytest.fixture
def pending(make_structure, make_user, membership):
    structure = make_structure(
        nom="En attente", moderation="en-attente", code_insee="93066", siret="73282932000074"
    )
    admin = make_user("admin.attente@exemple.fr")
    membership(admin, structure, "admin")
    return structure


def test_moderation_queue_shows_only_the_managers_departements(
    client, make_user, manager_of, make_structure, pending
):
    make_structure(nom="À Paris", moderation="en-attente", code_insee="75056")
    manager = manager_of(make_user(), "93")
    log_in(client, manager)
    page = client.get("/moderation").get_data(as_text=True)
    assert "En attente" in page and "À Paris" not in page
    staff = make_user(staff=True)
    log_in(client, staff)
    page = client.get("/moderation").get_data(as_text=True)
    assert "En attente" in page and "À Paris" in page


def test_validation_makes_services_public_and_tells_the_admins(
    client, make_user, manager_of, pending, make_service, db_session, mailbox
):
    service = make_service(structure=pending)
    assert client.get(f"/services/{service.id}").status_code == 404
    log_in(client, manager_of(make_user(), "93"))
    response = client.post(f"/moderation/structures/{pending.id}", data={"decision": "validee"})
    assert response.status_code == 302
    db_session.refresh(pending)
    assert pending.moderation == "validee"
    assert client.get(f"/services/{service.id}").status_code == 200
    message = mailbox.wait_for(lambda m: m["To"] == "admin.attente@exemple.fr")
    assert "structure validée" in message["Subject"]


def test_refusal_needs_a_reason_sent_to_the_admins(
    client, make_user, manager_of, pending, db_session, mailbox
):
    log_in(client, manager_of(make_user(), "93"))
    db_session.commit()  # the refused form rolls back: keep the set-up out of its reach
    url = f"/moderation/structures/{pending.id}"
    response = client.post(url, data={"decision": "refusee", "motif": "  "})
    assert "Indiquez le motif du refus" in response.get_data(as_text=True)
    db_session.refresh(pending)
    assert pending.moderation == "en-attente"
    client.post(url, data={"decision": "refusee", "motif": "SIRET d’une autre structure"})
    db_session.refresh(pending)
    assert (pending.moderation, pending.moderation_motif) == (
        "refusee",
        "SIRET d’une autre structure",
    )
    message = mailbox.wait_for(lambda m: m["To"] == "admin.attente@exemple.fr")
    assert "SIRET d’une autre structure" in message.get_body().get_content()
    events = db_session.scalars(select(StructureModerationEvent.decision)).all()
    assert events == ["refusee"]


def test_refused_structure_can_be_resubmitted(
    client, pending, db_session, make_user, manager_of, mailbox
):
    from dora.accounts.models import User

    pending.moderation = "refusee"
    manager_of(make_user("g93@exemple.fr"), "93")
    admin = db_session.scalar(select(User).where(User.email == "admin.attente@exemple.fr"))
    log_in(client, admin)
    client.post(f"/mon-espace/structures/{pending.id}/revalidation")
    db_session.refresh(pending)
    assert pending.moderation == "en-attente"
    mailbox.wait_for(lambda m: m["To"] == "g93@exemple.fr")


# Joining ---------------------------------------------------------------------------------


def test_join_request_accepted_by_an_admin(
    client, app, make_user, saint_denis_structure, membership, db_session, mailbox
):
    structure = saint_denis_structure(nom="Mission locale", siret="73282932000074")
    admin = make_user("admin@exemple.fr")
    membership(admin, structure, "admin")
    requester = make_user("nouvelle@exemple.fr")
    log_in(client, requester)
    page = client.get("/mon-espace/structures/rejoindre?q=mission locale").get_data(as_text=True)
    assert "Mission locale" in page
    assert client.get("/mon-espace/structures/rejoindre?q=73282932000074").status_code == 200
    client.post(f"/mon-espace/structures/{structure.id}/rejoindre", data={"message": "Bonjour"})
    assert (
        "nouvelle@exemple.fr"
        in mailbox.wait_for(lambda m: m["To"] == "admin@exemple.fr").get_body().get_content()
    )
    # Twice is refused.
    client.post(f"/mon-espace/structures/{structure.id}/rejoindre")
    assert len(db_session.scalars(select(JoinRequest)).all()) == 1

    join_request = db_session.scalar(select(JoinRequest))
    log_in(client, admin)
    client.post(f"/mon-espace/structures/{structure.id}/demandes/{join_request.id}/accepter")
    db_session.expire_all()
    assert requester.role_in(structure.id) == "membre"
    assert (
        "acceptée"
        in mailbox.wait_for(lambda m: m["To"] == "nouvelle@exemple.fr").get_body().get_content()
    )


def test_first_member_of_an_unmanaged_structure_becomes_admin(
    client, make_user, manager_of, saint_denis_structure, db_session
):
    structure = saint_denis_structure()
    requester = make_user()
    log_in(client, requester)
    client.post(f"/mon-espace/structures/{structure.id}/rejoindre")
    join_request = db_session.scalar(select(JoinRequest))
    manager = manager_of(make_user(), "93")
    log_in(client, manager)
    assert "demande à rejoindre" in client.get("/moderation").get_data(as_text=True)
    client.post(f"/mon-espace/structures/{structure.id}/demandes/{join_request.id}/accepter")
    db_session.expire_all()
    assert requester.role_in(structure.id) == "admin"


def test_name_search_ignores_structures_waiting_for_moderation(client, make_user, make_structure):
    make_structure(nom="Association cachée", moderation="en-attente", siret="73282932000074")
    log_in(client, make_user())
    assert "Association cachée" not in client.get(
        "/mon-espace/structures/rejoindre?q=cachée"
    ).get_data(as_text=True)
    assert "Association cachée" in client.get(
        "/mon-espace/structures/rejoindre?q=73282932000074"
    ).get_data(as_text=True)


# Invitations -----------------------------------------------------------------------------


def test_invitation_creates_an_account_for_a_newcomer(
    app, client, make_user, saint_denis_structure, membership, db_session, mailbox
):
    structure = saint_denis_structure(nom="CCAS")
    admin = make_user("admin@exemple.fr", nom_complet="Alex Admin")
    membership(admin, structure, "admin")
    log_in(client, admin)
    client.post(
        f"/mon-espace/structures/{structure.id}/invitations",
        data={"email": "Nouveau@Exemple.fr", "role": "admin"},
    )
    message = mailbox.wait_for(lambda m: m["To"] == "nouveau@exemple.fr")
    assert "Alex Admin" in message.get_body().get_content()
    link = link_in(message)

    newcomer = app.test_client()
    forget_loaded_user()
    page = newcomer.get(link).get_data(as_text=True)
    assert "Créer votre compte" in page and "nouveau@exemple.fr" in page
    data = {
        "password": "une phrase de passe solide",
        "password_confirm": "une phrase de passe solide",
    }
    response = newcomer.post(f"{link}/inscription", data=data)
    assert response.status_code == 302
    invitation = db_session.scalar(select(Invitation))
    assert invitation.statut == "acceptee"
    from dora.accounts.operations import get_user_by_email

    user = get_user_by_email(db_session, "nouveau@exemple.fr")
    assert user.is_verified and user.role_in(structure.id) == "admin"
    # The link has served.
    assert newcomer.get(link).status_code == 400


def test_invitation_for_someone_else_is_refused(
    client, make_user, saint_denis_structure, db_session, app
):
    from dora.accounts.security import make_token

    structure = saint_denis_structure()
    invitation = Invitation(structure_id=structure.id, email="destinataire@exemple.fr")
    db_session.add(invitation)
    db_session.flush()
    with app.test_request_context():
        token = make_token("invitation", {"i": invitation.id, "e": invitation.email})
    intruder = make_user("intrus@exemple.fr")
    log_in(client, intruder)
    response = client.post(f"/invitations/{token}", follow_redirects=True)
    assert "adressée à destinataire@exemple.fr" in response.get_data(as_text=True)
    assert intruder.role_in(structure.id) is None


def test_inviting_a_member_again_is_refused(
    client, make_user, saint_denis_structure, membership, db_session
):
    structure = saint_denis_structure()
    admin = make_user("admin@exemple.fr")
    membership(admin, structure, "admin")
    log_in(client, admin)
    response = client.post(
        f"/mon-espace/structures/{structure.id}/invitations",
        data={"email": "admin@exemple.fr", "role": "membre"},
        follow_redirects=True,
    )
    assert "déjà membre" in response.get_data(as_text=True)
    assert db_session.scalar(select(Invitation).limit(1)) is None


# Roles and the last admin ----------------------------------------------------------------


def test_the_last_admin_can_neither_leave_nor_be_demoted(
    client, make_user, saint_denis_structure, membership, db_session
):
    structure = saint_denis_structure()
    admin = make_user("seul.admin@exemple.fr")
    own = membership(admin, structure, "admin")
    log_in(client, admin)
    db_session.commit()  # refused changes roll back: keep the set-up out of their reach
    base = f"/mon-espace/structures/{structure.id}"
    for response in (
        client.post(f"{base}/quitter", follow_redirects=True),
        client.post(
            f"{base}/membres/{own.id}/role", data={"role": "membre"}, follow_redirects=True
        ),
        client.post(f"{base}/membres/{own.id}/retirer", follow_redirects=True),
    ):
        assert "seule administrateur·rice" in response.get_data(as_text=True)
    db_session.expire_all()
    assert admin.role_in(structure.id) == "admin"

    # With a second admin, the first one may step down.
    second = membership(make_user(), structure, "admin")
    client.post(f"{base}/membres/{own.id}/role", data={"role": "membre"})
    db_session.expire_all()
    assert admin.role_in(structure.id) == "membre"
    assert second.role == "admin"


def test_admin_changes_roles_and_removes_members(
    client, make_user, saint_denis_structure, membership, db_session
):
    structure = saint_denis_structure()
    admin = make_user()
    membership(admin, structure, "admin")
    colleague = make_user()
    theirs = membership(colleague, structure, "membre")
    log_in(client, admin)
    base = f"/mon-espace/structures/{structure.id}/membres/{theirs.id}"
    client.post(f"{base}/role", data={"role": "admin"})
    db_session.expire_all()
    assert colleague.role_in(structure.id) == "admin"
    response = client.post(f"{base}/role", data={"role": "patron"}, follow_redirects=True)
    assert "Rôle inconnu" in response.get_data(as_text=True)
    client.post(f"{base}/retirer")
    db_session.expire_all()
    assert colleague.role_in(structure.id) is None


def test_structure_dashboard_is_private(client, make_user, saint_denis_structure, membership):
    structure = saint_denis_structure(nom="Privée")
    member = make_user()
    membership(member, structure, "membre")
    log_in(client, make_user())
    assert client.get(f"/mon-espace/structures/{structure.id}").status_code == 404
    log_in(client, member)
    page = client.get(f"/mon-espace/structures/{structure.id}").get_data(as_text=True)
    assert "Privée" in page and "Inviter une personne" not in page  # members do not manage


def test_dashboard_sections_from_other_features(
    client, make_user, saint_denis_structure, membership
):
    from dora.structures import dashboard

    structure = saint_denis_structure()
    member = make_user()
    membership(member, structure, "membre")
    dashboard.register_section(
        dashboard.Section(key="test", template="errors/generic.html", context=lambda s, u: {})
    )
    try:
        log_in(client, member)
        page = client.get(f"/mon-espace/structures/{structure.id}")
        assert page.status_code == 200
    finally:
        dashboard.SECTIONS.pop("test")


def test_public_page_links_members_to_their_dashboard(
    client, make_user, saint_denis_structure, membership
):
    structure = saint_denis_structure()
    member = make_user()
    membership(member, structure, "membre")
    assert "Gérer la structure" not in client.get(f"/structures/{structure.id}").get_data(
        as_text=True
    )
    log_in(client, member)
    page = client.get(f"/structures/{structure.id}").get_data(as_text=True)
    assert f"/mon-espace/structures/{structure.id}" in page

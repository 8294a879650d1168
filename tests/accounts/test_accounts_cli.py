"""`dora users …`: staff and territory managers from the command line, with clear errors."""

from __future__ import annotations

from sqlalchemy import select

from dora.accounts.models import User


def run(app, *args, input=None):
    from dora.cli import cli

    return app.test_cli_runner().invoke(cli, list(args), input=input)


def test_create_staff_creates_a_verified_account(app, db_session):
    result = run(
        app,
        "users",
        "create-staff",
        "Equipe@Exemple.fr",
        input="une phrase de passe robuste\nune phrase de passe robuste\n",
    )
    assert result.exit_code == 0, result.output
    assert "equipe@exemple.fr : compte créé, membre de l’équipe dora." in result.output
    user = db_session.scalar(select(User).where(User.email == "equipe@exemple.fr"))
    assert user.is_staff and user.is_verified


def test_create_staff_promotes_an_existing_account(app, db_session, make_user):
    user = make_user("lea@exemple.fr", verified=False)
    result = run(app, "users", "create-staff", "lea@exemple.fr")
    assert result.exit_code == 0, result.output
    db_session.refresh(user)
    assert user.is_staff and user.is_verified


def test_create_staff_refuses_bad_input(app, db_session):
    bad_email = run(app, "users", "create-staff", "pas-une-adresse")
    assert bad_email.exit_code != 0
    assert "Adresse e-mail invalide" in bad_email.output
    weak = run(app, "users", "create-staff", "x@exemple.fr", "--password-stdin", input="court\n")
    assert weak.exit_code != 0
    assert "au moins 12 caractères" in weak.output
    assert db_session.scalar(select(User).limit(1)) is None


def test_make_and_remove_manager(app, db_session, make_user):
    user = make_user("gestion@exemple.fr")
    result = run(app, "users", "make-manager", "gestion@exemple.fr", "-d", "93", "-d", "2a")
    assert result.exit_code == 0, result.output
    assert "gestion@exemple.fr gère : 2A, 93." in result.output
    db_session.expire_all()
    assert user.departement_codes == {"93", "2A"}
    listing = run(app, "users", "list")
    assert "gestion@exemple.fr\tgestionnaire 2A, 93" in listing.output
    result = run(app, "users", "remove-manager", "gestion@exemple.fr", "-d", "93")
    assert "gère désormais : 2A." in result.output


def test_make_manager_errors_name_the_problem(app, db_session, make_user):
    unknown_user = run(app, "users", "make-manager", "personne@exemple.fr", "-d", "93")
    assert unknown_user.exit_code != 0 and "Aucun compte" in unknown_user.output
    make_user("gestion@exemple.fr")
    unknown_dep = run(app, "users", "make-manager", "gestion@exemple.fr", "-d", "93", "-d", "99")
    assert unknown_dep.exit_code != 0
    assert "Département(s) inconnu(s) : 99" in unknown_dep.output
    missing = run(app, "users", "make-manager", "gestion@exemple.fr")
    assert missing.exit_code != 0 and "--departement" in missing.output


def test_staff_page_names_managers(client, make_user, db_session):
    from tests.accounts.authz import log_in

    staff = make_user(staff=True)
    target = make_user("futur.gestionnaire@exemple.fr")
    log_in(client, staff)
    db_session.commit()  # the refused form rolls back: keep the set-up out of its reach
    response = client.post(
        "/moderation/gestionnaires",
        data={"email": "futur.gestionnaire@exemple.fr", "departements": "93; zz"},
    )
    assert "Département(s) inconnu(s) : ZZ" in response.get_data(as_text=True)
    response = client.post(
        "/moderation/gestionnaires", data={"email": "inconnu@exemple.fr", "departements": "93"}
    )
    assert "Aucun compte pour l’adresse « inconnu@exemple.fr »" in response.get_data(as_text=True)
    client.post(
        "/moderation/gestionnaires",
        data={"email": "futur.gestionnaire@exemple.fr", "departements": "93, 94"},
    )
    db_session.expire_all()
    assert target.departement_codes == {"93", "94"}

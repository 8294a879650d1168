"""Registration, e-mail verification, login, logout, password reset — through the real pages,
with e-mails read from a real SMTP server."""

from __future__ import annotations

import re
import time

import pytest
from sqlalchemy import select

from dora.accounts.models import User
from tests.accounts.authz import PASSWORD

NEW_PASSWORD = "une toute nouvelle phrase"


def link_in(message) -> str:
    body = message.get_body(preferencelist=("plain",)).get_content()
    url = re.search(r"https?://\S+", body).group(0)
    return url.split("dora.test", 1)[1]  # SERVER_NAME of the test app


def register(client, email="camille@exemple.fr", password=PASSWORD, confirm=None):
    return client.post(
        "/inscription",
        data={"email": email, "password": password, "password_confirm": confirm or password},
    )


def test_registration_sends_a_link_that_verifies_and_logs_in(client, db_session, mailbox):
    response = register(client, email="  Camille@Exemple.fr ")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/inscription/envoyee")
    user = db_session.scalar(select(User).where(User.email == "camille@exemple.fr"))
    assert user is not None and not user.is_verified
    assert user.password_hash.startswith("$argon2id$")

    message = mailbox.wait_for(lambda m: m["To"] == "camille@exemple.fr")
    assert "Confirmez votre adresse" in message["Subject"]
    page = client.get(link_in(message), follow_redirects=True)
    assert "Votre adresse e-mail est confirmée" in page.get_data(as_text=True)
    assert "Mon espace" in page.get_data(as_text=True)
    db_session.refresh(user)
    assert user.is_verified


def test_verification_link_opened_elsewhere_asks_to_log_in(app, client, db_session, mailbox):
    register(client)
    message = mailbox.wait_for(lambda m: m["To"] == "camille@exemple.fr")
    other_browser = app.test_client()
    response = other_browser.get(link_in(message))
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]


def test_registration_with_a_taken_address_answers_the_same(client, make_user, mailbox):
    make_user("pris@exemple.fr")
    first = register(client, email="pris@exemple.fr")
    second = register(client, email="libre@exemple.fr")
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    # The owner of the taken address is told, nobody else learns anything.
    warned = mailbox.wait_for(lambda m: m["To"] == "pris@exemple.fr")
    assert "existe déjà" in warned["Subject"]


@pytest.mark.parametrize(
    ("email", "password", "confirm", "message"),
    [
        ("pas-une-adresse", PASSWORD, None, "Adresse e-mail invalide"),
        ("a@exemple.fr", "court", None, "au moins 12 caractères"),
        ("a@exemple.fr", "aaaaaaaaaaaaaaaa", None, "trop répétitif"),
        ("a@exemple.fr", PASSWORD, "autre chose encore", "ne sont pas identiques"),
    ],
)
def test_registration_errors_name_the_field(client, db_session, email, password, confirm, message):
    response = register(client, email=email, password=password, confirm=confirm)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in html
    assert 'aria-invalid="true"' in html
    assert db_session.scalar(select(User).limit(1)) is None


def test_expired_or_forged_verification_link(client, make_user, app, monkeypatch):
    from dora.accounts import security

    user = make_user(verified=False)
    with app.test_request_context():
        token = security.make_token("verify-email", {"u": user.id, "e": user.email})
    assert client.get(f"/inscription/confirmer/{token}x").status_code == 400
    monkeypatch.setattr(security, "VERIFY_EMAIL_MAX_AGE", -1)
    response = client.get(f"/inscription/confirmer/{token}")
    assert response.status_code == 400
    assert "expiré" in response.get_data(as_text=True)


def test_login_and_logout(client, make_user):
    make_user("lea@exemple.fr")
    response = client.post("/connexion", data={"email": "LEA@exemple.fr", "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"].endswith("/mon-espace")
    page = client.get("/mon-espace").get_data(as_text=True)
    assert "lea@exemple.fr" in page and "Déconnexion" in page
    client.post("/deconnexion")
    assert client.get("/mon-espace").status_code == 302


def test_login_follows_next_on_this_site_only(client, make_user):
    make_user("lea@exemple.fr")
    data = {"email": "lea@exemple.fr", "password": PASSWORD, "next": "https://evil.example/"}
    response = client.post("/connexion", data=data)
    assert response.headers["Location"].endswith("/mon-espace")


def test_wrong_password_and_unknown_account_get_the_same_answer(client, make_user):
    make_user("lea@exemple.fr")
    wrong = client.post("/connexion", data={"email": "lea@exemple.fr", "password": "mauvais"})
    unknown = client.post("/connexion", data={"email": "qui@exemple.fr", "password": "mauvais"})
    assert wrong.status_code == unknown.status_code == 200
    for response in (wrong, unknown):
        assert "Adresse e-mail ou mot de passe incorrect." in response.get_data(as_text=True)


def test_unknown_account_costs_a_password_check_too(app, db_session, make_user):
    """No timing oracle: both branches verify an argon2 hash (compared in the same run)."""
    from dora.accounts.operations import authenticate

    make_user("lea@exemple.fr")

    def duration(email):
        started = time.perf_counter()
        authenticate(db_session, email, "mauvais mot de passe")
        return time.perf_counter() - started

    known = min(duration("lea@exemple.fr") for _ in range(3))
    unknown = min(duration("personne@exemple.fr") for _ in range(3))
    assert unknown > known / 3  # without the dummy hash it would be ~100 times faster


def test_password_change_ends_other_sessions(app, client, make_user, db_session):
    from flask import g

    from dora.accounts.security import hash_password
    from tests.accounts.authz import log_in

    user = make_user("lea@exemple.fr")
    log_in(client, user)
    assert client.get("/mon-espace").status_code == 200
    user.password_hash = hash_password(NEW_PASSWORD)
    db_session.commit()
    g.pop("_login_user", None)  # the test's app context outlives requests: forget the cache
    assert client.get("/mon-espace").status_code == 302


def test_password_reset_is_single_use(app, client, make_user, mailbox, db_session):
    make_user("lea@exemple.fr")
    response = client.post("/mot-de-passe-oublie", data={"email": "lea@exemple.fr"})
    assert "Si un compte existe" in response.get_data(as_text=True)
    link = link_in(mailbox.wait_for(lambda m: m["To"] == "lea@exemple.fr"))
    assert client.get(link).status_code == 200
    data = {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}
    response = client.post(link, data=data)
    assert response.status_code == 302
    # Used: the same link no longer works, the new password does.
    assert client.get(link).status_code == 400
    fresh = app.test_client()
    ok = fresh.post("/connexion", data={"email": "lea@exemple.fr", "password": NEW_PASSWORD})
    assert ok.status_code == 302


def test_password_reset_for_unknown_address_says_the_same_and_sends_nothing(client, mailbox):
    from dora.accounts import emails

    response = client.post("/mot-de-passe-oublie", data={"email": "personne@exemple.fr"})
    assert "Si un compte existe" in response.get_data(as_text=True)
    emails.wait_for_deliveries()
    assert mailbox.messages == []


def test_reset_link_rejects_a_weak_password(client, make_user, mailbox):
    make_user("lea@exemple.fr")
    client.post("/mot-de-passe-oublie", data={"email": "lea@exemple.fr"})
    link = link_in(mailbox.wait_for(lambda m: m["To"] == "lea@exemple.fr"))
    response = client.post(link, data={"password": "court", "password_confirm": "court"})
    assert "au moins 12 caractères" in response.get_data(as_text=True)


def test_unverified_user_cannot_create_a_structure(client, make_user):
    from tests.accounts.authz import log_in

    log_in(client, make_user(verified=False))
    response = client.get("/mon-espace/structures/nouvelle")
    assert response.status_code == 302 and response.headers["Location"].endswith("/mon-espace")
    page = client.get("/mon-espace").get_data(as_text=True)
    assert "Confirmez votre adresse e-mail" in page


def test_resend_verification(client, make_user, mailbox):
    from tests.accounts.authz import log_in

    user = make_user("lent@exemple.fr", verified=False)
    log_in(client, user)
    client.post("/inscription/renvoyer")
    assert "Confirmez" in mailbox.wait_for(lambda m: m["To"] == "lent@exemple.fr")["Subject"]


def test_emails_leave_only_when_the_transaction_commits(app, db_session, mailbox):
    from dora.accounts import emails

    with app.test_request_context():
        emails.send_after_commit(
            emails.build(
                "a@exemple.fr",
                "annulé",
                "accounts/emails/account_exists.txt",
                login_url="",
                reset_url="",
            )
        )
        db_session.rollback()
        emails.send_after_commit(
            emails.build(
                "b@exemple.fr",
                "envoyé",
                "accounts/emails/account_exists.txt",
                login_url="",
                reset_url="",
            )
        )
        db_session.commit()
    mailbox.wait_for(lambda m: m["To"] == "b@exemple.fr")
    emails.wait_for_deliveries()
    assert [m["To"] for m in mailbox.messages] == ["b@exemple.fr"]


def test_development_falls_back_to_files_and_lists_them(app, tmp_path):
    from dora.accounts import emails

    with app.app_context():
        settings = emails.SmtpSettings.from_app(app)
    unreachable = emails.SmtpSettings(**{**settings.__dict__, "port": 1, "fallback_dir": tmp_path})
    with app.test_request_context():
        message = emails.build(
            "dev@exemple.fr",
            "Essai",
            "accounts/emails/account_exists.txt",
            login_url="http://x/connexion",
            reset_url="",
        )
    assert emails.send(message, unreachable)
    assert len(list(tmp_path.glob("*.eml"))) == 1

    saved = dict(app.config)
    app.config.update(DORA_ENV="development", MAIL_FALLBACK_DIR=str(tmp_path))
    try:
        page = app.test_client().get("/dev/mails").get_data(as_text=True)
    finally:
        app.config.update(saved)
    assert "Essai" in page and "dev@exemple.fr" in page
    # The date in French, Paris time: « 7 décembre 2026 à 13 h 05 ».
    months = "janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre"
    assert re.search(rf"— (1er|\d{{1,2}}) ({months}) \d{{4}} à \d{{1,2}}\xa0h\xa0\d\d", page)
    assert "+0000" not in page and " GMT" not in page
    assert app.test_client().get("/dev/mails").status_code == 404


def test_forms_refuse_a_missing_csrf_token(app, client, make_user):
    make_user("lea@exemple.fr")
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post("/connexion", data={"email": "lea@exemple.fr", "password": PASSWORD})
        page = client.get("/connexion").get_data(as_text=True)
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 400
    assert "Formulaire expiré" in response.get_data(as_text=True)
    assert 'name="csrf_token"' in page


def test_session_cookie_flags(client, make_user):
    make_user("lea@exemple.fr")
    response = client.post("/connexion", data={"email": "lea@exemple.fr", "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_secure_cookies_outside_development(monkeypatch):
    from dora.config import from_environment

    monkeypatch.setenv("DORA_ENV", "production")
    assert from_environment()["SESSION_COOKIE_SECURE"] is True
    monkeypatch.setenv("DORA_ENV", "development")
    assert from_environment()["SESSION_COOKIE_SECURE"] is False

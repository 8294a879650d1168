"""Logging out ends the session server-side: a copied cookie is worth nothing afterwards."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from tests.support.people import PASSWORD


def _forget_loaded_user() -> None:
    # Test requests share the test's app context, where Flask-Login caches the user of the
    # previous request (another browser's): each request here must load its own.
    from flask import g

    g.pop("_login_user", None)


def _log_in(app, email):
    _forget_loaded_user()
    client = app.test_client()
    response = client.post("/connexion", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def _copy(app, client):
    """Another browser holding a copy of `client`'s session cookie."""
    thief = app.test_client()
    cookie = client.get_cookie("session", domain="dora.test")
    thief.set_cookie("session", cookie.value, domain="dora.test")
    return thief


def _logged_in(client) -> bool:
    _forget_loaded_user()
    return client.get("/mon-espace").status_code == 200


def _post(client, url, **kwargs):
    _forget_loaded_user()
    return client.post(url, **kwargs)


def test_logout_revokes_a_copied_session_cookie(app, db_session, make_user):
    make_user("lea@exemple.fr")
    client = _log_in(app, "lea@exemple.fr")
    thief = _copy(app, client)
    assert _logged_in(thief)
    _post(client, "/deconnexion")
    assert not _logged_in(client)
    assert not _logged_in(thief)


def test_logging_out_one_browser_keeps_the_others(app, db_session, make_user):
    make_user("lea@exemple.fr")
    laptop = _log_in(app, "lea@exemple.fr")
    phone = _log_in(app, "lea@exemple.fr")
    _post(laptop, "/deconnexion")
    assert _logged_in(phone)


def test_logout_everywhere_ends_every_session(app, db_session, make_user):
    make_user("lea@exemple.fr")
    laptop = _log_in(app, "lea@exemple.fr")
    phone = _log_in(app, "lea@exemple.fr")
    _forget_loaded_user()
    page = phone.get("/mon-espace").get_data(as_text=True)
    assert "2 sessions ouvertes" in page
    response = _post(phone, "/mon-espace/deconnexion-partout", follow_redirects=True)
    assert "tous vos appareils (2 sessions fermées)" in response.get_data(as_text=True)
    assert not _logged_in(laptop)
    assert not _logged_in(phone)


def test_sessions_expire_after_thirty_days(app, db_session, make_user):
    from dora.accounts.sessions import MAX_AGE

    make_user("lea@exemple.fr")
    client = _log_in(app, "lea@exemple.fr")
    db_session.execute(
        sa.text("UPDATE user_session SET created_at = created_at - :age"),
        {"age": MAX_AGE + timedelta(minutes=1)},
    )
    assert not _logged_in(client)


def test_a_new_password_ends_the_other_sessions(app, db_session, make_user):
    from dora.accounts import security

    user = make_user("lea@exemple.fr")
    other = _log_in(app, "lea@exemple.fr")
    with app.test_request_context():
        token = security.make_token(
            "reset-password", {"u": user.id, "p": user.password_fingerprint}
        )
    client = app.test_client()
    new = "un tout autre mot de passe"
    response = _post(
        client, f"/mot-de-passe-oublie/{token}", data={"password": new, "password_confirm": new}
    )
    assert response.status_code == 302
    assert _logged_in(client)
    assert not _logged_in(other)


def test_logout_forgets_everything_the_cookie_carried(app, db_session, make_user):
    make_user("lea@exemple.fr")
    client = _log_in(app, "lea@exemple.fr")
    with client.session_transaction() as session:
        session["orientation_liens"] = ["a grant opened by a secret link"]
    _post(client, "/deconnexion")
    with client.session_transaction() as session:
        assert "orientation_liens" not in session

"""People in tests: the password of every user the `make_user` fixture makes, and logging a
user in on a test client."""

from __future__ import annotations

# The password of every user made by the `make_user` fixture (tests/conftest.py).
PASSWORD = "correct horse battery staple"


def log_in(client, user) -> None:
    """Log `user` in on this test client, as the login form would (no password hashing):
    a server-side session is opened in the test's transaction (dora.accounts.sessions)."""
    from flask import g, has_app_context

    from dora.accounts.sessions import open_session
    from dora.extensions import db

    open_session(db.session, user)
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
    # Test requests share the test's app context: forget the user a previous request loaded.
    if has_app_context():
        g.pop("_login_user", None)

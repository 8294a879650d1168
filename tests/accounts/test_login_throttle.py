"""Failed logins: limited per browser, per address and per account, without letting an
attacker lock the owner out from elsewhere (dora.accounts.throttle)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.support.people import PASSWORD

TARGET = "cible@exemple.fr"
BAD = {"email": TARGET, "password": "mauvais mot de passe"}
GOOD = {"email": TARGET, "password": PASSWORD}


@pytest.fixture
def limited(app, db_session):
    """An app with the rate limits on (the test app has them off)."""
    from dora import create_app
    from dora.extensions import limiter

    limited = create_app(
        {
            **app.config,
            "RATELIMIT_ENABLED": True,
            "LOGIN_LIMIT_PER_ACCOUNT": "3 per 15 minutes",
            "LOGIN_LIMIT_PER_IP": "6 per 15 minutes",
            "LOGIN_ACCOUNT_CEILING": "20 per hour",
        }
    )
    yield limited
    limiter.enabled = False
    limiter.reset()


def _post(client, data, ip):
    return client.post("/connexion", data=data, environ_base={"REMOTE_ADDR": ip})


def test_failures_from_elsewhere_do_not_lock_the_owner_out(limited, make_user):
    make_user(TARGET)
    attacker = limited.test_client()
    statuses = [_post(attacker, BAD, "203.0.113.9").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    # Even the right password waits, from the attacker's machine.
    assert _post(attacker, GOOD, "203.0.113.9").status_code == 429
    # The owner, from their own machine, is not concerned.
    owner = limited.test_client()
    assert _post(owner, GOOD, "198.51.100.7").status_code == 302


def test_spraying_many_accounts_from_one_address_is_stopped(limited):
    client = limited.test_client()
    statuses = [
        _post(client, {"email": f"x{i}@exemple.fr", "password": "m"}, "203.0.113.10").status_code
        for i in range(7)
    ]
    assert statuses[:6] == [200] * 6
    assert statuses[6] == 429


def _fail_from_many_addresses(limited, count: int) -> None:
    for n in range(count):
        response = _post(limited.test_client(), BAD, f"203.0.113.{100 + n}")
        assert response.status_code in (200, 429)


def test_distributed_guessing_slows_down_unknown_browsers_only(limited, make_user, db_session):
    from dora.accounts import throttle

    make_user(TARGET)
    owner = limited.test_client()
    assert _post(owner, GOOD, "198.51.100.7").status_code == 302  # a known browser now
    owner.post("/deconnexion")

    _fail_from_many_addresses(limited, throttle.FREE_FAILURES)
    # An unknown browser must wait, with the right password too, and is told for how long.
    stranger = _post(limited.test_client(), GOOD, "192.0.2.44")
    assert stranger.status_code == 429
    assert "réessayez dans 2 secondes" in stranger.get_data(as_text=True)
    # The owner's browser is not slowed down.
    assert _post(owner, GOOD, "198.51.100.7").status_code == 302

    # The delay grows with each further failure…
    assert throttle.delay_after(throttle.FREE_FAILURES + 3) == 16
    assert throttle.delay_after(10_000) == throttle.MAX_DELAY_SECONDS
    # …and, once waited, an unknown browser may try again.
    db_session.execute(
        sa.text("UPDATE login_throttle SET last_failure_at = last_failure_at - :d"),
        {"d": timedelta(seconds=throttle.MAX_DELAY_SECONDS)},
    )
    assert _post(limited.test_client(), GOOD, "192.0.2.44").status_code == 302


def test_the_account_ceiling_spares_known_browsers(limited, make_user, db_session):
    make_user(TARGET)
    owner = limited.test_client()
    assert _post(owner, GOOD, "198.51.100.7").status_code == 302
    owner.post("/deconnexion")
    # Past the ceiling (20 per hour), with the delays waived to reach it quickly.
    for n in range(21):
        db_session.execute(sa.text("DELETE FROM login_throttle"))
        _post(limited.test_client(), BAD, f"203.0.113.{n}")
    db_session.execute(sa.text("DELETE FROM login_throttle"))
    assert _post(limited.test_client(), GOOD, "192.0.2.45").status_code == 429
    assert _post(owner, GOOD, "198.51.100.7").status_code == 302


def test_the_same_answers_for_unknown_addresses(limited):
    """No enumeration: an unknown address is throttled exactly like a known one."""
    from dora.accounts import throttle

    for n in range(throttle.FREE_FAILURES):
        _post(
            limited.test_client(), {"email": "personne@exemple.fr", "password": "x"}, f"10.0.0.{n}"
        )
    response = _post(
        limited.test_client(), {"email": "personne@exemple.fr", "password": "x"}, "10.0.1.1"
    )
    assert response.status_code == 429


def test_a_forged_browser_cookie_is_ignored(limited, make_user):
    from dora.accounts import throttle

    make_user(TARGET)
    client = limited.test_client()
    client.set_cookie(throttle.DEVICE_COOKIE, "forged", domain="dora.test")
    statuses = [_post(client, BAD, "203.0.113.9").status_code for _ in range(4)]
    assert statuses[-1] == 429

"""`dora demo seed` fills both inboxes with referrals in every status (committed, like the
demo seed itself; cleared at the end)."""

from __future__ import annotations

from sqlalchemy import text

from dora.demo.cli import command
from dora.extensions import db


def test_demo_referrals_in_every_status_idempotent_and_cleared(app):
    from dora.orientation import demo

    runner = app.test_cli_runner()
    try:
        first = runner.invoke(command, ["seed", "--services", "300", "--seed", "5"])
        assert first.exit_code == 0, first.output
        assert "Orientations de démonstration : 30 créées" in first.output
        assert demo.PASSWORD in first.output
        with app.app_context(), db.engine.connect() as connection:
            statuts = dict(
                connection.execute(
                    text("SELECT statut, count(*) FROM orientation GROUP BY statut")
                ).all()
            )
            link_path = connection.execute(
                text("SELECT count(*) FROM orientation WHERE token_hash IS NOT NULL")
            ).scalar_one()
        assert set(statuts) == {"nouvelle", "en-cours", "acceptee", "refusee", "expiree"}
        assert link_path == 2
        second = runner.invoke(command, ["seed", "--services", "300", "--seed", "5"])
        assert "Orientations de démonstration : déjà présentes." in second.output
    finally:
        cleared = runner.invoke(command, ["clear"])
    assert cleared.exit_code == 0, cleared.output
    with app.app_context(), db.engine.connect() as connection:
        left = connection.execute(
            text(
                "SELECT (SELECT count(*) FROM orientation), (SELECT count(*) FROM user_account "
                "WHERE email LIKE '%.demo@example.org')"
            )
        ).one()
    assert tuple(left) == (0, 0)

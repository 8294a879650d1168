"""`dora observatoire calculer | etat`: compute, date, and say when to compute again."""

from __future__ import annotations

from sqlalchemy import text


def _run(app, *args):
    from flask.cli import ScriptInfo

    from dora.cli import cli

    return app.test_cli_runner().invoke(
        cli, ["observatoire", *args], obj=ScriptInfo(create_app=lambda: app)
    )


def test_compute_then_state(app, db_session, make_service):
    db_session.execute(text("DELETE FROM coverage_run"))
    never = _run(app, "etat")
    assert never.exit_code == 1 and "jamais calculée" in never.output

    make_service(thematiques=["mobilite--preparer-un-permis"])
    result = _run(app, "calculer", "--quiet")
    assert result.exit_code == 0, result.output
    assert "Couverture calculée en" in result.output
    assert "1 services sur place" in result.output
    assert db_session.scalar(text("SELECT count(*) FROM coverage_cell")) > 0

    # Here the service was written by the test's own transaction, still open during the
    # computation (its xid is past the snapshot's xmax): as for any write the computation
    # could not see, `etat` reports it; once past it, the figures are up to date.
    stale = _run(app, "etat")
    assert "depuis ce calcul" in stale.output
    db_session.execute(
        text(
            "UPDATE coverage_run "
            "SET search_xid = (SELECT max(changed_xid) + 1 FROM search_document)"
        )
    )
    state = _run(app, "etat")
    assert state.exit_code == 0, state.output
    assert "Dernier calcul" in state.output and "À jour" in state.output
    skipped = _run(app, "calculer", "--si-necessaire")
    assert skipped.exit_code == 0 and "rien à recalculer" in skipped.output
    assert db_session.scalar(text("SELECT count(*) FROM coverage_run")) == 1


def test_compute_without_territories_says_what_to_do(app, db_session):
    db_session.execute(text("ALTER TABLE commune DISABLE TRIGGER ALL"))
    db_session.execute(text("DELETE FROM arrondissement_municipal"))
    db_session.execute(text("DELETE FROM commune"))
    result = _run(app, "calculer")
    assert result.exit_code == 1
    assert "dora geodata load" in result.output

"""`dora demo seed` and `dora demo clear` as a user runs them."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from dora.demo.cli import command
from dora.extensions import db


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--services", "0"], "--services doit être compris entre 1 et 9\u202f999\u202f999"),
        (["--services", "-5"], "--services doit être compris entre 1 et"),
        (["--services", "abc"], "--services attend un nombre entier, pas « abc »"),
        (["--services", "1.5"], "--services attend un nombre entier"),
        (["--services", "10000000"], "(reçu : 10\u202f000\u202f000)"),
        (["--seed", "graine"], "--seed attend un nombre entier"),
        (["--date-reference", "2020-13-01"], "--date-reference attend une date AAAA-MM-JJ"),
        (["--date-reference", "2999-01-01"], "ne peut pas être dans le futur"),
    ],
)
def test_bad_arguments_get_a_french_message_and_write_nothing(app, arguments, message):
    result = app.test_cli_runner().invoke(command, ["seed", *arguments])
    assert result.exit_code == 2
    assert message in result.output
    assert "Erreur : " in result.output
    assert "Traceback" not in result.output
    with app.app_context(), db.engine.connect() as connection:
        count = connection.execute(
            text("SELECT count(*) FROM service WHERE id LIKE 'demo--svc-%'")
        ).scalar_one()
    assert count == 0


def test_seed_twice_then_clear(app):
    runner = app.test_cli_runner()
    try:
        first = runner.invoke(command, ["seed", "--services", "1 500", "--seed", "2"])
        assert first.exit_code == 0, first.output
        assert "Écrit : 1\u202f500 services et" in first.output
        second = runner.invoke(command, ["seed", "--services", "1500", "--seed", "2"])
        assert second.exit_code == 0, second.output
        assert "les 1\u202f500 services demandés sont déjà présents" in second.output
        other = runner.invoke(command, ["seed", "--services", "1600", "--seed", "3"])
        assert other.exit_code == 1
        assert "Erreur : Les données de démonstration présentes ont été générées" in other.output
    finally:
        cleared = runner.invoke(command, ["clear"])
    assert cleared.exit_code == 0, cleared.output
    assert "Supprimé : 1\u202f500 services" in cleared.output
    with app.app_context(), db.engine.connect() as connection:
        left = connection.execute(
            text("SELECT count(*) FROM structure WHERE id LIKE 'demo--str-%'")
        ).scalar_one()
    assert left == 0

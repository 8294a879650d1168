"""Fixtures of the offer tests: the sample files of tests/fixtures/offers and the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from dora.offers.cli import command  # the `import` group, with the offer commands

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "offers"


@pytest.fixture
def fixture_path():
    return lambda name: FIXTURES / name


@pytest.fixture
def run_import(app, db_session):
    runner = app.test_cli_runner()

    def invoke(source: str, *args):
        return runner.invoke(command, [source, *map(str, args)])

    return invoke


@pytest.fixture
def sql(db_session):
    def query(statement: str, **params):
        return db_session.connection().execute(text(statement), params).all()

    return query


@pytest.fixture
def snapshot_offers(sql):
    """Every row of the tables the importers write (to check nothing changed)."""

    def take():
        return {
            table: sql(f"SELECT * FROM {table} ORDER BY 1")
            for table in (
                "structure",
                "service",
                "offer_structure",
                "offer_service",
                "training_session",
                "immersion_company",
                "immersion_metier",
            )
        }

    return take


@pytest.fixture
def imported(run_import, fixture_path):
    """The three sample files imported (in the test's transaction)."""
    for source, name in (
        ("lheo", "lheo-valide.xml"),
        ("siae", "siae-valide.json"),
        ("immersion", "immersion-valide.json"),
    ):
        result = run_import(source, fixture_path(name))
        assert result.exit_code == 0, result.output

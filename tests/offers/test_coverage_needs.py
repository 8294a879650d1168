"""The coverage observatory counts training and inclusive employment as needs of their own
(dora.offers.kinds.COVERAGE_NEEDS), apart from the thématiques their services carry."""

from __future__ import annotations

from sqlalchemy import text

from dora.coverage import operations, queries


def _cell(db_session, unit: str, need: str):
    return db_session.execute(
        text(
            """SELECT c.* FROM coverage_cell AS c JOIN coverage_unit AS u ON u.id = c.unit
            JOIN coverage_need AS n ON n.need = c.need
            WHERE u.code = :unit AND n.thematique = :need"""
        ),
        {"unit": unit, "need": need},
    ).first()


def test_training_and_inclusive_employment_are_needs(db_session, imported, make_service):
    # An ordinary service with the same thématique as a training is not a training.
    make_service(
        point=(2.3574, 48.9362),
        thematiques=["se-former--trouver-sa-formation"],
        zone_eligibilite=["93"],
        code_insee="93066",
    )
    operations.rebuild(db_session)

    formations = _cell(db_session, "93066", "offre:formations")
    assert formations is not None and formations.n5 == 1  # the Saint-Denis training only
    employeurs = _cell(db_session, "93066", "offre:employeurs")
    assert employeurs is not None and employeurs.n5 == 1  # the ACI's open position
    assert _cell(db_session, "93066", "se-former--trouver-sa-formation").n5 == 2

    assert queries.parse_need("offre:formations") == "offre:formations"
    labels = {n.value: n.label for n in queries.needs()}
    assert labels["offre:employeurs"] == "Emploi inclusif (SIAE, GEIQ, EA)"
    page = queries.figures(
        db_session,
        queries.load_territory(db_session, queries.TerritoryKey("departement", "93")),
        5,
        ["offre:formations", "offre:employeurs"],
    )
    assert [f.need for f in page] == ["offre:formations", "offre:employeurs"]
    assert all(f.population_covered > 0 for f in page)

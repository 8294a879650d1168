"""`dora import immersion`: companies hosting immersions, a layer of their own."""

from __future__ import annotations


def test_valid_file_merges_results_by_siret_and_never_writes_services(
    run_import, fixture_path, sql
):
    services_before = sql("SELECT count(*) AS n FROM service")[0].n
    result = run_import("immersion", fixture_path("immersion-valide.json"))
    assert result.exit_code == 0, result.output
    assert "Entreprises accueillantes — lus : 2 · créés : 2" in result.stdout
    assert "Métiers proposés en immersion — lus : 4 · créés : 4" in result.stdout
    assert sql("SELECT count(*) AS n FROM service")[0].n == services_before
    (bakery,) = sql("SELECT * FROM immersion_company WHERE siret = '90909090400006'")
    assert bakery.enseigne == "Au Pain de Saint-Denis"
    assert bakery.code_insee == "93066" and bakery.departement == "93"
    assert bakery.volontaire is True and bakery.mode_contact == "IN_PERSON"
    assert bakery.source == "immersion-facile"
    metiers = sql(
        "SELECT appellation_code, rome_code FROM immersion_metier "
        "WHERE siret = '90909090400006' ORDER BY appellation_code"
    )
    assert [tuple(m) for m in metiers] == [
        ("11573", "D1106"),
        ("11574", "D1102"),
        ("19714", "D1106"),
    ]


def test_reimport_is_idempotent_and_replaces_metiers(
    run_import, fixture_path, tmp_path, sql, snapshot_offers
):
    assert run_import("immersion", fixture_path("immersion-valide.json")).exit_code == 0
    before = snapshot_offers()
    assert run_import("immersion", fixture_path("immersion-valide.json")).exit_code == 0
    assert snapshot_offers() == before
    fewer = tmp_path / "immersion.json"
    fewer.write_text(
        fixture_path("immersion-valide.json")
        .read_text(encoding="utf-8")
        .replace(
            '{"appellationCode": "19714", '
            '"appellationLabel": "Vendeur / Vendeuse en boulangerie-pâtisserie"}',
            "",
        )
        .replace("},\n      \n    ]", "}\n    ]"),
        encoding="utf-8",
    )
    result = run_import("immersion", fewer)
    assert result.exit_code == 0, result.output
    rows = sql(
        "SELECT appellation_code FROM immersion_metier WHERE siret = '90909090400006' ORDER BY 1"
    )
    codes = [r.appellation_code for r in rows]
    assert codes == ["11573", "11574"]


def test_invalid_records_are_rejected(run_import, fixture_path, sql):
    result = run_import("immersion", fixture_path("immersion-invalide.json"))
    assert result.exit_code == 1
    errors = result.stderr
    assert "enregistrement 2, id « 90909090400006 », champ « rome » : code ROME invalide" in errors
    assert "champ « voluntaryToImmersion » : vrai ou faux attendu" in errors
    assert "champ « position » : latitude et longitude en degrés attendues" in errors
    assert "champ « appellations » : au moins une appellation" in errors
    assert "enregistrement 3 : objet JSON attendu" in errors
    assert [r.siret for r in sql("SELECT siret FROM immersion_company")] == ["90909090400006"]

"""`dora import siae`: the public SIAE listing of « les emplois de l'inclusion »."""

from __future__ import annotations

from datetime import date


def test_valid_file_writes_employers_and_open_positions(run_import, fixture_path, sql):
    result = run_import("siae", fixture_path("siae-valide.json"))
    assert result.exit_code == 0, result.output
    assert "Structures — lus : 3 · créés : 3" in result.stdout
    employers = sql(
        "SELECT s.id, s.nom, s.siret, s.code_insee, o.employer_kind FROM structure s "
        "JOIN offer_structure o ON o.structure_id = s.id ORDER BY s.id"
    )
    assert [tuple(e) for e in employers] == [
        ("siae--33333333400006--geiq", "GEIQ BTP", "33333333400006", "93066", "GEIQ"),
        ("siae--55555555600003--aci", "Jardins de la Plaine", "55555555600003", "93066", "ACI"),
        (
            "siae--88888888000018--ea",
            "ENTREPRISE ADAPTEE DU CANAL",
            "88888888000018",
            employers[2].code_insee,
            "EA",
        ),
    ]
    assert employers[2].code_insee == "75119"  # Paris 19e, told by the postal code
    positions = sql(
        "SELECT s.id, s.nom, s.statut, s.thematiques, s.conditions_acces, s.suspendu_du, "
        "s.date_maj, o.source_id, o.details FROM service s "
        "JOIN offer_service o ON o.service_id = s.id ORDER BY s.id"
    )
    by_id = {p.id: p for p in positions}
    # The closed position was never imported: nothing to show.
    assert set(by_id) == {
        "siae--55555555600003--aci--4101",
        "siae--88888888000018--ea--5201",
        "siae--33333333400006--geiq--6301",
    }
    aci = by_id["siae--55555555600003--aci--4101"]
    assert aci.nom == "Ouvrier maraîcher / Ouvrière maraîchère"
    assert aci.thematiques == ["trouver-un-emploi--repondre-a-des-offres-demploi"]
    assert "PASS IAE" in aci.conditions_acces and "prescripteur habilité" in aci.conditions_acces
    assert aci.details["eligibilite"] == "pass-iae"
    assert aci.source_id == "55555555600003/ACI/4101"
    assert aci.date_maj == date(2026, 9, 1)
    ea = by_id["siae--88888888000018--ea--5201"]
    assert "RQTH" in ea.conditions_acces and "PASS IAE" in ea.conditions_acces
    geiq = by_id["siae--33333333400006--geiq--6301"]
    assert geiq.nom == "Poste (métier ROME F1703)"
    assert geiq.suspendu_du == date.today()  # the GEIQ blocks applications


def test_reimport_is_idempotent_and_closing_a_position_archives_it(
    run_import, fixture_path, tmp_path, sql, snapshot_offers
):
    assert run_import("siae", fixture_path("siae-valide.json")).exit_code == 0
    before = snapshot_offers()
    again = run_import("siae", fixture_path("siae-valide.json"))
    assert again.exit_code == 0
    assert snapshot_offers() == before
    closed = tmp_path / "siae.json"
    closed.write_text(
        fixture_path("siae-valide.json")
        .read_text(encoding="utf-8")
        .replace(
            '"recrutement_ouvert": "True",\n          "description": "Culture',
            '"recrutement_ouvert": "False",\n          "description": "Culture',
        ),
        encoding="utf-8",
    )
    assert run_import("siae", closed).exit_code == 0
    (row,) = sql("SELECT statut FROM service WHERE id = 'siae--55555555600003--aci--4101'")
    assert row.statut == "archive"


def test_invalid_records_are_rejected_with_field_and_position(run_import, fixture_path, sql):
    result = run_import("siae", fixture_path("siae-invalide.json"))
    assert result.exit_code == 1
    errors = result.stderr
    assert (
        "siae-invalide.json, enregistrement 1, id « siae--55555555600003--aci », champ "
        "« postes[2].rome » : code ROME invalide : « maraîcher »"
    ) in errors
    assert (
        "enregistrement 2, id « 12345678900000/EI », champ « siret » : numéro SIRET invalide"
        in errors
    )
    assert "champ « type » : type de structure non pris en charge : « OPCS »" in errors
    assert "commune introuvable : « 99999 Nulle-Part »" in errors
    services = [r.id for r in sql("SELECT id FROM service WHERE id LIKE 'siae--%'")]
    assert services == ["siae--55555555600003--aci--4101"]


def test_unusable_json_exits_2(run_import, tmp_path, sql):
    for content, message in (
        ("{", "JSON invalide (ligne 1"),
        ('{"count": 1}', "une liste JSON d’enregistrements est attendue"),
        ("", "fichier vide"),
    ):
        path = tmp_path / "siae.json"
        path.write_text(content, encoding="utf-8")
        result = run_import("siae", path)
        assert result.exit_code == 2, result.output
        assert message in result.stderr
    path.write_bytes('[{"siret": "é"}]'.encode("latin-1"))
    result = run_import("siae", path)
    assert result.exit_code == 2 and "UTF-8" in result.stderr
    assert sql("SELECT id FROM structure WHERE id LIKE 'siae--%'") == []

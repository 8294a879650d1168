"""`dora import lheo`: a real LHEO 2.3 file, validated by the XSD, written to the catalogue."""

from __future__ import annotations

from datetime import date, timedelta

from dora.offers.lheo.schema import build_xsd


def test_committed_xsd_is_the_generated_one():
    assert build_xsd.OUT.read_text(encoding="utf-8") == build_xsd.build()


def test_valid_file_writes_structures_services_and_upcoming_sessions(run_import, fixture_path, sql):
    result = run_import("lheo", fixture_path("lheo-valide.xml"))
    assert result.exit_code == 0, result.output
    assert "Actions (services « se former ») — lus : 2 · créés : 2" in result.stdout
    assert "2 session(s) passée(s) ignorée(s)" in result.stdout

    structures = sql(
        "SELECT s.id, s.siret, s.nom, s.source, o.kind FROM structure s "
        "JOIN offer_structure o ON o.structure_id = s.id ORDER BY s.id"
    )
    assert [tuple(row) for row in structures] == [
        (
            "lheo--of-12345678200002",
            "12345678200002",
            "Centre Formation Plaine Commune",
            "lheo",
            "organisme-formation",
        ),
        (
            "lheo--of-42424242800003",
            "42424242800003",
            "Atelier Numérique Lyonnais",
            "lheo",
            "organisme-formation",
        ),
    ]
    (service,) = sql(
        "SELECT s.*, o.kind, o.source_id, o.details FROM service s "
        "JOIN offer_service o ON o.service_id = s.id WHERE s.id = 'lheo--A-2099-001-1'"
    )
    assert service.kind == "formation"
    assert service.source_id == "A-2099-001-1"
    assert service.type == "formation"
    assert service.thematiques == [
        "lecture-ecriture-calcul--maitriser-le-calcul",
        "lecture-ecriture-calcul--maitriser-le-francais",
        "se-former--trouver-sa-formation",
    ]
    assert service.publics == ["demandeurs-emploi"]
    assert service.date_maj == date(2026, 10, 2)
    assert service.code_insee == "93066"
    assert "93" in service.zone_eligibilite and "75" in service.zone_eligibilite  # Région
    assert service.details["certification"]["rs"] == "RS5080"
    assert service.details["financeurs"] == ["2"]
    assert service.details["financeurs_libelles"] == ["Conseil régional"]
    assert "Prix total : 2400 € TTC" in service.frais_precisions
    # Available until its last session starts.
    assert service.suspendu_du == date(2099, 9, 8)

    sessions = sql(
        "SELECT source_id, debut, fin, etat_recrutement, commune FROM training_session "
        "WHERE service_id = 'lheo--A-2099-001-1' ORDER BY debut"
    )
    assert [tuple(s) for s in sessions] == [
        ("S-2099-03", date(2099, 3, 2), date(2099, 6, 26), 1, "Saint-Denis"),
        ("S-2099-09", date(2099, 9, 7), date(2099, 12, 18), None, "Saint-Denis"),
    ]
    # The Lyon training only had a past session: kept, but not available from today.
    (lyon,) = sql(
        "SELECT suspendu_du, zone_eligibilite FROM service WHERE id = 'lheo--A-2099-002-1'"
    )
    assert lyon.suspendu_du <= date.today()
    assert lyon.zone_eligibilite == ["69"]  # périmètre de recrutement 2: its département
    assert sql("SELECT * FROM training_session WHERE service_id = 'lheo--A-2099-002-1'") == []


def test_reimport_changes_nothing(run_import, fixture_path, sql, snapshot_offers):
    assert run_import("lheo", fixture_path("lheo-valide.xml")).exit_code == 0
    before = snapshot_offers()
    again = run_import("lheo", fixture_path("lheo-valide.xml"))
    assert again.exit_code == 0, again.output
    assert "créés : 0 · mis à jour : 0 · inchangés : 2" in again.stdout
    assert snapshot_offers() == before


def test_reimport_replaces_the_sessions_of_an_action(run_import, fixture_path, tmp_path, sql):
    assert run_import("lheo", fixture_path("lheo-valide.xml")).exit_code == 0
    changed = tmp_path / "lheo.xml"
    changed.write_text(
        fixture_path("lheo-valide.xml")
        .read_text(encoding="utf-8")
        .replace("<debut>20990907</debut>", "<debut>20991005</debut>")
        .replace('numero="S-2099-03"', 'numero="S-2099-03-BIS"'),
        encoding="utf-8",
    )
    result = run_import("lheo", changed)
    assert result.exit_code == 0, result.output
    sessions = sql(
        "SELECT source_id, debut FROM training_session "
        "WHERE service_id = 'lheo--A-2099-001-1' ORDER BY debut"
    )
    assert [tuple(s) for s in sessions] == [
        ("S-2099-03-BIS", date(2099, 3, 2)),
        ("S-2099-09", date(2099, 10, 5)),
    ]
    (service,) = sql("SELECT suspendu_du, version FROM service WHERE id = 'lheo--A-2099-001-1'")
    assert service.suspendu_du == date(2099, 10, 5) + timedelta(days=1)
    assert service.version == 2


def test_invalid_records_are_rejected_one_by_one(run_import, fixture_path, sql):
    result = run_import("lheo", fixture_path("lheo-invalide.xml"))
    assert result.exit_code == 1
    errors = result.stderr
    # The schema error names its line and element, in French.
    assert "lheo-invalide.xml, ligne" in errors
    assert "« debut »" in errors and "AAAAMMJJ" in errors
    assert "numéro SIRET invalide : « 12345678900000 »" in errors
    assert "champ « action/@numero » : attribut « numero » obligatoire" in errors
    # The valid formation is imported, nothing of the others.
    ids = [row.id for row in sql("SELECT id FROM service WHERE id LIKE 'lheo--%' ORDER BY id")]
    assert ids == ["lheo--A-2099-001-1"]


def test_strict_writes_nothing(run_import, fixture_path, sql):
    result = run_import("lheo", fixture_path("lheo-invalide.xml"), "--strict")
    assert result.exit_code == 1
    assert "Mode strict" in result.stderr
    assert sql("SELECT id FROM service WHERE id LIKE 'lheo--%'") == []


def test_unusable_files_exit_2_and_write_nothing(run_import, tmp_path, sql):
    cases = {
        "vide.xml": ("", "fichier vide"),
        "casse.xml": ("<lheo xmlns='http://lheo.gouv.fr/2.3'><offres>", "XML mal formé"),
        "autre.xml": (
            "<lheo xmlns='http://lheo.gouv.fr/2.2'><offres/></lheo>",
            "ce n’est pas un catalogue LHEO 2.3",
        ),
        "sans-formation.xml": (
            "<lheo xmlns='http://lheo.gouv.fr/2.3'><offres/></lheo>",
            "élément(s) manquant(s)",
        ),
    }
    for name, (content, message) in cases.items():
        path = tmp_path / name
        path.write_text(content, encoding="utf-8")
        result = run_import("lheo", path)
        assert result.exit_code == 2, (name, result.output)
        assert message in result.stderr, (name, result.stderr)
    assert run_import("lheo", tmp_path / "absent.xml").exit_code == 2
    assert sql("SELECT id FROM service WHERE id LIKE 'lheo--%'") == []


def test_external_entities_are_not_read(run_import, tmp_path, sql):
    secret = tmp_path / "secret.txt"
    secret.write_text("CONTENU-SECRET", encoding="utf-8")
    hostile = tmp_path.joinpath("xxe.xml")
    hostile.write_text(
        f'<?xml version="1.0"?><!DOCTYPE lheo [<!ENTITY x SYSTEM "file://{secret}">]>'
        "<lheo xmlns='http://lheo.gouv.fr/2.3'><offres>&x;</offres></lheo>",
        encoding="utf-8",
    )
    result = run_import("lheo", hostile)
    assert result.exit_code == 2
    assert "CONTENU-SECRET" not in result.output

"""The import operation, called from Python on the test connection."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy import text

from dora.catalogue.models import Service, Structure
from dora.core.opening_week import week_mask
from dora.core.signals import services_bulk_written
from dora.interop.operations import import_files

from .samples import full_service, full_structure, minimal_service, minimal_structure


@pytest.fixture
def signals():
    received: list[dict] = []

    def receiver(sender, **kwargs):
        received.append({"sender": sender, **kwargs})

    services_bulk_written.connect(receiver)
    yield received
    services_bulk_written.disconnect(receiver)


def _row(connection, table: str, record_id: str):
    return (
        connection.execute(
            text(
                f"SELECT *, ST_X(location::geometry) AS x, ST_Y(location::geometry) AS y "
                f"FROM {table} WHERE id = :id"
            ),
            {"id": record_id},
        )
        .mappings()
        .one_or_none()
    )


def test_import_creates_published_services_and_validated_structures(db_connection, files, signals):
    structures = files.json("structures.json", [full_structure(1), minimal_structure(1)])
    services = files.jsonl(
        "services.jsonl", [full_service(1), minimal_service(1, code_insee="75110")]
    )
    report = import_files(db_connection, structures=structures, services=services)

    assert report.written and report.rejections == [] and report.warnings == []
    assert (report.structures.created, report.services.created) == (2, 2)
    structure = _row(db_connection, "structure", "test-import--structure-1")
    assert structure["moderation"] == "validee" and structure["version"] == 1
    assert structure["reseaux_porteurs"] == ["croix-rouge", "emmaus"]
    service = _row(db_connection, "service", "test-import--service-1")
    assert service["statut"] == "publie"
    assert service["modes_accueil"] == ["a-distance", "en-presentiel"]
    assert service["zone_eligibilite"] == ["93", "200054781", "75056"]  # order kept
    assert service["date_maj"] == date(2024, 6, 1)
    # Own coordinates: kept as given, and our point is them, precision "adresse".
    assert (service["longitude"], service["latitude"]) == (2.357412, 48.936201)
    assert (service["x"], service["y"], service["location_precision"]) == (
        2.357412,
        48.936201,
        "adresse",
    )
    # « Ouvert le … »: the week mask of its hours, written by the bulk upsert too.
    assert service["opening_week"] == week_mask("Mo-Fr 08:30-12:30; PH off")
    minimal = _row(db_connection, "service", "test-import--service-min-1")
    assert minimal["opening_week"] is None
    assert minimal["longitude"] is None and minimal["location_precision"] == "commune"
    assert minimal["x"] is not None
    assert minimal["thematiques"] is None and minimal["publics"] is None
    # The search feature hears about every service written, inside the transaction.
    assert len(signals) == 1
    assert sorted(signals[0]["service_ids"]) == [
        "test-import--service-1",
        "test-import--service-min-1",
    ]
    assert signals[0]["sender"] is db_connection


def test_reimport_updates_by_id_without_duplicates(db_connection, files, signals):
    structures = files.json("structures.json", [full_structure(1)])
    first = files.json("services.json", [full_service(1), full_service(2)])
    import_files(db_connection, structures=structures, services=first)
    # now() is the transaction's start: age the rows so that a bump shows.
    db_connection.execute(text("UPDATE service SET updated_at = updated_at - interval '1 day'"))
    before = _row(db_connection, "service", "test-import--service-1")

    changed = files.json(
        "services-v2.json",
        [
            full_service(
                1, nom="Réparation solidaire (nouveau nom)", horaires_accueil="Sa 14:00-18:00"
            ),
            full_service(2),
        ],
    )
    report = import_files(db_connection, structures=structures, services=changed)

    assert (report.services.created, report.services.updated, report.services.unchanged) == (
        0,
        1,
        1,
    )
    assert (report.structures.updated, report.structures.unchanged) == (0, 1)
    after = _row(db_connection, "service", "test-import--service-1")
    assert after["opening_week"] == week_mask("Sa 14:00-18:00")
    assert after["nom"] == "Réparation solidaire (nouveau nom)"
    assert after["version"] == before["version"] + 1
    assert after["updated_at"] > before["updated_at"]
    assert after["created_at"] == before["created_at"]
    untouched = _row(db_connection, "service", "test-import--service-2")
    assert untouched["version"] == 1
    count = db_connection.execute(
        text("SELECT count(*) FROM service WHERE id LIKE 'test-import--%'")
    ).scalar_one()
    assert count == 2
    assert signals[-1]["service_ids"] == ["test-import--service-1"]


def test_reimport_keeps_dora_workflow_decisions(db_connection, files):
    structures = files.json("structures.json", [full_structure(1)])
    services = files.json("services.json", [full_service(1)])
    import_files(db_connection, structures=structures, services=services)
    db_connection.execute(
        text("UPDATE service SET statut = 'archive' WHERE id = 'test-import--service-1'")
    )
    db_connection.execute(
        text("UPDATE structure SET moderation = 'refusee' WHERE id = 'test-import--structure-1'")
    )
    changed = files.json("services2.json", [full_service(1, description="Nouvelle description.")])
    import_files(db_connection, structures=structures, services=changed)
    assert _row(db_connection, "service", "test-import--service-1")["statut"] == "archive"
    assert _row(db_connection, "structure", "test-import--structure-1")["moderation"] == "refusee"


def test_location_follows_a_changed_commune_on_reimport(db_connection, files):
    structures = files.json("structures.json", [minimal_structure(1)])
    import_files(
        db_connection,
        structures=structures,
        services=files.json("a.json", [minimal_service(1, code_insee="93066")]),
    )
    report = import_files(
        db_connection,
        structures=structures,
        services=files.json("b.json", [minimal_service(1, code_insee="13201")]),
    )
    assert report.services.updated == 1
    row = _row(db_connection, "service", "test-import--service-min-1")
    assert 5.3 < row["x"] < 5.5  # Marseille, not Saint-Denis


def test_invalid_records_are_reported_and_valid_ones_imported(db_connection, files):
    structures = files.json(
        "structures.json", [minimal_structure(1), minimal_structure(2, nom="X")]
    )
    services = files.csv(
        "services.csv",
        [
            minimal_service(1),
            minimal_service(2, thematiques=["inconnue"]),
            minimal_service(3, structure_id="test-import--structure-min-2"),
            minimal_service(4, structure_id="ailleurs--inconnue"),
            minimal_service(1),
        ],
        kind="services",
    )
    report = import_files(db_connection, structures=structures, services=services)

    assert report.written
    assert (report.structures.created, report.structures.rejected) == (1, 1)
    assert (report.services.created, report.services.rejected) == (1, 4)
    lines = sorted(str(problem) for problem in report.rejections)
    assert lines == [
        "services.csv, ligne 3, id « test-import--service-min-2 », champ « thematiques » : "
        "valeur inconnue du référentiel : « inconnue »",
        "services.csv, ligne 4, id « test-import--service-min-3 », champ « structure_id » : "
        "structure « test-import--structure-min-2 » inconnue (rejetée dans le fichier des "
        "structures)",
        "services.csv, ligne 5, id « test-import--service-min-4 », champ « structure_id » : "
        "structure « ailleurs--inconnue » inconnue (ni dans la base ni dans le fichier des "
        "structures)",
        "services.csv, ligne 6, id « test-import--service-min-1 », champ « id » : "
        "identifiant en double (déjà présent ligne 2)",
        "structures.json, ligne 8, id « test-import--structure-min-2 », champ « nom » : "
        "doit contenir au moins 3 caractère(s)",
    ]


def test_services_may_point_to_structures_already_in_the_database(
    db_connection, files, make_structure
):
    make_structure(id="existante--1")
    report = import_files(
        db_connection,
        services=files.json("s.json", [minimal_service(1, structure_id="existante--1")]),
    )
    assert report.services.created == 1 and report.rejections == []


def test_strict_mode_writes_nothing_when_a_record_is_invalid(db_connection, files, signals):
    structures = files.json("structures.json", [minimal_structure(1)])
    services = files.json("services.json", [minimal_service(1), minimal_service(2, nom="")])
    report = import_files(db_connection, structures=structures, services=services, strict=True)
    assert not report.written and report.rejected == 1
    assert (
        db_connection.execute(
            text("SELECT count(*) FROM structure WHERE id LIKE 'test-import--%'")
        ).scalar_one()
        == 0
    )
    assert signals == []


def test_a_failure_mid_import_leaves_the_database_as_it_was(db_connection, files):
    """Structures are written, then the services upsert fails on a database constraint: the
    caller's rollback takes the structures away too."""
    db_connection.execute(
        text("ALTER TABLE service ADD CONSTRAINT test_boum CHECK (nom <> 'Service boum')")
    )
    structures = files.json("structures.json", [minimal_structure(1), minimal_structure(2)])
    services = files.json(
        "services.json", [minimal_service(1), minimal_service(2, nom="Service boum")]
    )
    savepoint = db_connection.begin_nested()
    with pytest.raises(sa.exc.IntegrityError):
        import_files(db_connection, structures=structures, services=services)
    savepoint.rollback()
    assert (
        db_connection.execute(
            text("SELECT count(*) FROM structure WHERE id LIKE 'test-import--%'")
        ).scalar_one()
        == 0
    )


def test_imported_rows_load_as_catalogue_objects(db_session, files):
    structures = files.json("structures.json", [full_structure(1)])
    services = files.json("services.json", [full_service(1)])
    import_files(db_session.connection(), structures=structures, services=services)
    service = db_session.get(Service, "test-import--service-1")
    assert service is not None and service.is_public()
    assert service.structure == db_session.get(Structure, "test-import--structure-1")


def test_web_addresses_are_stored_as_valid_uris(db_connection, files):
    """Kept as sent when they are URIs; a quote, a space or an accent percent-encoded, so
    that /api/v1/structures never emits a `site_web` that breaks its `format: uri`."""
    structures = files.json(
        "structures.json",
        [
            full_structure(1, site_web='https://exemple.fr/a"b c/é'),
            full_structure(2, site_web="https://exemple.fr/x?y=1&z=%20"),
        ],
    )
    report = import_files(db_connection, structures=structures)
    assert not report.rejected
    first = _row(db_connection, "structure", full_structure(1)["id"])
    second = _row(db_connection, "structure", full_structure(2)["id"])
    assert first["site_web"] == "https://exemple.fr/a%22b%20c/%C3%A9"
    assert second["site_web"] == "https://exemple.fr/x?y=1&z=%20"

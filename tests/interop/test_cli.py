"""`dora import data-inclusion` and `dora export data-inclusion` through click's CliRunner."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from dora.interop.cli import command, export_command

from .samples import full_service, full_structure, minimal_service, minimal_structure


@pytest.fixture
def run(app, db_session):
    runner = app.test_cli_runner()

    def invoke(*args: str, group=command):
        return runner.invoke(group, ["data-inclusion", *map(str, args)])

    return invoke


def _count(db_session, pattern: str = "test-import--%") -> tuple[int, int]:
    connection = db_session.connection()
    structures = connection.execute(
        text("SELECT count(*) FROM structure WHERE id LIKE :p"), {"p": pattern}
    ).scalar_one()
    services = connection.execute(
        text("SELECT count(*) FROM service WHERE id LIKE :p"), {"p": pattern}
    ).scalar_one()
    return structures, services


@pytest.mark.parametrize("writer", ["json", "jsonl", "csv"])
def test_import_each_format(run, files, db_session, writer):
    if writer == "csv":
        structures = files.csv("structures.csv", [full_structure(1)], kind="structures")
        services = files.csv("services.csv", [full_service(1), full_service(2)], kind="services")
    else:
        write = getattr(files, writer)
        structures = write(f"structures.{writer}", [full_structure(1)])
        services = write(f"services.{writer}", [full_service(1), full_service(2)])
    result = run("--structures", structures, "--services", services)
    assert result.exit_code == 0, result.output
    assert f"Services (services.{writer}) — lus : 2 · créés : 2" in result.stdout
    assert _count(db_session) == (1, 2)

    again = run("--structures", structures, "--services", services)
    assert again.exit_code == 0
    assert "inchangés : 2" in again.stdout
    assert _count(db_session) == (1, 2)


def test_rejections_are_listed_and_exit_status_is_1(run, files, db_session):
    structures = files.json("structures.json", [minimal_structure(1)])
    services = files.csv(
        "services.csv",
        [minimal_service(1), minimal_service(2, code_insee="00000")],
        kind="services",
    )
    result = run("--structures", structures, "--services", services)
    assert result.exit_code == 1
    assert (
        "REJET  services.csv, ligne 3, id « test-import--service-min-2 », champ « code_insee » : "
        "code commune inconnu : « 00000 »"
    ) in result.stderr
    assert "1 enregistrement rejeté(s)" in result.stderr
    assert _count(db_session) == (1, 1)


def test_warnings_do_not_change_the_exit_status(run, files):
    services_file = files.jsonl("services.jsonl", [minimal_service(1, nom="Atelier CV.")])
    structures = files.json("structures.json", [minimal_structure(1)])
    result = run("--structures", structures, "--services", services_file)
    assert result.exit_code == 0
    assert "AVERTISSEMENT  services.jsonl, ligne 1" in result.stderr
    assert "1 avertissement (voir ci-dessus)." in result.stdout


def test_strict_writes_nothing(run, files, db_session):
    structures = files.json("structures.json", [minimal_structure(1)])
    services = files.json("services.json", [minimal_service(1), minimal_service(2, nom="")])
    result = run("--structures", structures, "--services", services, "--strict")
    assert result.exit_code == 1
    assert "Mode strict : 1 enregistrement invalide(s), aucune donnée n’a été écrite." in (
        result.stderr
    )
    assert _count(db_session) == (0, 0)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("services.json", '[{"id": "a"}', "services.json : JSON invalide"),
        ("services.jsonl", "", "services.jsonl : le fichier est vide."),
        ("services.csv", "nom,adresse\nx,y\n", "services.csv : en-tête CSV invalide"),
        ("services.csv", b"source,id\n\xff\xfe\n", "services.csv : le fichier n’est pas encodé"),
        # Nested beyond Python's recursion limit (it was a RecursionError, exit 3).
        ("services.json", "[" * 100_000 + "]" * 100_000, "imbriquées trop profondément"),
        ("services.jsonl", '{"a": ' + "[" * 100_000 + "]" * 100_000 + "}", "trop profondément"),
    ],
)
def test_unusable_services_file_writes_nothing_exit_2(
    run, files, db_session, name, content, message
):
    structures = files.json("structures.json", [minimal_structure(1)])
    result = run("--structures", structures, "--services", files.raw(name, content))
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Aucune donnée n’a été écrite." in result.stderr
    # The structures file was fine, but nothing of it was written either.
    assert _count(db_session) == (0, 0)


def test_services_given_as_structures_are_refused(run, files, db_session):
    services = files.csv("services.csv", [minimal_service(1)], kind="services")
    result = run("--structures", services)
    assert result.exit_code == 2
    assert "services.csv : ce fichier contient des services" in result.stderr
    assert _count(db_session) == (0, 0)


def test_record_without_id_is_reported_as_such(run, files):
    record = minimal_structure(1)
    del record["id"]
    result = run("--structures", files.jsonl("structures.jsonl", [record]))
    assert result.exit_code == 1
    assert (
        "REJET  structures.jsonl, ligne 1, id absent, champ « id » : champ obligatoire manquant"
    ) in result.stderr


def test_missing_file_exit_2(run, tmp_path):
    result = run("--services", tmp_path / "absent.csv")
    assert result.exit_code == 2
    assert "absent.csv : fichier introuvable." in result.stderr


def test_no_file_given_is_a_usage_error(run):
    result = run()
    assert result.exit_code == 2
    assert "Indiquez --structures FICHIER et/ou --services FICHIER." in result.output


def test_database_failure_mid_import_rolls_everything_back_exit_3(run, files, db_session):
    db_session.execute(
        text("ALTER TABLE service ADD CONSTRAINT test_boum CHECK (nom <> 'Service boum')")
    )
    db_session.commit()  # releases the test's savepoint only: the outer transaction goes on
    structures = files.json("structures.json", [minimal_structure(1), minimal_structure(2)])
    services = files.json(
        "services.json", [minimal_service(1), minimal_service(2, nom="Service boum")]
    )
    result = run("--structures", structures, "--services", services)
    assert result.exit_code == 3
    assert "L’import a été annulé : aucune donnée n’a été écrite." in result.stderr
    assert "test_boum" in result.stderr
    assert _count(db_session) == (0, 0)


def test_failure_inside_copy_rolls_everything_back_exit_3(run, files, db_session, monkeypatch):
    """COPY runs on the driver connection: its errors are psycopg's, not SQLAlchemy's."""
    from dora.interop import operations

    original = operations._row

    def corrupt_services(item, fields):
        row = original(item, fields)
        if "structure_id" in item.values:
            return tuple(
                "pas un nombre" if name == "longitude" else value
                for name, value in zip([*fields, "p", "x", "y"], row, strict=True)
            )
        return row

    monkeypatch.setattr(operations, "_row", corrupt_services)
    structures = files.json("structures.json", [minimal_structure(1)])
    services = files.json("services.json", [minimal_service(1)])
    result = run("--structures", structures, "--services", services)
    assert result.exit_code == 3
    assert "Erreur de la base de données pendant l’import" in result.stderr
    assert _count(db_session) == (0, 0)


def test_export_writes_json_lines_that_import_again(run, files, tmp_path, db_session):
    structures = files.json("structures.json", [full_structure(1), minimal_structure(1)])
    services = files.json("services.json", [full_service(1), minimal_service(1)])
    assert run("--structures", structures, "--services", services).exit_code == 0

    out_structures, out_services = (
        tmp_path / "out-structures.jsonl",
        tmp_path / "out-services.jsonl",
    )
    result = run("--structures", out_structures, "--services", out_services, group=export_command)
    assert result.exit_code == 0, result.output
    exported = {
        record["id"]: record
        for record in map(json.loads, out_services.read_text("utf-8").splitlines())
    }
    assert {"test-import--service-1", "test-import--service-min-1"} <= set(exported)
    assert exported["test-import--service-1"]["nom"] == full_service(1)["nom"]

    again = run("--structures", out_structures, "--services", out_services)
    assert again.exit_code == 0, again.output
    assert "créés : 0" in again.stdout and "mis à jour : 0" in again.stdout

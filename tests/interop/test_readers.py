"""Reading files: formats, positions for the report, CSV conventions, unusable files."""

from __future__ import annotations

import pytest

from dora.interop.readers import FileProblem, parse_list_cell, read_records

from .samples import full_service, minimal_service


def test_json_array_records_know_their_starting_line(files):
    path = files.json("services.json", [minimal_service(1), minimal_service(2)])
    result = read_records(path, "services")
    assert result.format == "json"
    assert [record.data["id"] for record in result.records] == [
        "test-import--service-min-1",
        "test-import--service-min-2",
    ]
    # indent=2: "[" on line 1, each record spans 8 lines.
    assert [record.line for record in result.records] == [2, 10]
    assert [record.position for record in result.records] == [1, 2]


def test_json_lines_by_extension_or_content(files):
    records = [minimal_service(1), minimal_service(2)]
    for name in ("services.jsonl", "services.ndjson", "services.json", "services.txt"):
        result = read_records(files.jsonl(name, records), "services")
        assert result.format == "jsonl", name
        assert [record.line for record in result.records] == [1, 2]


def test_blank_lines_of_json_lines_are_skipped_but_counted(files):
    path = files.raw("s.jsonl", '{"id": "a"}\n\n{"id": "b"}\n')
    assert [record.line for record in read_records(path, "services").records] == [1, 3]


def test_api_envelope_is_read_as_its_items(files):
    path = files.raw(
        "export.json", '{"total": 2, "page": 1, "size": 100,\n "items": [{"id": "a"}, {"id": "b"}]}'
    )
    result = read_records(path, "services")
    assert [record.data["id"] for record in result.records] == ["a", "b"]


def test_csv_lists_accept_json_postgres_and_comma_forms(files):
    text = (
        "source;structure_id;id;nom;description;date_maj;thematiques;publics;zone_eligibilite;"
        "longitude;latitude\n"
        's;st;a;Nom;Description;2024-01-01;["famille--garde-denfants","sante--addictions"];'
        "{femmes,jeunes};93, 94;2,35;48,9\n"
        "s;st;b;Nom;Description;2024-01-01;[];;;;\n"
    )
    result = read_records(files.raw("services.csv", text), "services")
    first, second = (record.data for record in result.records)
    assert first["thematiques"] == ["famille--garde-denfants", "sante--addictions"]
    assert first["publics"] == ["femmes", "jeunes"]
    assert first["zone_eligibilite"] == ["93", "94"]
    assert (first["longitude"], first["latitude"]) == ("2.35", "48.9")
    assert second["thematiques"] == []  # an explicit empty list
    assert second["publics"] is None  # an empty cell is null
    assert [record.line for record in result.records] == [2, 3]


def test_csv_row_numbers_follow_multiline_cells(files):
    path = files.csv(
        "services.csv",
        [
            minimal_service(1, description="Première ligne\nseconde ligne\ntroisième"),
            minimal_service(2),
        ],
        kind="services",
    )
    assert [record.line for record in read_records(path, "services").records] == [2, 5]


def test_csv_unknown_columns_are_listed(files):
    path = files.raw(
        "structures.csv", "source,id,nom,date_maj,code_insse\ns,a,Nom,2024-01-01,93066\n"
    )
    result = read_records(path, "structures")
    assert result.unknown_fields == ["code_insse"]
    assert "code_insse" not in result.records[0].data


def test_csv_row_of_the_wrong_width_is_flagged_on_the_record(files):
    path = files.raw("structures.csv", "source,id,nom,date_maj\ns,a,Nom\n")
    (record,) = read_records(path, "structures").records
    assert record.error is not None and "3 cellule(s) au lieu de 4" in record.error
    assert record.data["id"] == "a"


def test_json_unknown_keys_are_listed(files):
    path = files.jsonl("services.jsonl", [full_service(1, score_qualite=0.8)])
    assert read_records(path, "services").unknown_fields == ["score_qualite"]


def test_parse_list_cell_returns_bad_json_as_is_for_validation_to_report():
    assert parse_list_cell('["a", ') == '["a",'
    assert parse_list_cell(" a , b ,") == ["a", "b"]


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("vide.json", "", "le fichier est vide"),
        ("blancs.csv", "  \n\n", "le fichier est vide"),
        ("tableau-vide.json", "[]", "aucun enregistrement"),
        ("entete-seule.csv", "source,id,nom,date_maj\n", "aucun enregistrement"),
        ("casse.json", '[{"id": "a"},\n {"id": }]', "JSON invalide ligne 2"),
        ("ouvert.json", '[{"id": "a"}', "n’est pas fermé"),
        ("virgule.json", '[{"id": "a"} {"id": "b"}]', "`,` ou `]` attendu"),
        ("suite.json", '[{"id": "a"}] x', "contenu après la fin"),
        ("lignes.jsonl", '{"id": "a"}\n{"id": \n', "JSON invalide ligne 2"),
        ("scalaire.json", "42", "un tableau `[...]` ou un objet par ligne attendu"),
        (
            "latin1.csv",
            "source,id,nom,date_maj\ns,a,Cr\xe8che,2024-01-01\n".encode("latin-1"),
            "pas encodé en UTF-8 (octet invalide ligne 2)",
        ),
        ("entete.csv", "nom;prénom\nMartin;Camille\n", "colonne(s) obligatoire(s) manquante(s)"),
        ("doublon.csv", "source,id,id,nom,date_maj\n", "colonne(s) en double : id"),
    ],
)
def test_unusable_files_raise_a_clear_french_message(files, name, content, expected):
    path = files.raw(name, content)
    with pytest.raises(FileProblem) as caught:
        read_records(path, "structures")
    assert expected in str(caught.value)
    assert str(caught.value).startswith(name)


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(FileProblem, match="fichier introuvable"):
        read_records(tmp_path / "absent.json", "services")
    with pytest.raises(FileProblem, match="dossier"):
        read_records(tmp_path, "services")


def test_byte_order_mark_is_accepted(files):
    path = files.raw("structures.csv", "\ufeffsource,id,nom,date_maj\ns,a,Nom,2024-01-01\n")
    assert read_records(path, "structures").records[0].data["source"] == "s"


def test_json_lines_keep_unicode_line_separators_inside_strings(files):
    path = files.jsonl(
        "s.jsonl", [minimal_service(1, description="Avant\u2028après"), minimal_service(2)]
    )
    result = read_records(path, "services")
    assert [record.line for record in result.records] == [1, 2]
    assert result.records[0].data["description"] == "Avant\u2028après"


def test_spreadsheet_csv_with_bom_semicolons_and_crlf(files):
    text = (
        "\ufeffsource;id;nom;date_maj;description\r\n"
        's;a;Nom;2024-01-01;"Sur deux\r\nlignes"\r\n'
        "s;b;Autre;2024-01-02;\r\n"
    )
    path = files.raw("structures.csv", text.encode("utf-8"))
    records = read_records(path, "structures").records
    assert [record.data["id"] for record in records] == ["a", "b"]
    assert records[0].data["description"] == "Sur deux\r\nlignes"
    assert [record.line for record in records] == [2, 4]

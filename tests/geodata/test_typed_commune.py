"""One resolver for a commune typed by a person (geodata.resolve.resolve_typed_commune), used by
the search page, territory pages, widget builder, service and structure editors and the
orientation form."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import sqlalchemy as sa

from geodata import resolve

ROOT = Path(__file__).resolve().parents[2]


def typed(connection, value, **kwargs) -> resolve.TypedCommune:
    return resolve.resolve_typed_commune(connection, value, **kwargs)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("Saint-Denis-en-Val", "45274"),  # an exact name, not one of the Saint-Denis
        ("saint denis en val", "45274"),
        ("Saint-Denis (93)", "93066"),  # a suggestion's label: name and département
        ("Saint-Denis (974)", "97411"),
        ("Saint-Denis (93200)", "93066"),  # or name and postal code
        ("Montreuil (93)", "93048"),
        ("Ajaccio (2A)", "2A004"),
        ("93066", "93066"),  # INSEE code
        ("75110", "75056"),  # an arrondissement's INSEE code: its commune
        ("93200", "93066"),  # postal code of a single commune
        ("Paris", "75056"),  # exact name beats Parisot, Cormeilles-en-Parisis…
        ("Lyon", "69123"),
        ("  ST-DENIS-EN-VAL ", "45274"),
    ],
)
def test_what_can_be_told_is_resolved(db_connection: sa.Connection, value: str, code: str):
    resolved = typed(db_connection, value)
    assert resolved.commune is not None, resolved.message
    assert resolved.commune.code == code
    assert resolved.message is None


def test_homonyms_are_offered_with_their_departement(db_connection: sa.Connection):
    resolved = typed(db_connection, "Saint-Denis")
    assert resolved.commune is None
    # Only the exact homonyms: Saint-Denis-en-Val is not « Saint-Denis ».
    assert {c.nom for c in resolved.choices} == {"Saint-Denis"}
    assert {"93066", "97411"} <= {c.code for c in resolved.choices}
    assert "Saint-Denis (93)" in resolved.message and "Saint-Denis (974)" in resolved.message
    assert "code postal" in resolved.message
    assert resolved.likeliest == resolved.choices[0]


def test_the_preferred_territory_settles_homonyms(db_connection: sa.Connection):
    resolved = typed(db_connection, "Saint-Denis", prefer={"93066", "93001"})
    assert resolved.commune.code == "93066"
    resolved = typed(db_connection, "Saint-Denis", prefer={"97411"})
    assert resolved.commune.code == "97411"
    # Nothing of the territory among them: still a choice, the territory's first.
    assert typed(db_connection, "Saint-Denis", prefer={"75056"}).commune is None


def test_a_postal_code_settles_homonyms(db_connection: sa.Connection):
    resolved = typed(db_connection, "Saint-Denis", code_postal="93200")
    assert resolved.commune.code == "93066"
    resolved = typed(db_connection, "Paris 10e", code_postal="75010")  # what addresses say
    assert resolved.commune.code == "75056"


def test_a_picked_insee_code_wins_while_the_name_still_names_it(db_connection: sa.Connection):
    assert typed(db_connection, "Saint-Denis", code_insee="97411").commune.code == "97411"
    assert typed(db_connection, "Saint-Denis (974)", code_insee="97411").commune.code == "97411"
    # The name was changed after picking: the name is resolved, not the stale code.
    assert typed(db_connection, "Lyon", code_insee="97411").commune.code == "69123"


def test_a_single_name_starting_with_what_was_typed_is_taken(db_connection: sa.Connection):
    assert typed(db_connection, "Saint-Denis-en-V").commune.code == "45274"


def test_several_names_starting_alike_are_offered(db_connection: sa.Connection):
    resolved = typed(db_connection, "Saint-Denis-de")
    assert resolved.commune is None and len(resolved.choices) > 1
    assert all(c.nom.startswith("Saint-Denis-de") for c in resolved.choices)
    assert "Plusieurs communes correspondent à « Saint-Denis-de »" in resolved.message


def test_a_code_shared_by_several_communes_is_a_choice(db_connection: sa.Connection):
    resolved = typed(db_connection, "01400")  # a postal code of several communes
    assert resolved.commune is None and len(resolved.choices) > 1
    assert "Indiquez le nom de la commune" in resolved.message
    # 13001: INSEE code of Aix-en-Provence and postal code of Marseille 1er.
    resolved = typed(db_connection, "13001")
    assert {c.code for c in resolved.choices} == {"13001", "13055"}


def test_typos_are_guessed_not_taken(db_connection: sa.Connection):
    resolved = typed(db_connection, "Marseile")
    assert resolved.commune is None and resolved.guessed
    assert resolved.likeliest.code == "13055"
    assert resolved.message.startswith("Commune introuvable : « Marseile ». Vouliez-vous dire")


@pytest.mark.parametrize(
    ("value", "kwargs", "message"),
    [
        ("Qqqqqqqqqqqq", {}, "Commune introuvable : « Qqqqqqqqqqqq »."),
        ("", {}, "Indiquez la commune."),
        ("   ", {}, "Indiquez la commune."),
        ("", {"code_postal": "00000"}, "Aucune commune n’a le code postal 00000."),
        ("", {"code_postal": "932"}, "Le code postal compte 5 chiffres"),
        ("00000", {}, "Aucune commune n’a le code « 00000 »."),
        ("Saint-Denis (99)", {}, "Commune introuvable : « Saint-Denis »."),
    ],
)
def test_what_cannot_be_told_says_why_in_french(db_connection, value, kwargs, message):
    resolved = typed(db_connection, value, **kwargs)
    assert resolved.commune is None
    assert resolved.message.startswith(message)


def test_labels_never_repeat(db_connection: sa.Connection):
    for name in ("Saint-Denis", "Beaulieu", "Sainte-Marie", "Montreuil"):
        communes = resolve.search_communes(db_connection, name, limit=20)
        labels = resolve.commune_labels(communes)
        assert len(set(labels)) == len(labels), labels
    # And each label resolves back to its commune.
    communes = resolve.search_communes(db_connection, "Saint-Denis", limit=8)
    for commune, label in zip(communes, resolve.commune_labels(communes), strict=True):
        assert typed(db_connection, label).commune == commune, label


def test_no_other_module_resolves_typed_communes_by_hand():
    """search_communes / communes_for_postal_code are the autocomplete's and the resolver's
    look-ups: a view or form that picks a commune from them re-implements the resolver."""
    allowed = {
        ROOT / "geodata" / "resolve.py",
        ROOT / "dora" / "territories" / "views.py",  # the autocomplete API itself
        ROOT / "dora" / "maps" / "territory.py",  # territory autocomplete (all kinds)
        ROOT / "dora" / "publishing" / "queries.py",  # zone d'éligibilité autocomplete
    }
    offenders = []
    for path in [*(ROOT / "dora").rglob("*.py"), *(ROOT / "geodata").rglob("*.py")]:
        if path in allowed:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and node.attr in (
                "search_communes",
                "communes_for_postal_code",
            ):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.attr}")
    assert offenders == []

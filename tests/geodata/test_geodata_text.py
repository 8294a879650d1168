"""normalise_name: the one comparison form used at build, load and query time."""

from __future__ import annotations

import pytest

from geodata.text import normalise_name


@pytest.mark.parametrize(
    "value", ["saint denis", "ST-DENIS", "Saint-Denis", "st denis", " St  Denis "]
)
def test_saint_denis_spellings_agree(value: str) -> None:
    assert normalise_name(value) == "saint denis"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("L'Haÿ-les-Roses", "l hay les roses"),
        ("Ste-Foy-lès-Lyon", "sainte foy les lyon"),
        ("Saint-Étienne", "saint etienne"),
        ("Œuilly", "oeuilly"),
        ("Châlons-en-Champagne", "chalons en champagne"),
        ("Bourg-en-Bresse (01)", "bourg en bresse 01"),
        ("L’Île-d’Yeu", "l ile d yeu"),
        ("Paris 10e Arrondissement", "paris 10e arrondissement"),
    ],
)
def test_accents_punctuation_and_abbreviations(value: str, expected: str) -> None:
    assert normalise_name(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("Stenay", "stenay"), ("Estaires", "estaires"), ("Saint-Stail", "saint stail")],
)
def test_st_is_expanded_only_as_a_whole_word(value: str, expected: str) -> None:
    assert normalise_name(value) == expected


@pytest.mark.parametrize("value", ["", "   ", "--", None])
def test_empty_inputs(value: str | None) -> None:
    assert normalise_name(value) == ""

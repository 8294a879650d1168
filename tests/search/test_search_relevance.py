"""Relevance a professional can trust (issue 10): a match in a name, a thématique label or a
sub-thème ranks above a description-only match, in SQL and in the accelerator; words that
name a thématique offer its filter. Accents, plurals and one typo per word keep working."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text

from dora.search import accel, facets
from dora.search import text as text_module
from dora.search.backends.postgres import merge_streams
from dora.search.query import SearchQuery, resolve_place

CV = "preparer-sa-candidature--realiser-un-cv-et-ou-une-lettre-de-motivation"
VEHICULE = "mobilite--acceder-a-un-vehicule"
SPELLINGS = ("mobilité", "Mobilites", "mobilitee", "MOBILITÉS")


@pytest.fixture
def near_saint_denis(place_service):
    """CV workshops right in Saint-Denis whose descriptions mention « personnes à mobilité
    réduite », and Mobilité services a few kilometres away (names without the word)."""
    cv = [
        place_service(
            "93066",
            nom=f"Atelier CV {i}",
            thematiques=[CV],
            description="Accessible aux personnes à mobilité réduite.",
        )
        for i in range(3)
    ]
    mobilite = [
        place_service("93001", nom="Garage solidaire", thematiques=[VEHICULE]),  # 3.4 km
        place_service("77288", nom="Auto-école sociale", thematiques=[VEHICULE]),  # 46 km
    ]
    remote_cv = place_service(
        "93066",
        nom="CV en ligne",
        thematiques=[CV],
        modes_accueil=["a-distance"],
        description="Pour les personnes à mobilité réduite.",
        point=None,
    )
    remote_mobilite = place_service(
        "93066",
        nom="Plateforme permis",
        thematiques=[VEHICULE],
        modes_accueil=["a-distance"],
        point=None,
        date_maj=date(2024, 1, 1),  # older: relevance first, then freshness
    )
    return cv, mobilite, remote_cv, remote_mobilite


def _accel_names(db_session, query: SearchQuery) -> list[str]:
    index = accel.FacetIndex()
    index.load(db_session.connection())
    place = resolve_place(db_session, query)
    text_query = text_module.prepare(db_session, query.q)
    match = index.text_match(text_query)
    today = (date.today() - date(1970, 1, 1)).days
    _, rows = index.page(query, place, facets.keys(db_session), today, match)
    ords = [hit.service_id for hit in merge_streams(rows, query.offset, query.size)]
    names = dict(
        db_session.execute(
            text(
                "SELECT d.ord, s.nom FROM search_document AS d"
                " JOIN service AS s ON s.id = d.service_id"
            )
        ).all()
    )
    return [names[o] for o in ords]


EXPECTED = [
    "Garage solidaire",  # on site, Mobilité thématique, 3.4 km
    "Auto-école sociale",  # on site, Mobilité, 46 km: still above the CV workshops at 0 km
    "Plateforme permis",  # the first remote slot: Mobilité before the fresher CV
    "Atelier CV 0",
    "Atelier CV 1",
    "Atelier CV 2",
    "CV en ligne",
]


@pytest.mark.parametrize("q", SPELLINGS)
def test_thematique_matches_rank_above_description_matches_in_sql(near_saint_denis, search, q):
    body = search(commune="93066", q=q)
    assert [item["nom"] for item in body["items"]] == EXPECTED
    assert body["total"] == 7


@pytest.mark.parametrize("q", SPELLINGS)
def test_thematique_matches_rank_above_description_matches_in_the_accelerator(
    near_saint_denis, db_session, q
):
    assert _accel_names(db_session, SearchQuery(commune="93066", q=q)) == EXPECTED


def test_nationwide_too(near_saint_denis, search, db_session):
    names = [item["nom"] for item in search(q="mobilité")["items"]]
    assert set(names[:3]) == {"Garage solidaire", "Auto-école sociale", "Plateforme permis"}
    assert all("CV" in name for name in names[3:]) and len(names) == 7
    assert _accel_names(db_session, SearchQuery(q="mobilité")) == names


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("mobilité", {"value": "mobilite", "label": "Mobilité"}),
        ("Mobilites", {"value": "mobilite", "label": "Mobilité"}),
        ("mobilitee", {"value": "mobilite", "label": "Mobilité"}),
        ("garage", None),
        ("mobilité garage", None),
    ],
)
def test_the_api_suggests_the_thematique_the_words_name(near_saint_denis, search, q, expected):
    assert search(commune="93066", q=q)["suggested_thematique"] == expected


def test_no_suggestion_when_the_filter_is_already_applied(near_saint_denis, search):
    body = search(commune="93066", q="mobilité", thematiques="mobilite")
    assert body["suggested_thematique"] is None


def test_words_naming_several_thematiques_suggest_none():
    words = (text_module.Word(typed="difficultes", searched=True, found=True),)
    assert text_module.named_thematique(text_module.TextQuery(words=words)) is None
    words = (text_module.Word(typed="logements", searched=True, found=True),)
    assert text_module.named_thematique(text_module.TextQuery(words=words)) == (
        "logement-hebergement",
        "Logement et hébergement",
    )


def test_the_search_page_offers_the_thematique_filter(near_saint_denis, client):
    html = client.get("/recherche", query_string={"commune": "93066", "q": "mobilité"}).get_data(
        as_text=True
    )
    assert "Rechercher la thématique" in html
    link = html.split('Rechercher la thématique <a href="', 1)[1].split('"', 1)[0]
    assert "thematiques=mobilite" in link and "q=" not in link
    assert ">Mobilité</a> ?" in html
    followed = client.get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert "Garage solidaire" in followed and "Atelier CV" not in followed
    assert "Rechercher la thématique" not in followed

"""GET /api/v1/search: the domain rules of DESIGN.md, as a user of the API sees them."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from dora.core import opening_week


def test_response_shape(place_service, search):
    service = place_service(nom="Garage solidaire", frais="gratuit", type="accompagnement")
    body = search(commune="93066")
    assert set(body) == {
        "total",
        "page",
        "size",
        "backend",
        "items",
        "facets",
        "suggestion",
        "suggested_thematique",
    }
    assert body["suggested_thematique"] is None
    assert body["backend"] == "postgres"
    assert (body["total"], body["page"], body["size"]) == (1, 1, 20)
    assert body["suggestion"] is None
    assert set(body["facets"]) == {"thematiques", "publics", "frais", "modes_accueil", "types"}
    [item] = body["items"]
    assert item["id"] == service.id
    assert item["nom"] == "Garage solidaire"
    assert item["structure"] == {"id": service.structure_id, "nom": "Structure de test"}
    assert item["distance_m"] == 0
    assert item["lieu_non_precise"] is False
    # data·inclusion v1 shape: every field of the schema is present.
    for field in ("source", "structure_id", "thematiques", "zone_eligibilite", "date_maj"):
        assert field in item
    assert item["date_maj"] == date.today().isoformat()


# Eligibility --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "eligible_in", "not_eligible_in"),
    [
        (["93066"], ["93066"], ["93001"]),  # commune
        (["200054781"], ["93066", "93001", "75056"], ["77288"]),  # EPCI
        (["93"], ["93066", "93001"], ["75056"]),  # département
        # A two-digit code is a département, never a région (bug: 11 was Île-de-France too,
        # 93 PACA too, so a Seine-Saint-Denis service was offered in Marseille).
        (["11"], ["11069"], ["93066", "77288"]),  # Aude, not Île-de-France
        (["93"], ["93066"], ["13055", "13201"]),  # Seine-Saint-Denis, not PACA
        (["75"], ["75056", "75110"], ["86194", "33063"]),  # Paris, not Nouvelle-Aquitaine
        (["france"], ["93066", "69123"], []),
        (["99100"], ["93066", "69123"], []),
        (None, ["93066", "69123"], []),  # empty zone: everybody
        ([], ["93066", "69123"], []),
    ],
)
def test_eligibility_at_each_level(place_service, search, zone, eligible_in, not_eligible_in, ids):
    service = place_service(modes_accueil=["a-distance"], zone_eligibilite=zone, point=None)
    for commune in eligible_in:
        assert ids(search(commune=commune)) == [service.id], commune
    for commune in not_eligible_in:
        assert ids(search(commune=commune)) == [], commune


def test_an_arrondissement_searches_as_its_commune(place_service, search, ids):
    paris = place_service("75056", modes_accueil=["a-distance"], zone_eligibilite=["75056"])
    body = search(commune="75110")
    assert ids(body) == [paris.id]
    # On-site distances are measured from the arrondissement's own point.
    near = place_service("75110", zone_eligibilite=["75"])
    body = search(commune="75110", a_distance="non")
    assert ids(body) == [near.id]
    assert body["items"][0]["distance_m"] == 0


def test_zone_naming_an_arrondissement_is_eligible_there(place_service, search, ids):
    service = place_service("75110", zone_eligibilite=["75110"])
    assert ids(search(commune="75110")) == [service.id]
    assert ids(search(commune="75056")) == []


def test_lat_lon_use_the_eligibility_of_the_nearest_commune(place_service, search, ids, points):
    service = place_service(zone_eligibilite=["93066"])
    lon, lat = points["93066"]
    body = search(lat=lat + 0.001, lon=lon)
    assert ids(body) == [service.id]
    assert 100 <= body["items"][0]["distance_m"] <= 120
    lon, lat = points["93001"]
    assert ids(search(lat=lat, lon=lon)) == []  # Aubervilliers is not in the zone


# On site and remote -------------------------------------------------------------------------


def test_on_site_services_are_capped_by_the_radius(place_service, search, ids):
    melun = place_service("77288", zone_eligibilite=["77", "93"])  # ~46 km from Saint-Denis
    near = place_service("93001", zone_eligibilite=["77", "93"])  # ~3.4 km
    assert ids(search(commune="93066")) == [near.id, melun.id]
    assert ids(search(commune="93066", rayon_km=40)) == [near.id]
    body = search(commune="93066", rayon_km=5)
    assert ids(body) == [near.id]
    assert 3000 < body["items"][0]["distance_m"] < 4000


def test_results_are_sorted_by_distance(place_service, search, ids):
    far = place_service("75056", zone_eligibilite=None)
    near = place_service("93001", zone_eligibilite=None)
    here = place_service("93066", zone_eligibilite=None)
    body = search(commune="93066")
    assert ids(body) == [here.id, near.id, far.id]
    distances = [item["distance_m"] for item in body["items"]]
    assert distances == sorted(distances)


def test_remote_services_are_shown_when_eligible_wherever_they_are(place_service, search, ids):
    lyon_remote = place_service("69123", modes_accueil=["a-distance"], zone_eligibilite=None)
    lyon_on_site = place_service("69123", zone_eligibilite=None)
    body = search(commune="93066")
    assert ids(body) == [lyon_remote.id]
    assert body["items"][0]["distance_m"] is None
    assert lyon_on_site.id in ids(search(commune="69123"))
    # Remote services can be left out.
    assert ids(search(commune="93066", a_distance="non")) == []


def test_hybrid_service_counts_once(place_service, search, ids):
    hybrid = place_service(modes_accueil=["a-distance", "en-presentiel"], zone_eligibilite=None)
    body = search(commune="93001")
    assert ids(body) == [hybrid.id]
    assert body["total"] == 1
    assert body["items"][0]["distance_m"] > 0  # within the radius: on site, with its distance


def test_remote_services_are_not_buried_behind_on_site_ones(place_service, search, ids):
    on_site = [place_service("93066", nom=f"Sur place {i}") for i in range(25)]
    remote = place_service("69123", modes_accueil=["a-distance"], nom="À distance")
    body = search(commune="93066")
    assert body["total"] == 26
    first_page = ids(body)
    assert remote.id in first_page
    assert first_page.index(remote.id) == 2  # third result: visible without scrolling
    assert len({*first_page} & {s.id for s in on_site}) == 19


def test_nationwide_search_without_place(place_service, search, ids):
    a = place_service("69123", nom="Atelier numérique")
    b = place_service("93066", nom="Atelier numérique")
    body = search(q="numérique")
    assert sorted(ids(body)) == sorted([a.id, b.id])
    assert all(item["distance_m"] is None for item in body["items"])


# Filters ------------------------------------------------------------------------------------


def test_a_category_means_all_its_sub_themes(place_service, search, ids):
    repair = place_service(thematiques=["mobilite--entretenir-reparer-son-vehicule"])
    licence = place_service(thematiques=["mobilite--preparer-un-permis"])
    other = place_service(thematiques=["numerique--acquerir-un-equipement"])
    assert sorted(ids(search(commune="93066", thematiques="mobilite"))) == sorted(
        [repair.id, licence.id]
    )
    assert ids(search(commune="93066", thematiques="mobilite--preparer-un-permis")) == [licence.id]
    # Repeatable or comma-separated: values of one filter are OR-ed.
    both = search(
        commune="93066", thematiques="numerique,mobilite--entretenir-reparer-son-vehicule"
    )
    assert sorted(ids(both)) == sorted([repair.id, other.id])


def test_a_public_also_matches_tous_publics(place_service, search, ids):
    everybody = place_service(publics=["tous-publics"])
    young = place_service(publics=["jeunes"])
    seniors = place_service(publics=["seniors"])
    assert sorted(ids(search(commune="93066", publics="jeunes"))) == sorted(
        [everybody.id, young.id]
    )
    assert ids(search(commune="93066", publics="tous-publics")) == [everybody.id]
    assert seniors.id not in ids(search(commune="93066", publics="jeunes"))


def test_frais_modes_and_types_filters(place_service, client, search, ids):
    free = place_service(frais="gratuit", type="atelier")
    paid = place_service(frais="payant", type="formation")
    remote = place_service(modes_accueil=["a-distance"], frais="gratuit", type="formation")
    assert sorted(ids(search(commune="93066", frais="gratuit"))) == sorted([free.id, remote.id])
    assert ids(search(commune="93066", frais="payant")) == [paid.id]
    assert ids(search(commune="93066", modes_accueil="a-distance")) == [remote.id]
    assert ids(search(commune="93066", types="formation", frais="gratuit")) == [remote.id]
    response = client.get("/api/v1/search?commune=93066&types=atelier&types=formation")
    assert len(response.get_json()["items"]) == 3


# Text ---------------------------------------------------------------------------------------


def test_accents_case_and_plurals_do_not_matter(place_service, search, ids):
    shelter = place_service(nom="Hébergement d’urgence")
    for q in ("hébergement", "hebergements", "HÉBERGEMENTS", "Hebergement"):
        assert ids(search(commune="93066", q=q)) == [shelter.id], q


def test_one_typo_per_word_is_tolerated(place_service, search, ids):
    service = place_service(nom="Plateforme mobilité")
    body = search(commune="93066", q="mobilitee")
    assert ids(body) == [service.id]
    assert body["suggestion"] == "mobilité"
    body = search(commune="93066", q="plateforme mobiltie")  # a swap is one typo
    assert ids(body) == [service.id]
    assert body["suggestion"] == "plateforme mobilité"
    # Two typos in a word: no match, but a suggestion.
    body = search(commune="93066", q="mobbilitee")
    assert ids(body) == []
    assert body["suggestion"] == "mobilité"


def test_no_suggestion_for_words_that_match(place_service, search):
    place_service(nom="Garage solidaire")
    assert search(q="garage")["suggestion"] is None
    assert search(q="zzzzzzzz")["suggestion"] is None  # nothing close either


def test_text_searches_names_labels_and_descriptions(place_service, search, ids):
    by_name = place_service(nom="Atelier CV", description="Rédiger son curriculum.")
    by_label = place_service(
        nom="Coup de pouce", thematiques=["famille--garde-denfants"], description="Aide."
    )
    by_description = place_service(nom="Permanence", description="Aide au permis de conduire.")
    assert ids(search(q="atelier")) == [by_name.id]
    assert ids(search(q="enfants")) == [by_label.id]
    assert ids(search(q="permis conduire")) == [by_description.id]
    assert ids(search(q="curriculum atelier")) == [by_name.id]  # every word must match


def test_names_rank_above_descriptions(place_service, search, ids):
    in_description = place_service(nom="Accueil", description="Un garage solidaire.")
    in_name = place_service(nom="Garage solidaire", description="Réparations.")
    assert ids(search(q="garage")) == [in_name.id, in_description.id]


def test_text_relevance_is_blended_with_proximity(place_service, search, ids):
    far_exact = place_service("77288", nom="Garage solidaire", zone_eligibilite=None)
    near_exact = place_service("93001", nom="Garage solidaire", zone_eligibilite=None)
    near_weak = place_service("93066", nom="Accueil", description="garage", zone_eligibilite=None)
    order = ids(search(commune="93066", q="garage"))
    assert order.index(near_exact.id) < order.index(far_exact.id)
    assert order.index(near_exact.id) < order.index(near_weak.id)


def test_tri_distance_puts_the_nearest_on_site_service_first_whatever_the_text(
    place_service, search, ids
):
    near_weak = place_service("93066", nom="Accueil", description="garage", zone_eligibilite=None)
    far_exact = place_service("77288", nom="Garage solidaire", zone_eligibilite=None)
    relevance = ids(search(commune="93066", q="garage"))
    assert relevance.index(far_exact.id) < relevance.index(near_weak.id)
    assert ids(search(commune="93066", q="garage", tri="pertinence")) == relevance
    assert ids(search(commune="93066", q="garage", tri="distance")) == [near_weak.id, far_exact.id]


def test_without_text_the_default_sort_is_distance(place_service, search, ids):
    far = place_service("77288", zone_eligibilite=None)
    near = place_service("93001", zone_eligibilite=None)
    assert ids(search(commune="93066")) == [near.id, far.id]
    assert ids(search(commune="93066", tri="distance")) == [near.id, far.id]
    # No text: relevance has nothing to weigh, the order stays by distance.
    assert ids(search(commune="93066", tri="pertinence")) == [near.id, far.id]


# « Ouvert le … » --------------------------------------------------------------------------


def _next(weekday: int, *, holiday: bool = False) -> date:
    """The next day (from tomorrow) on `weekday` that is, or is not, a public holiday."""
    day = date.today() + timedelta(days=1)
    while day.weekday() != weekday or opening_week.is_public_holiday(day) != holiday:
        day += timedelta(days=1)
    return day


def test_ouvert_le_keeps_services_open_that_day_and_moment(place_service, search, ids):
    weekdays = place_service(horaires_accueil="Mo-Fr 09:00-12:00; PH off")
    saturday = place_service(horaires_accueil="Sa 14:00-18:00")
    place_service(horaires_accueil=None)  # no hours: never « ouvert »
    place_service(horaires_accueil="sur rendez-vous")  # unreadable: never « ouvert »
    assert search(commune="93066")["total"] == 4
    monday, next_saturday = _next(0), _next(5)
    assert ids(search(commune="93066", ouvert_le=monday.isoformat())) == [weekdays.id]
    assert ids(search(commune="93066", ouvert_le=monday.isoformat(), moment="matin")) == [
        weekdays.id
    ]
    assert search(commune="93066", ouvert_le=monday.isoformat(), moment="apres-midi")["total"] == 0
    assert ids(search(ouvert_le=next_saturday.isoformat(), moment="apres-midi")) == [saturday.id]
    assert search(ouvert_le=next_saturday.isoformat(), moment="matin")["total"] == 0


def test_ouvert_le_a_public_holiday_respects_ph_off(place_service, search, ids):
    holiday = next(
        date.today() + timedelta(days=n)
        for n in range(1, 366)
        if opening_week.is_public_holiday(date.today() + timedelta(days=n))
        and (date.today() + timedelta(days=n)).weekday() < 5
    )
    every_day = "Mo-Su 09:00-18:00"
    open_on_holidays = place_service(horaires_accueil=every_day)
    place_service(horaires_accueil=every_day + "; PH off")
    assert ids(search(ouvert_le=holiday.isoformat())) == [open_on_holidays.id]
    # The next ordinary day of the same weekday: both are open.
    assert search(ouvert_le=_next(holiday.weekday()).isoformat())["total"] == 2


# Visibility ---------------------------------------------------------------------------------


def test_only_public_services_are_found(place_service, make_structure, search, db_session, ids):
    public = place_service()
    place_service(statut="brouillon")
    place_service(statut="archive")
    today = date.today()
    place_service(suspendu_du=today - timedelta(days=1), suspendu_au=today + timedelta(days=1))
    place_service(suspendu_du=today)  # until further notice
    later = place_service(suspendu_du=today + timedelta(days=3))
    over = place_service(suspendu_du=today - timedelta(days=9), suspendu_au=today - timedelta(1))
    pending = make_structure(moderation="en-attente")
    place_service(structure=pending)
    refused = make_structure(moderation="refusee")
    place_service(structure=refused)
    body = search(commune="93066")
    assert sorted(ids(body)) == sorted([public.id, later.id, over.id])
    assert body["total"] == 3
    assert sum(body["facets"]["frais"].values()) <= 3


# Pagination ---------------------------------------------------------------------------------


def test_pages_never_repeat_or_skip_a_result(place_service, search, ids):
    # Ties everywhere: same point, same name, same date.
    created = {place_service("93066").id for _ in range(23)}
    created |= {place_service("69123", modes_accueil=["a-distance"]).id for _ in range(7)}
    seen = []
    for page in (1, 2, 3, 4):
        body = search(commune="93066", size=8, page=page)
        assert body["total"] == 30
        seen += ids(body)
    assert len(seen) == 30
    assert set(seen) == created
    assert seen == ids(search(commune="93066", size=30))  # same order in one page
    again = [i for p in (1, 2, 3, 4) for i in ids(search(commune="93066", size=8, page=p))]
    assert again == seen


def test_a_page_beyond_the_results_is_empty(place_service, search):
    place_service()
    body = search(commune="93066", page=5)
    assert body["total"] == 1
    assert body["items"] == []


# Facets -------------------------------------------------------------------------------------


def test_facets_count_the_result_set(place_service, search):
    place_service(frais="gratuit", thematiques=["mobilite--acceder-a-un-vehicule"])
    place_service(
        frais="gratuit", publics=["tous-publics"], thematiques=["numerique--acquerir-un-equipement"]
    )
    place_service(frais="payant", publics=["jeunes"], modes_accueil=["a-distance"])
    place_service("69123", frais="payant")  # out of the radius
    facets = search(commune="93066")["facets"]
    assert facets["frais"] == {"gratuit": 2, "payant": 1}
    assert facets["thematiques"]["mobilite"] == 2
    assert facets["thematiques"]["numerique"] == 1
    assert facets["publics"]["jeunes"] == 3  # two tous-publics + one jeunes
    assert facets["modes_accueil"] == {"en-presentiel": 2, "a-distance": 1}


def test_facet_counts_are_what_the_filter_gives(place_service, search):
    for i in range(12):
        place_service(
            frais=("gratuit", "payant")[i % 2],
            publics=[("tous-publics", "jeunes", "seniors")[i % 3]],
            thematiques=[
                (
                    "mobilite--acceder-a-un-vehicule",
                    "numerique--acquerir-un-equipement",
                    "mobilite--financer-ma-mobilite",
                    "sante--acces-aux-soins",
                )[i % 4]
            ],
            modes_accueil=[("en-presentiel", "a-distance")[i % 5 == 0]],
            type=("atelier", "formation", "accompagnement")[i % 3],
        )
    body = search(commune="93066")
    assert body["total"] == 12
    for name, counts in body["facets"].items():
        for value, count in counts.items():
            filtered = search(commune="93066", **{name: value})
            assert filtered["total"] == count, (name, value)
    # With a filter, facets describe the filtered set.
    filtered = search(commune="93066", frais="gratuit")
    assert filtered["facets"]["frais"] == {"gratuit": filtered["total"]}
    for value, count in filtered["facets"]["types"].items():
        assert search(commune="93066", frais="gratuit", types=value)["total"] == count


# Bad parameters ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"commune": "99999"}, "commune"),
        ({"commune": "abc"}, "commune"),
        ({"commune": "930660"}, "commune"),
        ({"lat": "48.9"}, "lon"),
        ({"lon": "2.3"}, "lat"),
        ({"lat": "north", "lon": "2.3"}, "lat"),
        ({"lat": "91", "lon": "2.3"}, "lat"),
        ({"lat": "48.9", "lon": "nan"}, "lon"),
        ({"lat": "48.9", "lon": "2.3", "commune": "93066"}, "commune"),
        ({"thematiques": "mobilites"}, "thematiques"),
        ({"thematiques": "mobilite,inconnue"}, "thematiques"),
        ({"publics": "enfants"}, "publics"),
        ({"frais": "gratuite"}, "frais"),
        ({"modes_accueil": "distance"}, "modes_accueil"),
        ({"types": "service"}, "types"),
        ({"rayon_km": "0"}, "rayon_km"),
        ({"rayon_km": "201"}, "rayon_km"),
        ({"rayon_km": "dix"}, "rayon_km"),
        ({"rayon_km": "inf"}, "rayon_km"),
        ({"page": "0"}, "page"),
        ({"page": "1.5"}, "page"),
        ({"page": "-1"}, "page"),
        ({"page": "1000"}, "page"),  # beyond the 10,000 results window
        ({"size": "0"}, "size"),
        ({"size": "101"}, "size"),
        ({"size": "vingt"}, "size"),
        ({"a_distance": "peut-être"}, "a_distance"),
        ({"q": "x" * 201}, "q"),
        ({"tri": "date"}, "tri"),
        ({"ouvert_le": "demain"}, "ouvert_le"),
        ({"ouvert_le": "07/12/2026"}, "ouvert_le"),
        ({"ouvert_le": "2026-02-30"}, "ouvert_le"),
        ({"ouvert_le": "2000-01-03"}, "ouvert_le"),  # in the past
        ({"ouvert_le": (date.today() + timedelta(days=400)).isoformat()}, "ouvert_le"),
        ({"ouvert_le": date.today().isoformat(), "moment": "soir"}, "moment"),
        ({"moment": "matin"}, "moment"),  # without a day
        ({"tri": "plus-proche"}, "tri"),
    ],
)
def test_every_bad_parameter_answers_400(client, params, field):
    response = client.get("/api/v1/search", query_string=params)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["field"] == field
    assert error["code"] == "parametre_invalide"
    assert error["message"]


def test_odd_but_valid_input_does_not_fail(place_service, search):
    place_service(nom="Atelier")
    assert search(q="&|!():*<->' \\ «»")["total"] == 1  # no word at all: no text filter
    assert search(q="l'atelier")["total"] == 1
    assert search(q="   ")["total"] == 1  # blank text is no text
    assert search(commune="2a004")["total"] == 0  # Ajaccio (lowercase accepted): too far
    assert search(commune="93066", thematiques="", publics=",")["total"] == 1


def test_nearest_neighbour_plan_gives_the_same_pages(place_service, search, ids, monkeypatch):
    """Big result sets page through the location index in distance order: same results."""
    from dora.search.backends import postgres

    for i in range(12):
        place_service("93066", nom=f"Ici {i}")  # equal distances: ties broken by id
        place_service("93001", nom=f"Près {i}", zone_eligibilite=["93"])
    place_service("75056", zone_eligibilite=["75"])  # not eligible in Saint-Denis
    place_service("69123", modes_accueil=["a-distance"])
    pages = [ids(search(commune="93066", size=7, page=p)) for p in (1, 2, 3, 4)]
    monkeypatch.setattr(postgres, "KNN_FROM", 0)
    assert [ids(search(commune="93066", size=7, page=p)) for p in (1, 2, 3, 4)] == pages
    seen = [i for page in pages for i in page]
    assert len(seen) == len(set(seen)) == 25

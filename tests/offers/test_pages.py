"""The offer pages and the search page's « type d'offre », as a person sees them."""

from __future__ import annotations

from sqlalchemy import text


def test_training_page_lists_upcoming_sessions(client, imported):
    page = client.get("/formations/lheo--A-2099-001-1")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Savoirs de base et français à visée professionnelle" in html
    assert "du 2 mars 2099 au 26 juin 2099" in html
    assert "du 7 septembre 2099 au 18 décembre 2099" in html
    assert "2020" not in html.split("Sessions")[1].split("</table>")[0]  # past session dropped
    assert "RS5080" in html and "inscriptions ouvertes" in html
    assert "Conseil régional" in html  # LHEO financeur 2, in words
    lyon = client.get("/formations/lheo--A-2099-002-1").get_data(as_text=True)
    assert "Aucune session à venir" in lyon


def test_unknown_or_non_training_ids_answer_404(client, imported):
    assert client.get("/formations/nope").status_code == 404
    assert client.get("/formations/siae--55555555600003--aci--4101").status_code == 404
    assert client.get("/formations/" + "x" * 500).status_code == 404
    assert client.get("/employeurs/lheo--of-12345678200002").status_code == 404
    assert client.get("/entreprises-accueillantes/123").status_code == 404
    assert client.get("/entreprises-accueillantes/12345678200002").status_code == 404


def test_employer_page_shows_positions_and_eligibility(client, imported):
    html = client.get("/employeurs/siae--55555555600003--aci").get_data(as_text=True)
    assert "Atelier et chantier d’insertion" in html
    assert "PASS IAE" in html and "prescripteur habilité" in html
    assert "Ouvrier maraîcher / Ouvrière maraîchère" in html
    assert "Préparateur de commandes" not in html  # closed position


def test_company_page_and_search_by_metier(client, imported):
    html = client.get("/entreprises-accueillantes/90909090400006").get_data(as_text=True)
    assert "Au Pain de Saint-Denis" in html and "Boulanger / Boulangère" in html
    assert "ce n’est pas un service" in html
    found = client.get("/entreprises-accueillantes?commune=93066&q=boulangere&rayon_km=10")
    assert found.status_code == 200
    body = found.get_data(as_text=True)
    assert "<strong>1</strong> entreprise accueillante" in body
    assert "Restaurant" not in body
    # A name shared by several communes: the page asks which one.
    ambiguous = client.get("/entreprises-accueillantes?commune_nom=Saint-Denis").get_data(
        as_text=True
    )
    assert "Plusieurs communes peuvent correspondre" in ambiguous
    bad = client.get("/entreprises-accueillantes?commune=93066&rayon_km=abc")
    assert bad.status_code == 400 and "rayon_km" in bad.get_data(as_text=True)


def test_search_page_shows_what_each_result_is(client, imported):
    html = client.get("/recherche?commune=93066&offre=formations").get_data(as_text=True)
    assert 'class="offer-badge offer-badge--formations">Formation' in html
    assert "Prochaine session : <strong>2 mars 2099</strong> (2 sessions à venir)" in html
    assert 'href="/formations/lheo--A-2099-001-1"' in html
    employers = client.get("/recherche?commune=93066&offre=employeurs").get_data(as_text=True)
    assert "Poste en insertion · ACI" in employers
    assert "Postes ouverts : Ouvrier maraîcher / Ouvrière maraîchère" in employers
    everything = client.get("/recherche?commune=93066&rayon_km=5").get_data(as_text=True)
    assert "1 entreprise accueillante (immersion) à moins de 5 km" in everything
    assert "immersion (1)" in everything  # its own map layer (name JSON-escaped in the script)


def test_search_for_companies_goes_to_their_own_page(client):
    response = client.get("/recherche?commune=93066&offre=entreprises&q=boulanger")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/entreprises-accueillantes?commune=93066")


def test_catalogue_service_page_links_to_the_offer_page(client, imported):
    html = client.get("/services/lheo--A-2099-001-1").get_data(as_text=True)
    assert 'href="/formations/lheo--A-2099-001-1"' in html
    html = client.get("/services/siae--55555555600003--aci--4101").get_data(as_text=True)
    assert 'href="/employeurs/siae--55555555600003--aci"' in html


def test_hostile_names_are_escaped(client, imported, db_session):
    hostile = "<script>alert('x')</script>"
    db_session.execute(
        text("UPDATE immersion_company SET enseigne = :v WHERE siret = '90909090400006'"),
        {"v": hostile},
    )
    db_session.execute(
        text("UPDATE service SET nom = :v WHERE id = 'lheo--A-2099-001-1'"), {"v": hostile}
    )
    for url in (
        "/entreprises-accueillantes/90909090400006",
        "/entreprises-accueillantes?commune=93066",
        "/formations/lheo--A-2099-001-1",
        "/recherche?commune=93066&offre=formations",
    ):
        html = client.get(url).get_data(as_text=True)
        assert hostile not in html, url


def test_widget_and_territory_map_take_the_offer_type(client, imported):
    widget = client.get("/embed/carte?territoire=departement:93&offre=formations")
    assert widget.status_code == 200
    html = widget.get_data(as_text=True)
    assert "Savoirs de base" in html and "Jardins de la Plaine" not in html
    builder = client.get("/embed?territoire=departement:93&offre=formations")
    assert "data-offre=&#34;formations&#34;" in builder.get_data(as_text=True)  # snippet
    bad = client.get("/embed/carte?offre=immersions")
    assert bad.status_code == 400
    geojson = client.get(
        "/api/v1/services.geojson?bbox=2.2,48.8,2.5,49.0&zoom=14&offre=employeurs"
    ).get_json()
    assert {f["properties"].get("id") for f in geojson["features"]} == {
        "siae--55555555600003--aci--4101",
        "siae--88888888000018--ea--5201",
    }


def test_a_session_has_its_own_page(client, imported, sql):
    (row,) = sql("SELECT id FROM training_session WHERE source_id = 'S-2099-09'")
    html = client.get("/formations/lheo--A-2099-001-1").get_data(as_text=True)
    assert f'href="/formations/sessions/{row.id}"' in html
    page = client.get(f"/formations/sessions/{row.id}")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "Du <strong>7 septembre 2099</strong> au <strong>18 décembre 2099</strong>" in body
    assert "S-2099-09" in body
    assert client.get("/formations/sessions/99999999").status_code == 404
    assert client.get("/formations/sessions/99999999999").status_code == 404


def test_clustered_maps_count_only_the_offer_type_asked(app, client, imported, monkeypatch, sql):
    """Above the points threshold, territory maps cluster from precomputed counts, which know
    no offer type: with `offre`, they must count live (they used to show every service)."""

    def on_site_in_93(kind: str) -> int:
        return sql(
            "SELECT count(*) FROM offer_service AS o JOIN search_document AS d"
            " ON d.service_id = o.service_id"
            " WHERE o.kind = :kind AND d.on_site AND d.code_insee LIKE '93%'"
            " AND dora_not_suspended(d.suspendu_du, d.suspendu_au, current_date)",
            kind=kind,
        )[0][0]

    monkeypatch.setitem(app.config, "MAP_MAX_POINTS", 1)
    url = "/api/v1/services.geojson?territoire=departement:93&bbox=1.5,48.5,3.5,49.5&zoom=9"
    everything = client.get(url).get_json()
    trainings = client.get(url + "&offre=formations").get_json()
    employers = client.get(url + "&offre=employeurs").get_json()
    assert everything["clustered"]  # the precomputed commune counts answer without `offre`
    assert trainings["total"] == on_site_in_93("formation") >= 1
    assert employers["total"] == on_site_in_93("emploi-inclusif") >= 1
    assert trainings["total"] + employers["total"] <= everything["total"]


def test_the_widget_offers_the_type_switch_unless_limited_to_one_type(client, imported):
    whole = client.get("/embed/carte?territoire=departement:93").get_data(as_text=True)
    assert '"offerTypes": [{"label": "Toutes les offres", "value": ""}' in whole
    assert '{"label": "Employeurs inclusifs", "value": "employeurs"}' in whole
    # A Région's training map: limited to one type, no switch.
    trainings = client.get("/embed/carte?territoire=departement:93&offre=formations")
    assert '"offerTypes": []' in trainings.get_data(as_text=True)

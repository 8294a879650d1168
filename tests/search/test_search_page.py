"""The /recherche page, without JavaScript (the browser test covers the enhancements)."""

from __future__ import annotations

import re
from html import unescape


def page(client, **params):
    response = client.get("/recherche", query_string=params)
    return response, response.get_data(as_text=True)


def test_empty_page_invites_to_search(client):
    response, html = page(client)
    assert response.status_code == 200
    assert "Rechercher un service" in html
    assert 'name="commune_nom"' in html and 'name="q"' in html
    assert "Indiquez une commune" in html
    # Every thématique category is offered, with its sub-thèmes, from the schema.
    assert html.count("<details") - html.count('<details class="filters-panel"') == 16
    assert 'value="mobilite--preparer-un-permis"' in html


def test_results_list_and_map(client, place_service):
    service = place_service(
        "93001",
        nom="Garage solidaire",
        frais="gratuit",
        modes_mobilisation=["telephoner"],
        mobilisable_par=["professionnels"],
    )
    remote = place_service("69123", nom="Conseil en ligne", modes_accueil=["a-distance"])
    response, html = page(client, commune="93066")
    assert response.status_code == 200
    assert "<strong>2</strong>" in html and "pour une personne habitant Saint-Denis" in html
    assert f'href="/services/{service.id}?retour=' in html
    assert "Garage solidaire" in html and "Structure de test" in html
    assert re.search(r"à 3,\d km", html)  # distance
    assert "À distance" in html  # the remote service, without distance
    assert "Gratuit" in html and "Téléphoner" in html
    assert "Mis à jour le" in html  # freshness
    assert 'class="folium-map"' in html and "markerClusterGroup" in html
    assert f"/services/{service.id}" in unescape(html.split("<script>")[-1])  # popup link
    assert f"/services/{remote.id}" not in html.split('class="folium-map"')[0]
    assert 'value="Saint-Denis (93)"' in html  # the commune is shown as chosen


def test_no_asset_comes_from_elsewhere(client, place_service):
    place_service()
    _, html = page(client, commune="93066")
    assets = re.findall(r'<(?:script|img)[^>]*\ssrc="([^"]+)"', html)
    assets += re.findall(r'<link[^>]*\shref="([^"]+)"', html)
    assert any("vendor/leaflet" in url for url in assets)
    for url in assets:
        assert not url.startswith(("http://", "https://", "//")), url


def test_typed_postal_code_or_name_is_resolved_without_javascript(client, place_service):
    service = place_service()
    _, html = page(client, commune_nom="93200")
    assert f'href="/services/{service.id}?retour=' in html
    _, html = page(client, commune_nom="aubervilliers")
    assert f'href="/services/{service.id}?retour=' in html
    assert 'value="Aubervilliers (93)"' in html


def test_ambiguous_commune_name_offers_a_choice(client, place_service):
    place_service()
    response, html = page(client, commune_nom="Saint-Denis", q="garage")
    assert response.status_code == 200
    assert "Plusieurs communes peuvent correspondre" in html
    links = re.findall(r'href="(/recherche\?[^"]*commune=(\d[\dAB]\d+)[^"]*)"', html)
    codes = {code for _, code in links}
    assert {"93066", "97411"} <= codes
    chosen = unescape(next(url for url, code in links if code == "93066"))
    assert "q=garage" in chosen
    _, html = page(client, **dict(re.findall(r"([^?&=]+)=([^&]*)", chosen.split("?")[1])))
    assert "pour une personne habitant Saint-Denis" in html


def test_unknown_commune_name_says_so(client):
    response, html = page(client, commune_nom="Qqqqqqqqq")
    assert response.status_code == 200
    assert "Aucune commune ne correspond à « Qqqqqqqqq »" in html


def test_bad_parameters_show_a_message_not_an_error_page(client):
    response, html = page(client, commune="93066", rayon_km="0")
    assert response.status_code == 400
    assert "« rayon_km » doit être compris entre 1 et 200" in html
    assert 'role="alert"' in html
    response, html = page(client, commune="00000")
    assert response.status_code == 400
    assert "Commune inconnue" in html
    assert 'aria-invalid="true"' in html


def test_filters_show_facet_counts_and_keep_their_state(client, place_service):
    place_service(frais="gratuit", thematiques=["mobilite--acceder-a-un-vehicule"])
    place_service(frais="payant", thematiques=["mobilite--acceder-a-un-vehicule"])
    _, html = page(client, commune="93066", frais="gratuit")
    assert re.search(
        r'value="gratuit" checked>\s*<span>Gratuit <span class="facet-count">\(1', html
    )
    assert re.search(r"Mobilité <span class=\"facet-count\">\(1", html)
    assert "<details open>" not in html  # no thématique chosen: categories stay closed
    _, html = page(client, commune="93066", thematiques="mobilite--acceder-a-un-vehicule")
    assert html.count("<details open>") == 1
    assert re.search(r'value="mobilite--acceder-a-un-vehicule" checked>', html)


def test_pagination_links_carry_the_query(client, place_service):
    for _ in range(25):
        place_service(frais="gratuit")
    _, html = page(client, commune="93066", frais="gratuit", size=10, page=2)
    assert 'aria-current="page">2<' in html
    nav = html.split('aria-label="Pages de résultats"')[1]
    links = [unescape(u) for u in re.findall(r'href="([^"]+)"', nav)]
    assert any("page=3" in u and "frais=gratuit" in u and "commune=93066" in u for u in links)
    assert any("page" not in u.split("?")[1].split("&")[-1] or "page=1" not in u for u in links)
    assert '<ol class="result-list" id="liste-resultats" tabindex="-1" start="11">' in html


def test_suggestion_links_to_the_corrected_search(client, place_service):
    place_service(nom="Plateforme mobilité")
    _, html = page(client, commune="93066", q="mobbilitee")
    assert "Vouliez-vous dire" in html
    link = unescape(re.search(r'Vouliez-vous dire <a href="([^"]+)"', html).group(1))
    assert "q=mobilit%C3%A9" in link and "commune=93066" in link


def test_menu_links_to_the_search_page(client):
    html = client.get("/").get_data(as_text=True)
    assert 'href="/recherche"' in html


def test_without_a_place_on_site_services_say_where_not_remote(client, place_service):
    place_service("93066", nom="Atelier CV sur place")  # commune: Saint-Denis (factory)
    place_service("69123", nom="Conseil en ligne", modes_accueil=["a-distance"])
    response, html = page(client, q="atelier")
    assert response.status_code == 200
    item = html.split("Atelier CV sur place")[1].split("</p>")[0]
    assert "Sur place, Saint-Denis" in item
    assert "À distance" not in item


def test_sort_select_orders_and_is_kept_in_page_links(client, place_service):
    near = place_service("93066", nom="Accueil", description="garage solidaire")
    place_service("77288", nom="Garage solidaire")
    for _ in range(20):
        place_service("93001", nom="Garage du coin")
    _, html = page(client, commune="93066", q="garage")
    assert '<label for="search-tri">Trier par</label>' in html
    assert '<option value="" selected>Automatique (pertinence)</option>' in html
    first = re.search(r'<ol class="result-list".*?<h3><a href="/services/([^?"]+)', html, re.S)
    assert first and first.group(1) != near.id  # names before descriptions
    _, html = page(client, commune="93066", q="garage", tri="distance")
    assert '<option value="distance" selected>' in html
    first = re.search(r'<ol class="result-list".*?<h3><a href="/services/([^?"]+)', html, re.S)
    assert first and first.group(1) == near.id
    links = re.findall(r'href="(/recherche\?[^"]*page=2[^"]*)"', html)
    assert links and all("tri=distance" in unescape(link) for link in links)
    response, html = page(client, commune="93066", tri="au-hasard")
    assert response.status_code == 400
    assert "« tri » vaut pertinence ou distance" in unescape(html)


def test_ouvert_le_filter_on_the_page(client, place_service):
    from datetime import date, timedelta

    from dora.core.opening_week import is_public_holiday

    day = date.today() + timedelta(days=1)
    while day.weekday() != 0 or is_public_holiday(day):
        day += timedelta(days=1)
    place_service(nom="Permanence du lundi", horaires_accueil="Mo 09:00-12:00")
    place_service(nom="Atelier du samedi", horaires_accueil="Sa 14:00-18:00")
    place_service(nom="Sans horaires")
    _, html = page(client, commune="93066")
    assert 'name="ouvert_le" type="date"' in html and 'id="search-moment"' in html
    response, html = page(client, commune="93066", ouvert_le=day.isoformat(), moment="matin")
    assert response.status_code == 200
    assert "Permanence du lundi" in html
    assert "Atelier du samedi" not in html and "Sans horaires" not in html
    assert "les services sans horaires connus ne sont pas montrés" in unescape(html)
    assert f'value="{day.isoformat()}"' in html
    assert '<option value="matin" selected>' in html
    # Typed by hand (no date picker): jj/mm/aaaa is understood.
    typed = f"{day.day:02d}/{day.month:02d}/{day.year}"
    response, html = page(client, commune="93066", ouvert_le=typed, moment="matin")
    assert response.status_code == 200 and "Permanence du lundi" in html
    response, html = page(client, commune="93066", ouvert_le="lundi")
    assert response.status_code == 400
    assert "« ouvert_le » doit être une date AAAA-MM-JJ" in unescape(html)
    assert 'aria-invalid="true"' in html

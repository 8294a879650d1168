"""Coverage pages, exports and API: what people read, bad input, escaping, query counts."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import text

from dora.coverage import operations
from dora.coverage.views import _cell

MOBILITE = "mobilite--entretenir-reparer-son-vehicule"


@pytest.fixture
def computed(db_session, make_service):
    """Two services in Saint-Denis (93) and the figures computed."""
    make_service(thematiques=[MOBILITE], zone_eligibilite=["93"])
    make_service(
        thematiques=["numerique--acceder-a-une-connexion-internet"], zone_eligibilite=["93066"]
    )
    make_service(
        point=None,
        modes_accueil=["a-distance"],
        thematiques=["sante--acces-aux-soins"],
        zone_eligibilite=["93"],
    )
    operations.rebuild(db_session)


def test_pages_before_any_computation_say_so(client, db_session):
    db_session.execute(text("DELETE FROM coverage_run"))
    page = client.get("/territoires/departement/93/couverture")
    assert page.status_code == 200
    assert "pas encore été calculée" in page.get_data(as_text=True)
    assert client.get("/territoires/departement/93/couverture/thematiques.csv").status_code == 404
    answer = client.get("/api/v1/couverture?territoire=departement:93").get_json()
    assert answer["calcul"] is None and answer["chiffres"] is None


LEVEL_PAGES = (
    "/territoires/france/couverture",
    "/territoires/region/11/couverture",
    "/territoires/departement/93/couverture",
    "/territoires/epci/200054781/couverture",
    "/territoires/commune/93066/couverture",
    "/territoires/commune/75056/couverture?thematique=mobilite&distance_km=5",
)


def test_every_level_has_its_page(client, computed):
    for url in LEVEL_PAGES:
        page = client.get(url)
        assert page.status_code == 200, url
        html = page.get_data(as_text=True)
        assert "Couverture de l’offre" in html
        assert "de la population" in html
        assert "Par thématique" in html
        assert 'nonce="' in html  # the map script carries the CSP nonce


def test_the_selects_change_the_figures(client, computed):
    mobilite = client.get("/territoires/departement/93/couverture?thematique=mobilite")
    sante = client.get("/territoires/departement/93/couverture?thematique=sante")
    text_m, text_s = mobilite.get_data(as_text=True), sante.get_data(as_text=True)
    assert 'id="chiffre-cle"><strong>0 %' not in text_m  # Saint-Denis and around are covered
    assert 'id="chiffre-cle"><strong>0 %' in text_s  # health is remote only here
    assert "Santé" in text_s and "service à distance éligible" in text_s


def test_territory_page_names_the_thematiques_without_any_service(client, computed):
    html = client.get("/territoires/departement/93").get_data(as_text=True)
    assert "Thématiques sans aucun service sur place" in html
    section = html.split("Thématiques sans aucun service sur place")[1].split("</section>")[0]
    assert "Famille" in section and "Mobilité" not in section
    assert "/territoires/departement/93/couverture" in section


def test_bad_choices_are_explained_not_a_500(client, computed):
    page = client.get("/territoires/departement/93/couverture?thematique=mobilitee&distance_km=7")
    assert page.status_code == 400
    html = page.get_data(as_text=True)
    assert "thématique inconnue « mobilitee »" in html and "« distance_km » vaut 5, 10, 15" in html
    assert client.get("/territoires/departement/99/couverture").status_code == 404
    assert client.get("/territoires/epci/123/couverture").status_code == 404
    moved = client.get("/territoires/commune/75112/couverture?thematique=mobilite")
    assert moved.status_code == 301
    assert moved.headers["Location"].endswith(
        "/territoires/commune/75056/couverture?thematique=mobilite"
    )


API_ERRORS = (
    ("", 400, "territoire"),
    ("territoire=departement", 400, "territoire"),
    ("territoire=departement:999", 400, "territoire"),
    ("territoire=departement:99", 404, "territoire"),
    ("territoire=departement:93&thematique=nope", 400, "thematique"),
    ("territoire=departement:93&distance_km=12", 400, "distance_km"),
    ("territoire=departement:93&distance_km=abc", 400, "distance_km"),
)


def test_api_errors_have_the_usual_shape(client, db_session):
    for query, status, field in API_ERRORS:
        answer = client.get(f"/api/v1/couverture?{query}")
        assert answer.status_code == status, query
        error = answer.get_json()["error"]
        assert error["field"] == field and error["message"] and error["code"], query


def test_api_answers_the_figures_of_the_page(client, computed):
    answer = client.get(
        "/api/v1/couverture?territoire=departement:93&thematique=mobilite&distance_km=15"
    ).get_json()
    assert answer["territoire"]["code"] == "93" and answer["distance_km"] == 15
    figures = answer["chiffres"]
    assert figures["thematique"] == "mobilite"
    assert 0 < figures["part_population_couverte"] <= 1
    assert figures["services"] == 1 and figures["part_services_a_jour"] == 1
    assert "sante" not in answer["thematiques_sans_offre"]  # a remote service exists
    assert "famille" in answer["thematiques_sans_offre"]
    everything = client.get("/api/v1/couverture?territoire=france").get_json()
    assert everything["territoire"]["niveau"] == "france"


def test_exports_of_every_table(client, computed, db_session):
    base = "/territoires/departement/93/couverture"
    answer = client.get(f"{base}/thematiques.csv?distance_km=10")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    assert "attachment" in answer.headers["Content-Disposition"]
    body = answer.get_data(as_text=True)
    assert body.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(body[1:]), delimiter=";"))
    assert len(rows) == 1 + 16 + 69 + 2  # all, the categories, the sub-thèmes, the two offers
    mobilite = next(r for r in rows if r["thematique"] == "mobilite")
    assert mobilite["services"] == "1"
    communes = client.get(f"{base}/communes.json?thematique=mobilite").get_json()
    expected = db_session.scalar(text("SELECT count(*) FROM commune WHERE departement_code = '93'"))
    assert len(communes["lignes"]) == expected
    assert any(row["couverte"] for row in communes["lignes"])
    france = client.get("/territoires/france/couverture/departements.csv").get_data(as_text=True)
    assert "Seine-Saint-Denis" in france
    assert client.get(f"{base}/departements.csv").status_code == 404  # no such table here
    assert client.get(f"{base}/thematiques.csv?distance_km=3").status_code == 400


def test_csv_cells_cannot_become_formulas():
    assert _cell('=HYPERLINK("x")') == '\'=HYPERLINK("x")'
    assert _cell("-2") == "'-2" and _cell(0.25) == "0,25" and _cell(None) == ""


def test_map_labels_are_escaped(client, computed, db_session):
    db_session.execute(
        text("UPDATE coverage_unit SET nom = :n WHERE code = '93066'"),
        {"n": "<img src=x onerror=alert(1)>`${document.cookie}`"},
    )
    html = client.get("/territoires/departement/93/couverture").get_data(as_text=True)
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    # In the map script, neither the backtick nor `${` survives (template literals).
    script = html.split("DoraCoverage.draw(")[1].split("</script>")[0]
    assert "document.cookie" in script
    assert "${document" not in script and "`" not in script


def test_a_page_reads_a_fixed_number_of_queries(client, computed, count_queries):
    client.get("/territoires/departement/93/couverture")  # warm per-process caches
    with count_queries as small:
        client.get("/territoires/epci/200054781/couverture")
    with count_queries as large:
        client.get("/territoires/france/couverture?thematique=mobilite")
    assert small.count <= 12 and large.count <= 12, (small.count, large.count)


def test_diagnostic_and_comparison(client, computed):
    report = client.get("/territoires/departement/93/couverture/diagnostic?distance_km=10")
    html = report.get_data(as_text=True)
    assert report.status_code == 200
    assert html.count('class="diagnostic-section"') == 19  # all, each category, two offers
    assert html.count("<svg") == 19
    compared = client.get(
        "/territoires/couverture/comparer?a=departement:93&b=commune:93066&thematique=mobilite"
    )
    assert compared.status_code == 200
    assert compared.get_data(as_text=True).count('data-figure="part-couverte"') == 2
    wrong = client.get("/territoires/couverture/comparer?a=departement:93&b=epci:1")
    assert wrong.status_code == 400
    assert "« b »" in wrong.get_data(as_text=True)

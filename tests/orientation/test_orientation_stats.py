"""The numbers: per service, structure and département, for admins and managers, and open
(counts only) in /api/v1/orientations/statistiques."""

from __future__ import annotations

from datetime import timedelta

import pytest


@pytest.fixture
def history(db_session, make_orientation):
    """Five referrals to the Saint-Denis service: accepted after 2 h, refused after 10 days,
    expired, one waiting for 9 days, one fresh."""
    accepted = make_orientation(days_ago=20, statut="acceptee")
    accepted.first_answer_at = accepted.created_at + timedelta(hours=2)
    refused = make_orientation(days_ago=20, statut="refusee", motif_refus="hors-criteres")
    refused.first_answer_at = refused.created_at + timedelta(days=10)
    make_orientation(days_ago=40, statut="expiree")
    make_orientation(days_ago=9)
    make_orientation()
    db_session.flush()


def test_figures_follow_their_definitions(db_session, history, receiving):
    from dora.orientation import stats

    figures = stats.total(db_session, "structure_id = :s", {"s": receiving[0].id})
    assert (figures.total, figures.acceptees, figures.refusees, figures.expirees) == (5, 1, 1, 1)
    assert figures.en_attente == 2
    assert figures.taux_acceptation == pytest.approx(1 / 3)  # among the closed ones
    assert figures.delai_median_heures == pytest.approx((2 + 240) / 2)
    # 4 sent 8+ days ago; answered within 8 days: only the accepted one.
    assert (figures.mature, figures.unanswered) == (4, 3)
    assert figures.part_sans_reponse == pytest.approx(0.75)


def test_the_statistics_page_for_an_admin_and_a_manager(
    client, login, history, receiving, make_user, membership, manager_of
):
    structure = receiving[0]
    admin = make_user("admin@structure.fr")
    membership(admin, structure, "admin")
    login(admin)
    page = client.get("/mon-espace/orientations/statistiques").get_data(as_text=True)
    assert "Accueil solidaire" in page and "Atelier vélo" in page and "33 %" in page
    manager = manager_of(make_user("gestion@93.fr"), "93")
    login(manager)
    page = client.get("/mon-espace/orientations/statistiques").get_data(as_text=True)
    assert "Seine-Saint-Denis (93)" in page and "Accueil solidaire" not in page
    # A member who is not admin sees none.
    login(receiving[1])
    assert client.get("/mon-espace/orientations/statistiques").status_code == 403


def test_the_open_api_gives_counts_only(client, history, receiving, prescriber):
    body = client.get("/api/v1/orientations/statistiques?departement=93").get_json()
    assert body["perimetre"] == {"type": "departement", "code": "93"}
    assert body["recues"]["total"] == 5 and body["recues"]["taux_acceptation"] == 0.333
    assert body["recues"]["part_sans_reponse_8_jours"] == 0.75
    sent = client.get("/api/v1/orientations/statistiques?departement=75").get_json()["envoyees"]
    assert sent["total"] == 5  # the prescriber's structure is in Paris
    france = client.get("/api/v1/orientations/statistiques").get_json()
    assert {"code": "93"}.items() <= next(
        d for d in france["par_departement"] if d["code"] == "93"
    ).items()
    service = client.get(
        f"/api/v1/orientations/statistiques?service_id={receiving[2].id}"
    ).get_json()
    assert service["recues"]["total"] == 5 and "envoyees" not in service
    text = client.get("/api/v1/orientations/statistiques?departement=93").get_data(as_text=True)
    assert "Camille" not in text and "Martin" not in text


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [
        ("departement=999", 400, "departement"),
        ("departement=93&structure_id=x", 400, "structure_id"),
        ("departement=96", 404, "departement"),
        ("structure_id=inconnue", 404, "structure_id"),
        ("service_id=inconnu", 404, "service_id"),
    ],
)
def test_the_open_api_refuses_bad_parameters(client, query, status, field):
    response = client.get(f"/api/v1/orientations/statistiques?{query}")
    assert response.status_code == status
    assert response.get_json()["error"]["field"] == field

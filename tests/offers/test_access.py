"""Who may read the offer pages and API: everyone (open data, no personal data), and
reading changes nothing. The new routes are all GET: the authorisation matrix of
data-changing routes (tests/accounts/authz.py) has nothing to add, and its completeness test
would fail if an offer route ever accepted a write."""

from __future__ import annotations

import pytest

from dora.catalogue.models import Structure
from tests.accounts.authz import changed_tables, snapshot
from tests.support.people import log_in

ROUTES = (
    "/formations/lheo--A-2099-001-1",
    "/formations/sessions/{session}",
    "/employeurs/siae--55555555600003--aci",
    "/entreprises-accueillantes/90909090400006",
    "/entreprises-accueillantes?commune=93066&q=boulanger",
    "/recherche?commune=93066&offre=formations",
    "/api/v1/formations",
    "/api/v1/employeurs",
    "/api/v1/entreprises-accueillantes?metier=boulanger",
    "/api/v1/search?commune=93066&offre=employeurs",
)
ROLES = ("anonymous", "verified", "employer_member", "manager", "staff")


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_the_offers_and_nothing_changes(
    role, client, imported, db_session, make_user, membership, manager_of
):
    if role == "verified":
        log_in(client, make_user())
    elif role == "employer_member":
        user = make_user()
        membership(user, db_session.get(Structure, "siae--55555555600003--aci"), "admin")
        log_in(client, user)
    elif role == "manager":
        log_in(client, manager_of(make_user(), "93"))
    elif role == "staff":
        log_in(client, make_user(staff=True))
    session_id = (
        db_session.connection()
        .exec_driver_sql(
            "SELECT min(id) FROM training_session WHERE service_id = 'lheo--A-2099-001-1'"
        )
        .scalar()
    )
    before = snapshot(db_session.connection())
    for url in ROUTES:
        url = url.format(session=session_id)
        response = client.get(url)
        assert response.status_code == 200, (role, url, response.status_code)
    assert changed_tables(before, snapshot(db_session.connection())) == []


def test_offer_routes_accept_no_write(app):
    offer_rules = [
        rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith(("offers.", "offers_api."))
    ]
    assert len(offer_rules) == 8
    for rule in offer_rules:
        assert rule.methods - {"HEAD", "OPTIONS"} == {"GET"}, rule


def test_a_write_to_an_offer_page_is_refused(client, imported):
    response = client.post("/formations/lheo--A-2099-001-1")
    assert response.status_code in (400, 405)

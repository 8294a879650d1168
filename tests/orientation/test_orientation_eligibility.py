"""The orientation check applies the search's eligibility rule: for every zone and commune
below, `is_eligible` agrees with whether the search lists the (remote) service there."""

from __future__ import annotations

import pytest

ZONES = [
    None,
    ["france"],
    ["99100"],
    ["93"],
    ["75"],
    ["93066"],
    ["75056"],
    ["200054781"],  # Métropole du Grand Paris (EPCI of Saint-Denis and Paris)
    ["13"],
    ["69123", "93"],
]
COMMUNES = ["93066", "75111", "75056", "13055", "69123", "93059"]


@pytest.fixture
def remote_services(make_service):
    return [
        make_service(
            nom=f"Service à distance {i}",
            modes_accueil=["a-distance"],
            zone_eligibilite=zone,
            point=None,
            code_insee=None,
        )
        for i, zone in enumerate(ZONES)
    ]


def test_same_answer_as_the_search(db_session, remote_services):
    from sqlalchemy import select

    from dora.orientation.eligibility import is_eligible
    from dora.search.query import SearchQuery, matching_documents, resolve_place

    for code in COMMUNES:
        query = SearchQuery(commune=code)
        place = resolve_place(db_session, query)
        listed = set(
            db_session.scalars(
                select(matching_documents(db_session, query, place).subquery().c.service_id)
            )
        )
        for service in remote_services:
            assert is_eligible(db_session, service, code) == (service.id in listed), (
                code,
                service.zone_eligibilite,
            )


def test_plain_cases(db_session, remote_services):
    from dora.orientation.eligibility import is_eligible

    by_zone = {tuple(s.zone_eligibilite or ()): s for s in remote_services}
    assert is_eligible(db_session, by_zone[("93",)], "93066") is True
    assert is_eligible(db_session, by_zone[("93",)], "69123") is False
    assert is_eligible(db_session, by_zone[()], "69123") is True  # empty: everywhere
    # An arrondissement belongs to its commune; a former commune to the one it joined.
    assert is_eligible(db_session, by_zone[("75056",)], "75111") is True
    assert is_eligible(db_session, by_zone[("93066",)], "93059") is True
    # Unknown commune, or a service not in the index: cannot tell.
    assert is_eligible(db_session, by_zone[("93",)], "00000") is None
    by_zone[("93",)].statut = "brouillon"
    db_session.flush()
    assert is_eligible(db_session, by_zone[("93",)], "93066") is None

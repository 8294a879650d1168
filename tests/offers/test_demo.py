"""The demo seed includes each offer type, through the real importers, idempotently."""

from __future__ import annotations

from datetime import date

from dora.offers import demo


def test_demo_offers_are_seeded_once_and_cleared(db_session, sql):
    today = date(2026, 12, 7)
    report = demo.seed(db_session, today=today)
    assert report.trainings >= 40 and report.employers >= 30 and report.companies >= 40
    counts = sql(
        "SELECT kind, count(*) AS n FROM offer_service WHERE source LIKE 'dora-demo-%' "
        "GROUP BY kind ORDER BY kind"
    )
    assert {row.kind for row in counts} == {"emploi-inclusif", "formation"}
    # Past sessions were dropped; every training kept has sessions to come.
    (past,) = sql(
        "SELECT count(*) AS n FROM training_session t JOIN offer_service o "
        "ON o.service_id = t.service_id WHERE o.source = 'dora-demo-lheo' AND t.fin < :d",
        d=today,
    )
    assert past.n == 0
    assert (
        sql("SELECT count(*) AS n FROM immersion_company WHERE source = 'dora-demo-immersion'")[0].n
        == report.companies
    )
    before = sql("SELECT id, version FROM service WHERE source LIKE 'dora-demo-%' ORDER BY id")
    demo.seed(db_session, today=today)
    assert (
        sql("SELECT id, version FROM service WHERE source LIKE 'dora-demo-%' ORDER BY id") == before
    )

    assert demo.clear(db_session) > 0
    assert sql("SELECT id FROM service WHERE source LIKE 'dora-demo-%'") == []
    assert sql("SELECT siret FROM immersion_company WHERE source LIKE 'dora-demo-%'") == []

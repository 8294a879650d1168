"""Seeding demo data into PostGIS: idempotence, growth, round trip, indexes, signal."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select, text

from dora.catalogue.models import Service
from dora.catalogue.queries import publicly_visible
from dora.core.opening_week import week_mask
from dora.core.signals import services_bulk_written
from dora.demo import generator, operations, queries
from dora.demo.generator import SERVICE_COLUMNS, DemoSet

DEMO = DemoSet(seed=3, reference_date=date(2026, 6, 15))


def _ids(connection, table: str, demo: DemoSet = DEMO) -> list[str]:
    prefix = demo.service_id_prefix if table == "service" else demo.structure_id_prefix
    return list(
        connection.execute(
            text(f"SELECT id FROM {table} WHERE id LIKE :p ORDER BY id"), {"p": prefix + "%"}
        ).scalars()
    )


def test_seed_writes_once_then_does_nothing(db_connection):
    report = operations.seed(db_connection, 2500, DEMO)
    assert report.services_written == 2500
    assert report.already_present == 0
    structures = _ids(db_connection, "structure")
    assert report.structures_written == len(structures) > 2500 / 10
    assert len(_ids(db_connection, "service")) == 2500

    again = operations.seed(db_connection, 2500, DEMO)
    assert again.services_written == again.structures_written == 0
    assert again.already_present == 2500
    assert len(_ids(db_connection, "service")) == 2500
    assert _ids(db_connection, "structure") == structures


def test_a_bigger_seed_adds_only_the_missing_services(db_connection):
    operations.seed(db_connection, 2500, DEMO)
    report = operations.seed(db_connection, 6000, DEMO)
    assert report.already_present == 2500
    assert report.services_written == 3500
    ids = _ids(db_connection, "service")
    assert ids == [DEMO.service_id(n) for n in range(1, 6001)]
    # Exactly the structures of those services, each once.
    expected = sorted({row[2] for _, rows in generator.generate(DEMO, 6000) for row in rows})
    assert _ids(db_connection, "structure") == expected
    # A smaller number afterwards changes nothing.
    assert operations.seed(db_connection, 1000, DEMO).services_written == 0


def test_rows_in_the_database_are_the_generated_ones(db_connection):
    operations.seed(db_connection, 600, DEMO)
    generated = {row[0]: row for _, rows in generator.generate(DEMO, 600) for row in rows}
    columns = [c for c in SERVICE_COLUMNS if c != "location"]
    rows = db_connection.execute(
        text(
            f"SELECT {', '.join(columns)}, ST_X(location::geometry), ST_Y(location::geometry)"
            " FROM service WHERE id LIKE 'demo--svc-%' ORDER BY id"
        )
    ).all()
    assert len(rows) == 600
    for row in rows:
        values = dict(zip(columns, row, strict=False))
        expected = dict(zip(SERVICE_COLUMNS, generated[values["id"]], strict=True))
        for name in columns:
            value = values[name]
            if name == "date_maj":
                value = value.isoformat()
            assert value == expected[name], (values["id"], name)
        # « Ouvert le … »: the bulk COPY writes the week mask of the hours.
        assert values["opening_week"] == week_mask(values["horaires_accueil"])
        if expected["location"] is None:
            assert row[-2:] == (None, None)
        else:
            assert row[-2:] == pytest.approx((expected["longitude"], expected["latitude"]))
    # Paragraphs survive COPY.
    assert all("\n\n" in values[SERVICE_COLUMNS.index("description")] for values in rows)


def test_seeded_services_are_public(db_session, db_connection):
    operations.seed(db_connection, 800, DEMO)
    visible = db_session.scalar(
        select(func.count())
        .select_from(Service)
        .where(publicly_visible(), Service.id.like("demo--svc-%"))
    )
    assert visible == 800


def test_another_seed_is_refused_unless_reset(db_connection):
    operations.seed(db_connection, 300, DEMO)
    other = DemoSet(seed=4, reference_date=DEMO.reference_date)
    with pytest.raises(operations.DemoError, match="autre graine"):
        operations.seed(db_connection, 600, other)
    report = operations.seed(db_connection, 600, other, reset=True)
    assert report.services_deleted == 300
    assert report.services_written == 600
    first = queries.first_services(db_connection, other, 5)
    expected = [
        (row[0], row[SERVICE_COLUMNS.index("code_insee")], row[SERVICE_COLUMNS.index("type")])
        for _, rows in generator.generate(other, 5)
        for row in rows
    ]
    assert first == expected


def test_edited_services_are_kept(db_connection):
    operations.seed(db_connection, 300, DEMO)
    db_connection.execute(
        text("UPDATE service SET nom = 'Nom modifié' WHERE id = :id"), {"id": DEMO.service_id(1)}
    )
    operations.seed(db_connection, 400, DEMO)
    nom = db_connection.execute(
        text("SELECT nom FROM service WHERE id = :id"), {"id": DEMO.service_id(1)}
    ).scalar_one()
    assert nom == "Nom modifié"


def test_delete_demo_leaves_other_data(db_connection, make_service):
    own = make_service()
    operations.seed(db_connection, 300, DEMO)
    services, structures = operations.delete_demo(db_connection, DEMO)
    assert services == 300 and structures > 0
    assert _ids(db_connection, "service") == [] == _ids(db_connection, "structure")
    assert (
        db_connection.execute(
            text("SELECT count(*) FROM service WHERE id = :id"), {"id": own.id}
        ).scalar_one()
        == 1
    )


def test_index_rebuild_restores_the_same_indexes(db_connection):
    before = queries.heavy_service_indexes(db_connection)
    assert {"ix_service_location", "ix_service_thematiques"} <= {name for name, _ in before}
    report = operations.seed(db_connection, 500, DEMO, rebuild_indexes=True)
    assert report.indexes_rebuilt == len(before)
    assert queries.heavy_service_indexes(db_connection) == before


def test_bulk_written_signal_is_sent_once_per_write(db_connection):
    received = []

    def receiver(sender, **extra):
        received.append((sender, extra))

    services_bulk_written.connect(receiver)
    try:
        operations.seed(db_connection, 300, DEMO)
        assert received == [(db_connection, {"service_ids": None})]
        operations.seed(db_connection, 300, DEMO)
        assert len(received) == 1  # nothing written, nothing to index
        operations.seed(db_connection, 400, DEMO, notify=False)
        assert len(received) == 1
    finally:
        services_bulk_written.disconnect(receiver)


@pytest.mark.parametrize("count", [0, -1, generator.MAX_SERVICES + 1])
def test_impossible_counts_are_refused_before_writing(db_connection, count):
    with pytest.raises(operations.DemoError, match="compris entre 1 et"):
        operations.seed(db_connection, count, DEMO)
    assert _ids(db_connection, "service") == []


def test_a_refused_deletion_is_explained_and_leaves_the_transaction_usable(db_connection):
    operations.seed(db_connection, 300, DEMO)
    # Another feature’s table pointing at a demo service, without ON DELETE CASCADE
    # (created in the test transaction, rolled back with it).
    db_connection.execute(
        text("CREATE TABLE test_demo_favori (service_id text REFERENCES service (id))")
    )
    db_connection.execute(
        text("INSERT INTO test_demo_favori VALUES (:id)"), {"id": DEMO.service_id(7)}
    )
    with pytest.raises(operations.DemoError, match="d’autres données y font référence"):
        operations.seed(db_connection, 300, DEMO, reset=True)
    assert len(_ids(db_connection, "service")) == 300


def test_demo_sets_reject_unsafe_prefixes():
    with pytest.raises(ValueError, match="préfixe"):
        DemoSet(prefix="demo\tx")
    with pytest.raises(ValueError, match="préfixe"):
        DemoSet(prefix="de_mo%")
    assert DemoSet(prefix="bench-demo").service_id(12) == "bench-demo--svc-0000012"

"""The map grid: cell arithmetic (Python and SQL agree) and the triggers that keep the
precomputed counts in step with every write to the catalogue."""

from __future__ import annotations

import importlib.util
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from dora.maps import grid

ROOT = Path(__file__).resolve().parents[2]
SAINT_DENIS = (2.3574, 48.9362)


def _migration():
    path = ROOT / "migrations" / "versions" / "0005_map_grid.py"
    spec = importlib.util.spec_from_file_location("migration_0005", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_stored_levels_are_the_migrations():
    assert _migration().LEVELS == grid.STORED_LEVELS


@pytest.mark.parametrize(
    ("lon", "lat"),
    [
        SAINT_DENIS,
        (55.45, -20.88),  # Saint-Denis, La Réunion
        (-61.53, 16.24),  # Pointe-à-Pitre
        (-180.0, -85.2),  # corners clamp into the world
        (180.0, 89.0),
        (0.0, 0.0),
    ],
)
def test_python_and_sql_cells_agree(db_session, lon, lat):
    for level in (3, 11, 14, 17):
        row = db_session.execute(
            text("SELECT map_cell_x(:lon, :level), map_cell_y(:lat, :level)"),
            {"lon": lon, "lat": lat, "level": level},
        ).one()
        assert (row[0], row[1]) == (grid.cell_x(lon, level), grid.cell_y(lat, level))


def test_a_cell_contains_its_points_and_rolls_up_by_shifts():
    lon, lat = SAINT_DENIS
    for level in (5, 11, 14):
        cx, cy = grid.cell_x(lon, level), grid.cell_y(lat, level)
        bounds = grid.cell_bounds(cx, cy, level)
        assert bounds.west <= lon < bounds.east
        assert bounds.south < lat <= bounds.north
    assert grid.cell_x(lon, 11) == grid.cell_x(lon, 14) >> 3
    assert grid.cell_y(lat, 11) == grid.cell_y(lat, 14) >> 3


def test_the_first_view_shows_the_whole_territory():
    seine_saint_denis = grid.BBox(2.2666, 48.8075, 2.5924, 49.0098)
    zoom = grid.zoom_to_fit(seine_saint_denis, 760, 480)
    assert zoom == 10
    centre = ((seine_saint_denis.west + seine_saint_denis.east) / 2, 48.9087)
    view = grid.view_bbox(*centre, zoom, 760, 480)
    assert view.contains(seine_saint_denis)
    # One zoom closer would leave no margin (16 px each side); two would cut it.
    assert grid.zoom_to_fit(seine_saint_denis, 760, 480, padding_px=0) == zoom + 1
    closer = grid.view_bbox(*centre, zoom + 2, 760, 480)
    assert not closer.contains(seine_saint_denis)


def test_the_stored_level_serves_the_coarser_zooms_only():
    assert grid.stored_level_for(grid.level_for_zoom(5)) == 11
    assert grid.stored_level_for(grid.level_for_zoom(9)) == 11
    assert grid.stored_level_for(grid.level_for_zoom(12)) == 14
    assert grid.stored_level_for(grid.level_for_zoom(13)) is None


def _cell(db_session, categorie: str = "", level: int = 14, point=SAINT_DENIS) -> int:
    return db_session.execute(
        text(
            """SELECT coalesce(sum(n), 0) FROM map_grid_cell
            WHERE level = :level AND categorie = :categorie
              AND cx = map_cell_x(:lon, :level) AND cy = map_cell_y(:lat, :level)"""
        ),
        {"level": level, "categorie": categorie, "lon": point[0], "lat": point[1]},
    ).scalar_one()


def _snapshot(db_session) -> dict:
    """Every precomputed count (rows left at zero by deltas do not matter)."""
    queries = {
        "grid": "SELECT level, categorie, cx, cy, n, round(sum_lon::numeric, 6), "
        "round(sum_lat::numeric, 6) FROM map_grid_cell WHERE n <> 0",
        "communes": "SELECT code_insee, cle, n, round(sum_lon::numeric, 6), "
        "round(sum_lat::numeric, 6) FROM map_commune_stat WHERE n <> 0",
        "remote": "SELECT zone::text, n FROM map_remote_zone WHERE n <> 0",
    }
    return {
        name: {tuple(row) for row in db_session.execute(text(sql))} for name, sql in queries.items()
    }


def test_inserted_services_are_counted_in_all_and_per_category(db_session, make_service):
    before = {key: _cell(db_session, key) for key in ("", "mobilite", "numerique", "sante")}
    make_service(
        thematiques=[
            "mobilite--entretenir-reparer-son-vehicule",
            "mobilite--financer-ma-mobilite",
            "numerique--acquerir-un-equipement",
        ]
    )
    # Two sub-thèmes of one category count once in it.
    assert _cell(db_session, "") == before[""] + 1
    assert _cell(db_session, "mobilite") == before["mobilite"] + 1
    assert _cell(db_session, "numerique") == before["numerique"] + 1
    assert _cell(db_session, "sante") == before["sante"]
    assert _cell(db_session, "", level=11) >= 1


def test_only_services_the_public_sees_on_site_are_counted(
    db_session, make_service, make_structure
):
    before = _cell(db_session)
    make_service(statut="brouillon")
    make_service(modes_accueil=["a-distance"])  # remote only: not on maps, even if located
    make_service(structure=make_structure(moderation="en-attente"))
    make_service(point=None, location=None)
    assert _cell(db_session) == before
    make_service(modes_accueil=["a-distance", "en-presentiel"])
    make_service(modes_accueil=None)  # no mode given: located, so drawn
    assert _cell(db_session) == before + 2


def test_updates_move_services_between_cells_and_categories(db_session, make_service):
    service = make_service()
    lyon = (4.8357, 45.764)
    before = {"sd": _cell(db_session), "lyon": _cell(db_session, point=lyon)}

    db_session.execute(
        text(
            "UPDATE service SET location = ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography "
            "WHERE id = :id"
        ),
        {"lon": lyon[0], "lat": lyon[1], "id": service.id},
    )
    assert _cell(db_session) == before["sd"] - 1
    assert _cell(db_session, point=lyon) == before["lyon"] + 1

    mobilite = _cell(db_session, "mobilite", point=lyon)
    sante = _cell(db_session, "sante", point=lyon)
    db_session.execute(
        text("UPDATE service SET thematiques = ARRAY['sante--sante-mentale'] WHERE id = :id"),
        {"id": service.id},
    )
    assert _cell(db_session, "mobilite", point=lyon) == mobilite - 1
    assert _cell(db_session, "sante", point=lyon) == sante + 1
    assert _cell(db_session, point=lyon) == before["lyon"] + 1

    # An update of another column changes nothing.
    snapshot = _snapshot(db_session)
    db_session.execute(
        text("UPDATE service SET description = 'autre' WHERE id = :id"), {"id": service.id}
    )
    assert _snapshot(db_session) == snapshot

    db_session.execute(
        text("UPDATE service SET statut = 'archive' WHERE id = :id"), {"id": service.id}
    )
    assert _cell(db_session, point=lyon) == before["lyon"]
    db_session.execute(text("DELETE FROM service WHERE id = :id"), {"id": service.id})
    assert _cell(db_session, point=lyon) == before["lyon"]


def test_a_structures_validation_shows_or_hides_its_services(
    db_session, make_service, make_structure
):
    structure = make_structure()
    make_service(structure=structure)
    make_service(structure=structure)
    shown = _cell(db_session)
    db_session.execute(
        text("UPDATE structure SET moderation = 'refusee' WHERE id = :id"), {"id": structure.id}
    )
    assert _cell(db_session) == shown - 2
    db_session.execute(
        text("UPDATE structure SET moderation = 'validee' WHERE id = :id"), {"id": structure.id}
    )
    assert _cell(db_session) == shown


def test_incremental_counts_equal_a_full_rebuild(db_session, make_service, make_structure):
    structure = make_structure()
    for index in range(6):
        make_service(
            structure=structure,
            point=(2.30 + index * 0.05, 48.85 + index * 0.02),
            code_insee=["93066", "93048", "75056"][index % 3],
            thematiques=["famille--garde-denfants", "numerique--acquerir-un-equipement"][
                : 1 + index % 2
            ],
            publics=[["jeunes"], ["femmes", "seniors"]][index % 2],
            modes_accueil=[["en-presentiel"], ["a-distance", "en-presentiel"]][index % 2],
            zone_eligibilite=[["93"], [], ["france"]][index % 3],
        )
    moved = make_service(structure=structure, modes_accueil=["a-distance"])
    db_session.execute(
        text("UPDATE service SET zone_eligibilite = ARRAY['75'], publics = NULL WHERE id = :id"),
        {"id": moved.id},
    )
    db_session.execute(text("UPDATE service SET statut = 'brouillon' WHERE nom = 'x-none'"))
    db_session.execute(
        text("UPDATE structure SET moderation = 'en-attente' WHERE id = :id"),
        {"id": structure.id},
    )
    db_session.execute(
        text("UPDATE structure SET moderation = 'validee' WHERE id = :id"), {"id": structure.id}
    )
    incremental = _snapshot(db_session)
    db_session.execute(text("SELECT map_grid_rebuild()"))
    assert _snapshot(db_session) == incremental


def test_suspension_dates_need_no_write_to_take_effect(db_session, make_service):
    """The grid counts suspended services; maps subtract those suspended today."""
    from dora.maps import queries
    from dora.maps.filters import MapFilters

    today = date.today()
    view = grid.BBox(2.30, 48.90, 2.40, 48.96)
    request = queries.MapRequest(view, 5, MapFilters())
    before = queries.services_geojson(db_session, request, max_points=0)
    make_service(suspendu_du=today - timedelta(days=1), suspendu_au=today + timedelta(days=3))
    make_service(suspendu_du=today + timedelta(days=10))  # not yet suspended: shown
    after = queries.services_geojson(db_session, request, max_points=0)
    assert after["source"] == "grille"
    assert after["total"] == before["total"] + 1


def test_recount_command_restores_the_counts(app, db_session, make_service):
    make_service()
    expected = _snapshot(db_session)
    db_session.execute(text("DELETE FROM map_grid_cell; DELETE FROM map_commune_stat"))
    assert _snapshot(db_session) != expected
    from dora.maps.cli import command

    result = app.test_cli_runner().invoke(command, ["recompter"])
    assert result.exit_code == 0, result.output
    assert "map_grid_cell : 0 →" in result.output
    assert _snapshot(db_session) == expected

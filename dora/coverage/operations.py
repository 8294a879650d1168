"""`rebuild`: compute the whole coverage of France from the search index, in one transaction.

Which services count, and for whom, is defined once in `dora.rules` (SQL functions of
migration 0009); nothing of it is rewritten here:
- visibility: a service counts when it has a row in `search_document` (published, structure
  validated: `dora_is_public` in the index triggers) that today's suspension window does not
  hide (`dora_not_suspended`, `dora.rules.NOT_SUSPENDED_SQL`);
- on site / remote: the `on_site` and `remote` columns of `search_document`
  (`dora_on_site`, `dora_remote`: a service with neither a mode nor a point, « lieu non
  précisé », is shown like a remote one, so it counts as remote here too);
- zone normalisation (empty, `france`, `99100` → « * »): the `elig` column (`dora_elig`);
- eligibility expansion (a commune → its own code, its EPCI, its département, « * »; an
  arrondissement → also its commune): `dora_place_codes` for every unit, compared with
  `elig &&` as the search's conditions do;
- category expansion: a document's `keys` hold the key of each thématique's category
  (`dora_thematiques_expanded`), so a need is one facet key.
tests/coverage/test_coverage_figures.py holds the figures to the search's own answers.

Distances are sphere distances between the unit's reference point (the one the search uses
for that commune or arrondissement) and the service's point, as `ST_DWithin(…, false)` in the
search's radius filter: a commune is covered at d km exactly when a search from it with
`rayon_km=d` lists an on-site service of that need.

How the on-site cells are computed (the costly part: at 1,000,000 services, 946,576 on-site
documents in 610,330 sites — same point, same eligibility —, about 40 million eligible
(unit, site) pairs within 30 km and 150 million pair × need rows): one call per unit of a
PARALLEL SAFE function (`_UNIT_CELLS_FUNCTION`), so that both cores share the units and
each grouping by need stays small. Sites open everywhere or to a département are found by
distance (GiST), those open to communes or EPCI by their codes (GIN), both kept by the
same `elig && codes`; each site carries its needs as arrays (no join per pair); the
distance is computed once per pair. The figures are those of the previous plan (a join of
every pair to every site × need, then one grouping of all of them) to the unit: both were
run on the 100,000- and 1,000,000-service bench databases and every row of coverage_cell
and coverage_territory compared equal.

Freshness of the figures: rebuilt as a whole (a nightly cron, and after imports), not kept
by triggers. A single service change touches up to ~200 units × its needs within 30 km and
every aggregate above them, and the figures also change with no write at all when a
suspension window opens or closes at midnight. A rebuild takes about 47 s at 100,000
services and 2 min 50 s at 1,000,000 (2 cores shared with other jobs, load average 2–3;
`make bench`, `coverage.calcul`). The pages date the figures and warn when the catalogue
changed since (`dora.coverage.queries.freshness`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import text
from sqlalchemy.orm import Session

from dora import rules
from dora.offers.kinds import COVERAGE_NEEDS
from dora.offers.kinds import coverage_needs_sql as offer_needs_sql

DISTANCES_KM = (5, 10, 15, 20, 30)
DEFAULT_DISTANCE_KM = 15
MAX_DISTANCE_M = max(DISTANCES_KM) * 1000
FRESH_MONTHS = 12
ALL_NEEDS = 0  # need number of "all thématiques"
# Training and inclusive employment, needs of their own (dora.offers.kinds).
OFFER_NEED_ROWS = ", ".join(f"({n.number}::smallint, '{n.value}')" for n in COVERAGE_NEEDS)
# Territory levels of the aggregates, and the column of coverage_unit naming each.
LEVEL_COLUMNS = {
    "france": None,
    "region": "region_code",
    "departement": "departement_code",
    "epci": "epci_code",
}
FRANCE_CODE = "FR"
# Levels whose largest uncovered unit is precomputed (the others are small enough to read).
LARGEST_PRECOMPUTED = ("france", "region", "departement")
_LOCK_KEY = 0x636F7665  # "cove": one computation at a time

_STAGING = (
    "coverage_tmp_unit",
    "coverage_tmp_doc",
    "coverage_tmp_site",
    "coverage_tmp_cell",
    "coverage_tmp_remote",
)

# The cells of one unit: every need met by an eligible on-site service within 30 km, with the
# distance to the nearest and the number of services within each distance. One call per unit
# (`CROSS JOIN LATERAL` over coverage_tmp_unit) keeps each grouping small (one unit's needs)
# and lets both cores share the units: PostgreSQL 15 runs no lateral subquery in a parallel
# worker, but does run a PARALLEL SAFE function, and plpgsql keeps it from being inlined.
# Created with the staging tables (it reads them) and dropped with them.
# - Wide sites (everywhere or a département) through the GiST index: `&&` on the box of 30 km
#   around the unit (what `ST_DWithin` checks first); narrow ones (communes, EPCI) through
#   the GIN index on their codes. Both keep the search's `elig && codes`.
# - The distance is computed once per pair (`OFFSET 0` keeps the planner from copying the
#   call into each use); the 30 km cut stays `ST_DWithin(…, false)` as in the search's
#   radius, asked only where the two sphere computations could disagree (they differ by
#   nanometres). A pair beyond it unnests no need (`unnest(NULL)` is no row).
# - Needs come from the site's arrays (coverage_tmp_site.needs/counts): no join per pair.
# - A FOR loop rather than RETURN QUERY: plpgsql plans RETURN QUERY as parallel-capable, and
#   in the leader (not a worker) the planner may then give each call its own Gather, whose
#   set-up per unit made the leader's share 30 times slower; a loop's query never is.
_UNIT_CELLS = "coverage_tmp_unit_cells(geography, text[])"
_WITHIN = (
    f"y.d <= {MAX_DISTANCE_M + 1} AND (y.d <= {MAX_DISTANCE_M - 1}"
    f" OR ST_DWithin(y.location, here, {MAX_DISTANCE_M}, false))"
)
_UNIT_CELLS_FUNCTION = f"""CREATE FUNCTION coverage_tmp_unit_cells(here geography, codes text[])
RETURNS TABLE (need smallint, nearest float8, n5 int, n10 int, n15 int, n20 int, n30 int)
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
    r record;
BEGIN
    FOR r IN
    SELECT p.need, min(p.d) AS nearest, {
    ", ".join(
        f"coalesce(sum(p.n) FILTER (WHERE p.d <= {km * 1000}), 0)::int AS n{km}"
        for km in DISTANCES_KM
    )
}
    FROM (
        SELECT y.d, unnest(CASE WHEN {_WITHIN} THEN y.needs END) AS need,
            unnest(CASE WHEN {_WITHIN} THEN y.counts END) AS n
        FROM (
            SELECT s.location, s.needs, s.counts, ST_Distance(here, s.location, false) AS d
            FROM coverage_tmp_site AS s
            WHERE s.wide AND s.location && _ST_Expand(here, {MAX_DISTANCE_M})
                AND s.elig && codes
            UNION ALL
            SELECT s.location, s.needs, s.counts, ST_Distance(here, s.location, false)
            FROM coverage_tmp_site AS s
            WHERE NOT s.wide AND s.elig && codes
            OFFSET 0
        ) AS y
    ) AS p
    GROUP BY p.need
    LOOP
        need := r.need;
        nearest := r.nearest;
        {" ".join(f"n{km} := r.n{km};" for km in DISTANCES_KM)}
        RETURN NEXT;
    END LOOP;
END
$$"""


@dataclass(frozen=True)
class RunResult:
    duration_s: float
    services_on_site: int
    services_remote: int
    units: int
    cells: int
    steps: tuple[tuple[str, float], ...]


def visible_today_sql() -> str:
    """The suspension rule as SQL over the `search_document` table (not aliased)."""
    return rules.NOT_SUSPENDED_SQL.format(alias="search_document")


def _needs_of_documents(keys: list[int]) -> Callable[[str], str]:
    """SQL rows (`need`) of the needs a document meets, for a LATERAL join on the documents
    aliased by the argument: its thématique keys that are needs, 0 (all), its offer needs.

    The needs' keys are a constant array, which PostgreSQL tests by a hash built once; a
    subquery on coverage_need here was joined again for every document (11.4 s instead of
    3.4 s per pass over the 946,576 on-site documents of the million-service bench)."""
    keys_sql = "'{" + ",".join(str(int(key)) for key in keys) + "}'::smallint[]"

    def needs_of(document: str) -> str:
        return (
            f"SELECT k AS need FROM unnest({document}.keys) AS k WHERE k = ANY ({keys_sql}) "
            f"UNION ALL SELECT 0::smallint "
            f"UNION ALL {offer_needs_sql(f'{document}.service_id')}"
        )

    return needs_of


def rebuild(session: Session, *, progress=None) -> RunResult:
    """Recompute every table of the observatory; flushes only (the caller commits, which
    publishes the new figures at once: readers see the old ones until then)."""
    say = progress or (lambda _message: None)
    steps: list[tuple[str, float]] = []
    started_at = datetime.now(UTC)
    started = time.perf_counter()
    last = started

    def step(name: str) -> None:
        nonlocal last
        now = time.perf_counter()
        steps.append((name, now - last))
        say(f"{name} : {now - last:.1f} s")
        last = now

    run = session.execute
    run(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
    # Derived data read by pages in one go: large sorts in memory, both cores for the joins
    # (staging tables are regular unlogged tables so that parallel workers can read them).
    run(text("SET LOCAL work_mem = '256MB'"))
    run(text("SET LOCAL max_parallel_workers_per_gather = 2"))
    run(text("SET LOCAL parallel_setup_cost = 100"))
    run(text("SET LOCAL parallel_tuple_cost = 0.01"))
    run(text("SET LOCAL min_parallel_table_scan_size = 0"))
    # Transactions from this one on are not in the figures (those still running now are
    # missed too, but rare and caught by the next night's run).
    search_xid = run(
        text("SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint")
    ).scalar_one()
    for table in _STAGING:
        run(text(f"DROP TABLE IF EXISTS {table}"))
    run(text(f"DROP FUNCTION IF EXISTS {_UNIT_CELLS}"))

    # Units and their eligibility codes (dora_place_codes: the person side of the rule) ----
    run(
        text(
            """CREATE UNLOGGED TABLE coverage_tmp_unit AS
            WITH u(code, commune_code, arrondissement) AS (
                SELECT c.code, c.code, NULL FROM commune AS c
                WHERE NOT EXISTS (SELECT 1 FROM arrondissement_municipal AS a
                                  WHERE a.commune_code = c.code)
                UNION ALL
                SELECT a.code, a.commune_code, a.code FROM arrondissement_municipal AS a)
            SELECT (row_number() OVER (ORDER BY u.code))::int AS id, u.code::text AS code,
                m.code::text AS commune_code, coalesce(a.nom, m.nom) AS nom,
                coalesce(a.population, m.population) AS population,
                m.epci_code::text AS epci_code, m.departement_code::text AS departement_code,
                m.region_code::text AS region_code,
                coalesce(a.location, m.location) AS location,
                dora_place_codes(u.commune_code, u.arrondissement) AS codes
            FROM u
            JOIN commune AS m ON m.code = u.commune_code
            LEFT JOIN arrondissement_municipal AS a ON a.code = u.arrondissement
            -- Neighbours together: a worker's next units read the sites of its last ones.
            ORDER BY ST_GeoHash(coalesce(a.location, m.location)::geometry)"""
        )
    )
    run(text("CREATE INDEX ON coverage_tmp_unit USING gist (location)"))
    run(text("ANALYZE coverage_tmp_unit"))
    step("communes")

    # Needs: every thématique key of the search (categories and sub-thèmes), 0 for all.
    run(text("DELETE FROM coverage_need"))
    run(
        text(
            f"""INSERT INTO coverage_need (need, thematique, remote_everywhere)
            SELECT 0, '', 0 UNION ALL
            SELECT k, value, 0 FROM search_facet_key WHERE dim = 'thematiques'
            UNION ALL SELECT need, value, 0 FROM (VALUES {OFFER_NEED_ROWS}) AS o(need, value)"""
        )
    )
    needs_of = _needs_of_documents(
        run(text("SELECT need FROM coverage_need WHERE need <> 0 ORDER BY need")).scalars().all()
    )

    # On-site services, grouped into sites (same point, same eligibility) ----------------
    visible = visible_today_sql()
    run(
        text(
            f"""CREATE UNLOGGED TABLE coverage_tmp_doc AS
            SELECT dense_rank() OVER (ORDER BY search_document.location::bytea,
                                      search_document.elig) AS site,
                search_document.location, search_document.elig, search_document.keys,
                search_document.service_id,
                search_document.date_maj
            FROM search_document
            WHERE search_document.on_site AND ({visible})"""
        )
    )
    # A site carries its needs and the number of its documents meeting each (need 0: all of
    # them) as two parallel arrays, so that a pair (unit, site) needs no join to count them.
    # Rows are stored in geohash order: the sites near one unit sit on few pages.
    run(
        text(
            f"""CREATE UNLOGGED TABLE coverage_tmp_site AS
            WITH s AS (
                SELECT DISTINCT ON (site) site, location, elig FROM coverage_tmp_doc
                ORDER BY site
            ), sn AS (
                SELECT d.site, n.need, count(*)::int AS n
                FROM coverage_tmp_doc AS d
                CROSS JOIN LATERAL ({needs_of("d")}) AS n
                GROUP BY 1, 2
            ), needs AS (
                SELECT site, array_agg(need ORDER BY need) AS needs,
                    array_agg(n ORDER BY need) AS counts
                FROM sn GROUP BY site
            )
            SELECT s.site, s.location, s.elig,
                -- Wide: open everywhere or to a département (short codes): found by
                -- distance. Narrow (communes, EPCI): found by their codes, far fewer pairs
                -- to test. Both paths apply the same `elig && codes`.
                s.elig && ARRAY['*'] OR EXISTS (
                    SELECT 1 FROM unnest(s.elig) AS e(code) WHERE length(e.code) <= 3) AS wide,
                needs.needs, needs.counts
            FROM s JOIN needs ON needs.site = s.site
            ORDER BY ST_GeoHash(s.location::geometry)"""
        )
    )
    run(text("CREATE INDEX ON coverage_tmp_site USING gist (location) WHERE wide"))
    run(text("CREATE INDEX ON coverage_tmp_site USING gin (elig) WHERE NOT wide"))
    run(text("ANALYZE coverage_tmp_site"))
    step("lieux des services sur place")

    # Unit × need: eligible on-site services within 30 km --------------------------------
    run(text(_UNIT_CELLS_FUNCTION))
    run(
        text(
            """CREATE UNLOGGED TABLE coverage_tmp_cell AS
            SELECT u.id AS unit, c.need, c.nearest, c.n5, c.n10, c.n15, c.n20, c.n30
            FROM coverage_tmp_unit AS u
            CROSS JOIN LATERAL coverage_tmp_unit_cells(u.location, u.codes) AS c"""
        )
    )
    step("services sur place à moins de 30 km")

    # Unit × need: eligible remote services (equality on codes is `&&`, code by code) ----
    run(
        text(
            f"""CREATE UNLOGGED TABLE coverage_tmp_remote AS
            WITH d AS MATERIALIZED (
                SELECT search_document.elig, n.need, count(*)::int AS n
                FROM search_document
                CROSS JOIN LATERAL ({needs_of("search_document")}) AS n
                WHERE search_document.remote AND ({visible})
                GROUP BY 1, 2
            ), sets AS (
                -- Those eligible everywhere are counted once per need (coverage_need).
                SELECT row_number() OVER () AS id, elig
                FROM (SELECT DISTINCT elig FROM d WHERE NOT elig && ARRAY['*']) AS x
            ), by_code AS (
                SELECT DISTINCT s.id, e.code FROM sets AS s, unnest(s.elig) AS e(code)
            ), reach AS (
                SELECT DISTINCT u.id AS unit, b.id
                FROM coverage_tmp_unit AS u, unnest(u.codes) AS uc(code)
                JOIN by_code AS b ON b.code = uc.code
            )
            SELECT r.unit, d.need, sum(d.n)::int AS n
            FROM reach AS r JOIN sets AS s ON s.id = r.id JOIN d ON d.elig = s.elig
            GROUP BY 1, 2"""
        )
    )
    run(
        text(
            f"""UPDATE coverage_need AS n SET remote_everywhere = r.n
            FROM (
                SELECT x.need, count(*) AS n FROM search_document
                CROSS JOIN LATERAL ({needs_of("search_document")}) AS x
                WHERE search_document.remote AND ({visible})
                    AND search_document.elig && ARRAY['*']
                GROUP BY 1) AS r
            WHERE r.need = n.need"""
        )
    )
    step("services à distance")

    # Publish: cells and units ----------------------------------------------------------------
    run(text("DELETE FROM coverage_cell"))
    run(
        text(
            f"""INSERT INTO coverage_cell (unit, need, nearest_m, n5, n10, n15, n20, n30, remote)
            SELECT coalesce(c.unit, r.unit), coalesce(c.need, r.need),
                ceil(c.nearest)::int,
                {", ".join(f"coalesce(c.n{km}, 0)" for km in DISTANCES_KM)},
                coalesce(r.n, 0)
            FROM coverage_tmp_cell AS c
            FULL JOIN coverage_tmp_remote AS r ON r.unit = c.unit AND r.need = c.need"""
        )
    )
    run(text("DELETE FROM coverage_unit"))
    run(
        text(
            """INSERT INTO coverage_unit (id, code, commune_code, nom, population, epci_code,
                departement_code, region_code, longitude, latitude)
            SELECT id, code, commune_code, nom, population, epci_code, departement_code,
                region_code, ST_X(location::geometry), ST_Y(location::geometry)
            FROM coverage_tmp_unit"""
        )
    )
    run(text("ANALYZE coverage_cell"))
    run(text("ANALYZE coverage_unit"))
    step("cellules")

    _aggregate(session, visible, needs_of)
    step("agrégats par territoire")
    _largest_uncovered(session)
    step("plus grandes communes non couvertes")

    counts = run(
        text(
            f"""SELECT
                (SELECT count(*) FROM search_document
                 WHERE search_document.on_site AND ({visible})) AS on_site,
                (SELECT count(*) FROM search_document
                 WHERE search_document.remote AND ({visible})) AS remote,
                (SELECT count(*) FROM coverage_unit) AS units,
                (SELECT count(*) FROM coverage_cell) AS cells"""
        )
    ).one()
    for table in _STAGING:
        run(text(f"DROP TABLE IF EXISTS {table}"))
    run(text(f"DROP FUNCTION IF EXISTS {_UNIT_CELLS}"))
    duration = time.perf_counter() - started
    run(
        text(
            """INSERT INTO coverage_run (started_at, finished_at, duration_s, services_on_site,
                services_remote, units, cells, search_xid)
            VALUES (:started, :finished, :duration, :on_site, :remote, :units, :cells, :xid)"""
        ),
        {
            "started": started_at,
            "finished": datetime.now(UTC),
            "duration": duration,
            "on_site": counts.on_site,
            "remote": counts.remote,
            "units": counts.units,
            "cells": counts.cells,
            "xid": search_xid,
        },
    )
    session.flush()
    return RunResult(
        duration_s=duration,
        services_on_site=counts.on_site,
        services_remote=counts.remote,
        units=counts.units,
        cells=counts.cells,
        steps=tuple(steps),
    )


def _aggregate(session: Session, visible: str, needs_of: Callable[[str], str]) -> None:
    """coverage_territory from the units and cells (and services located in territories)."""
    run = session.execute
    run(text("DELETE FROM coverage_territory"))
    territory_of_unit = " UNION ALL ".join(
        f"SELECT id AS unit, population, '{level}' AS level, "
        f"{column if column else repr(FRANCE_CODE)}::text AS code FROM coverage_unit"
        + (f" WHERE {column} IS NOT NULL" if column else "")
        for level, column in LEVEL_COLUMNS.items()
    )
    covered = ", ".join(
        f"coalesce(sum(t.population) FILTER (WHERE c.nearest_m <= {km * 1000}), 0) AS pop{km}, "
        f"count(*) FILTER (WHERE c.nearest_m <= {km * 1000}) AS units{km}"
        for km in DISTANCES_KM
    )
    rolled_up = ", ".join(
        [f"sum(b.pop{km}), sum(b.units{km})" for km in DISTANCES_KM] + ["sum(b.pop_remote)"]
    )
    pick_pop = " ".join(f"WHEN {km} THEN cv.pop{km}" for km in DISTANCES_KM)
    pick_units = " ".join(f"WHEN {km} THEN cv.units{km}" for km in DISTANCES_KM)
    distances = ", ".join(f"({km})" for km in DISTANCES_KM)
    run(
        text(
            f"""INSERT INTO coverage_territory (level, code, need, distance_km, population,
                population_covered, population_remote, units, units_uncovered, services,
                services_fresh)
            WITH t AS MATERIALIZED ({territory_of_unit}),
            totals AS (
                SELECT level, code, sum(population) AS population, count(*) AS units
                FROM t GROUP BY 1, 2
            ),
            -- Cells are read once for EPCI and départements; régions and France add up
            -- their départements (EPCI may straddle them, départements never do).
            base AS MATERIALIZED (
                SELECT t.level, t.code, c.need, {covered},
                    coalesce(sum(t.population) FILTER (WHERE c.remote > 0), 0) AS pop_remote
                FROM t JOIN coverage_cell AS c ON c.unit = t.unit
                WHERE t.level IN ('epci', 'departement')
                GROUP BY 1, 2, 3
            ),
            departement_region AS (
                SELECT DISTINCT departement_code, region_code FROM coverage_unit
            ),
            cv AS (
                SELECT * FROM base
                UNION ALL
                SELECT 'region', r.region_code::text, b.need, {rolled_up}
                FROM base AS b JOIN departement_region AS r ON r.departement_code = b.code
                WHERE b.level = 'departement' GROUP BY 2, 3
                UNION ALL
                SELECT 'france', '{FRANCE_CODE}', b.need, {rolled_up}
                FROM base AS b WHERE b.level = 'departement' GROUP BY 3
            ),
            located AS (
                -- On-site services by the commune of their code_insee (an arrondissement's
                -- is its commune; a former code is not counted).
                SELECT coalesce(a.commune_code, m.code) AS commune_code, n.need,
                    count(*) AS n,
                    count(*) FILTER (WHERE search_document.date_maj
                                     >= current_date - interval '{FRESH_MONTHS} months') AS fresh
                FROM search_document
                JOIN service AS s ON s.id = search_document.service_id
                LEFT JOIN arrondissement_municipal AS a ON a.code = s.code_insee
                LEFT JOIN commune AS m ON m.code = s.code_insee
                CROSS JOIN LATERAL ({needs_of("search_document")}) AS n
                WHERE search_document.on_site AND ({visible})
                    AND coalesce(a.commune_code, m.code) IS NOT NULL
                GROUP BY 1, 2
            ),
            services AS (
                SELECT x.level, x.code, l.need, sum(l.n) AS n, sum(l.fresh) AS fresh
                FROM located AS l
                JOIN commune AS m ON m.code = l.commune_code
                CROSS JOIN LATERAL (VALUES ('france', '{FRANCE_CODE}'),
                    ('region', m.region_code::text), ('departement', m.departement_code::text),
                    ('epci', m.epci_code::text)) AS x(level, code)
                WHERE x.code IS NOT NULL
                GROUP BY 1, 2, 3
            )
            SELECT tt.level, tt.code, n.need, d.km, tt.population,
                coalesce(CASE d.km {pick_pop} END, 0),
                CASE WHEN n.remote_everywhere > 0 THEN tt.population
                     ELSE coalesce(cv.pop_remote, 0) END,
                tt.units,
                tt.units - coalesce(CASE d.km {pick_units} END, 0),
                coalesce(sv.n, 0), coalesce(sv.fresh, 0)
            FROM totals AS tt
            CROSS JOIN coverage_need AS n
            CROSS JOIN (VALUES {distances}) AS d(km)
            LEFT JOIN cv ON cv.level = tt.level AND cv.code = tt.code AND cv.need = n.need
            LEFT JOIN services AS sv
                ON sv.level = tt.level AND sv.code = tt.code AND sv.need = n.need"""
        )
    )


def _largest_uncovered(session: Session) -> None:
    """The most populated uncovered unit of France, each région and each département, for
    each need and distance (EPCI and commune pages read it from the cells)."""
    for level in LARGEST_PRECOMPUTED:
        column = LEVEL_COLUMNS[level]
        where = f"u.{column} = t.code" if column else "true"
        session.execute(
            text(
                f"""UPDATE coverage_territory AS t SET largest_uncovered = (
                    SELECT u.id FROM coverage_unit AS u
                    WHERE {where} AND NOT EXISTS (
                        SELECT 1 FROM coverage_cell AS c
                        WHERE c.unit = u.id AND c.need = t.need
                            AND c.nearest_m <= t.distance_km * 1000)
                    ORDER BY u.population DESC, u.id LIMIT 1)
                WHERE t.level = :level AND t.units_uncovered > 0"""
            ),
            {"level": level},
        )

"""SQL of the triggers that keep the map count tables in step with `search_document`.

The counts (`map_grid_cell`, `map_commune_stat`, `map_remote_zone`, see dora.maps.models)
are derived from the search index, not from `service`: what a document is (public, on site,
remote, eligible where, in which categories) is decided once by the rules of dora.rules when
the document is written, and these triggers only add up its columns. Created by migration
`0009_search_rules`, and again on the new table by `dora search reindex` after its swap
(dora.search.sync), after the changes made meanwhile have been replayed (the old table's
triggers had already counted them).

Statement-level triggers with transition tables apply the signed deltas of every write in the
writer's transaction; `map_grid_rebuild()` recomputes everything from the index.
"""

from __future__ import annotations

# Stored levels: a cell of level L is one of 2^L × 2^L cells of the Web Mercator world (see
# migration 0005 and dora.maps.grid.STORED_LEVELS, a test checks they agree).
LEVELS = (11, 14)
FINEST = max(LEVELS)

# Columns of a document these counts depend on (an UPDATE that changes none moves nothing).
COUNTED = (
    "location",
    "on_site",
    "remote",
    "place_unknown",
    "elig",
    "categories",
    "publics",
    "code_insee",
)


def _rows(source: str, sign: str, where: str = "") -> str:
    columns = ", ".join(f"r.{c}" for c in COUNTED)
    return f"SELECT {sign} AS sign, {columns} FROM {source} AS r {where}"


def apply(rows: str) -> str:
    """One statement adding signed document rows (`_rows`) to the three tables."""
    rollups = " UNION ALL ".join(
        f"""SELECT {level}::smallint, categorie, cx >> {FINEST - level}, cy >> {FINEST - level},
            sum(n)::integer, sum(sum_lon), sum(sum_lat)
        FROM finest GROUP BY 2, 3, 4"""
        for level in LEVELS
        if level != FINEST
    )
    return f"""
        WITH base AS MATERIALIZED ({rows}),
        located AS MATERIALIZED (
            -- OFFSET 0: the geography is cast once per row, not once per use
            SELECT sign, ST_X(g) AS lon, ST_Y(g) AS lat, categories, publics, code_insee
            FROM (SELECT b.*, b.location::geometry AS g FROM base AS b WHERE b.on_site
                  OFFSET 0) AS on_site
        ),
        finest AS (
            SELECT c.categorie,
                map_cell_x(p.lon, {FINEST}) AS cx, map_cell_y(p.lat, {FINEST}) AS cy,
                sum(p.sign)::integer AS n, sum(p.sign * p.lon) AS sum_lon,
                sum(p.sign * p.lat) AS sum_lat
            FROM located AS p
            -- every service counts once in "all" ('') and once per category
            CROSS JOIN LATERAL (
                SELECT '' UNION SELECT unnest(p.categories)
            ) AS c(categorie)
            GROUP BY 1, 2, 3
        ),
        cells AS (
            INSERT INTO map_grid_cell AS g (level, categorie, cx, cy, n, sum_lon, sum_lat)
            SELECT * FROM (
                SELECT {FINEST}::smallint, categorie, cx, cy, n, sum_lon, sum_lat FROM finest
                UNION ALL {rollups}
            ) AS cells
            -- a fixed order so that concurrent writers lock rows in the same order
            ORDER BY 1, 2, 3, 4
            ON CONFLICT (level, categorie, cx, cy) DO UPDATE SET
                n = g.n + EXCLUDED.n,
                sum_lon = g.sum_lon + EXCLUDED.sum_lon,
                sum_lat = g.sum_lat + EXCLUDED.sum_lat
            RETURNING 1
        ),
        communes AS (
            INSERT INTO map_commune_stat AS m (code_insee, cle, n, sum_lon, sum_lat)
            SELECT p.code_insee, k.cle, sum(p.sign)::integer, sum(p.sign * p.lon),
                sum(p.sign * p.lat)
            FROM located AS p
            CROSS JOIN LATERAL (
                SELECT ''
                UNION SELECT 'c:' || unnest(p.categories)
                UNION SELECT 'p:' || unnest(p.publics)
            ) AS k(cle)
            WHERE p.code_insee IS NOT NULL
            GROUP BY 1, 2
            ORDER BY 1, 2
            ON CONFLICT (code_insee, cle) DO UPDATE SET
                n = m.n + EXCLUDED.n,
                sum_lon = m.sum_lon + EXCLUDED.sum_lon,
                sum_lat = m.sum_lat + EXCLUDED.sum_lat
            RETURNING 1
        )
        -- Remote services proper (`a-distance`); those shown like them for want of a place
        -- (« lieu non précisé ») are not "à distance" on territory pages.
        INSERT INTO map_remote_zone AS z (zone, n)
        SELECT b.elig, sum(b.sign)::integer FROM base AS b
        WHERE b.remote AND NOT b.place_unknown
        GROUP BY 1 ORDER BY 1
        ON CONFLICT (zone) DO UPDATE SET n = z.n + EXCLUDED.n"""


def _update_rows() -> str:
    # Both sides of the rows whose counted columns changed.
    columns = ["location::text" if c == "location" else c for c in COUNTED]
    unchanged = (
        "SELECT 1 FROM {other} AS u WHERE u.service_id = r.service_id AND ("
        + ", ".join(f"u.{c}" for c in columns)
        + ") IS NOT DISTINCT FROM ("
        + ", ".join(f"r.{c}" for c in columns)
        + ")"
    )
    return (
        _rows("old_rows", "-1", f"WHERE NOT EXISTS ({unchanged.format(other='new_rows')})")
        + " UNION ALL "
        + _rows("new_rows", "1", f"WHERE NOT EXISTS ({unchanged.format(other='old_rows')})")
    )


FUNCTIONS = f"""
CREATE FUNCTION map_count_document_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {apply(_rows("new_rows", "1"))};
    RETURN NULL;
END $$;
CREATE FUNCTION map_count_document_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {apply(_rows("old_rows", "-1"))};
    RETURN NULL;
END $$;
CREATE FUNCTION map_count_document_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {apply(_update_rows())};
    RETURN NULL;
END $$;
CREATE FUNCTION map_count_document_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM map_grid_cell;
    DELETE FROM map_commune_stat;
    DELETE FROM map_remote_zone;
    RETURN NULL;
END $$;
CREATE FUNCTION map_grid_rebuild() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM map_grid_cell;
    DELETE FROM map_commune_stat;
    DELETE FROM map_remote_zone;
    {apply(_rows("search_document", "1"))};
END $$;
"""

FUNCTION_SIGNATURES = (
    "map_grid_rebuild()",
    "map_count_document_truncate()",
    "map_count_document_update()",
    "map_count_document_delete()",
    "map_count_document_insert()",
)

TRIGGER_NAMES = (
    "map_count_document_insert",
    "map_count_document_update",
    "map_count_document_delete",
    "map_count_document_truncate",
)

TRIGGERS = """
CREATE TRIGGER map_count_document_insert AFTER INSERT ON search_document
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION map_count_document_insert();
CREATE TRIGGER map_count_document_update AFTER UPDATE ON search_document
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION map_count_document_update();
CREATE TRIGGER map_count_document_delete AFTER DELETE ON search_document
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION map_count_document_delete();
CREATE TRIGGER map_count_document_truncate AFTER TRUNCATE ON search_document
    FOR EACH STATEMENT EXECUTE FUNCTION map_count_document_truncate();
"""

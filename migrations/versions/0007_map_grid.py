"""Maps: a grid of service counts per map cell, kept in step by triggers.

Clustering a million services on the fly takes seconds; national and regional map views read
this grid instead. Each row counts the services shown on maps (published, on site, located,
structure validated — suspensions are subtracted at query time because they depend on the
date) in one Web Mercator cell, for all thématiques (`categorie = ''`) and per category.
Statement-level triggers with transition tables apply the deltas of every write (COPY and
bulk statements included) in the writer's transaction; `map_grid_rebuild()` recomputes it.

Revision ID: 0007
Revises: 0001
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0001"
branch_labels = None
depends_on = None

# Stored levels: a cell of level L is one of 2^L × 2^L cells of the Web Mercator world, i.e.
# a 64-pixel square at map zoom L - 2. Level 14 serves zooms 10 to 12 and level 11 the zooms
# below (fewer rows to read); closer zooms are clustered on the fly. Kept in step with
# dora.maps.grid.STORED_LEVELS (a test checks it).
LEVELS = (11, 14)
FINEST = max(LEVELS)

# A service drawn on maps: published, located, and on site (or with no mode given).
ON_MAP = """r.statut = 'publie' AND r.location IS NOT NULL
    AND (r.modes_accueil IS NULL OR cardinality(r.modes_accueil) = 0
         OR 'en-presentiel' = ANY(r.modes_accueil))"""

# Plain SQL expressions (not STRICT) so that PostgreSQL inlines them: a function call per row
# would triple the cost of a rebuild.
CELL_FUNCTIONS = """
CREATE FUNCTION map_cell_x(lon double precision, level integer) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT least(greatest(floor((lon + 180.0) / 360.0 * (1 << level)), 0),
                 (1 << level) - 1)::integer
$$;
CREATE FUNCTION map_cell_y(lat double precision, level integer) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT least(greatest(floor(
        (1.0 - ln(tan(pi() / 4.0 + radians(least(greatest(lat, -85.0511), 85.0511)) / 2.0)) / pi())
        / 2.0 * (1 << level)), 0), (1 << level) - 1)::integer
$$;
"""


def _contributions(source: str, sign: str, extra_where: str = "") -> str:
    """Rows (sign, lon, lat, thematiques) of `source` that maps show."""
    # OFFSET 0 keeps the subquery apart so the geography is cast once per row, not twice.
    return f"""
        SELECT sign, ST_X(g) AS lon, ST_Y(g) AS lat, thematiques FROM (
            SELECT {sign} AS sign, r.location::geometry AS g, r.thematiques
            FROM {source} AS r JOIN structure AS st ON st.id = r.structure_id
            WHERE {ON_MAP} AND st.moderation = 'validee' {extra_where}
            OFFSET 0) AS located"""


def _apply(contributions: str) -> str:
    """Add the contributions to the grid: one upsert per (level, categorie, cell)."""
    rollups = " UNION ALL ".join(
        f"""SELECT {level}::smallint, categorie, cx >> {FINEST - level}, cy >> {FINEST - level},
            sum(n)::integer, sum(sum_lon), sum(sum_lat)
        FROM finest GROUP BY 2, 3, 4"""
        for level in LEVELS
        if level != FINEST
    )
    return f"""
        WITH finest AS (
            SELECT c.categorie,
                map_cell_x(p.lon, {FINEST}) AS cx, map_cell_y(p.lat, {FINEST}) AS cy,
                sum(p.sign)::integer AS n, sum(p.sign * p.lon) AS sum_lon,
                sum(p.sign * p.lat) AS sum_lat
            FROM ({contributions}) AS p
            -- every service counts once in "all" ('') and once per category of its thématiques
            CROSS JOIN LATERAL (
                SELECT '' UNION SELECT split_part(t, '--', 1) FROM unnest(p.thematiques) AS t
            ) AS c(categorie)
            GROUP BY 1, 2, 3
        )
        INSERT INTO map_grid_cell AS g (level, categorie, cx, cy, n, sum_lon, sum_lat)
        SELECT * FROM (
            SELECT {FINEST}::smallint, categorie, cx, cy, n, sum_lon, sum_lat FROM finest
            UNION ALL {rollups}
        ) AS cells
        -- a fixed order so that concurrent writers lock cells in the same order
        ORDER BY 1, 2, 3, 4
        ON CONFLICT (level, categorie, cx, cy) DO UPDATE SET
            n = g.n + EXCLUDED.n,
            sum_lon = g.sum_lon + EXCLUDED.sum_lon,
            sum_lat = g.sum_lat + EXCLUDED.sum_lat"""


# Columns that decide whether and where a service is drawn.
_RELEVANT = ("statut", "location::text", "thematiques", "modes_accueil", "structure_id")


def _columns(alias: str) -> str:
    return ", ".join(f"{alias}.{column}" for column in _RELEVANT)


def _service_trigger_function() -> str:
    # An UPDATE only moves the rows whose drawn columns changed (both sides of the delta).
    unchanged = (
        "SELECT 1 FROM {other} AS u WHERE u.id = r.id"
        f" AND ({_columns('u')}) IS NOT DISTINCT FROM ({_columns('r')})"
    )
    update = (
        _contributions("old_rows", "-1", f"AND NOT EXISTS ({unchanged.format(other='new_rows')})")
        + " UNION ALL "
        + _contributions("new_rows", "1", f"AND NOT EXISTS ({unchanged.format(other='old_rows')})")
    )
    return f"""
CREATE FUNCTION map_grid_service_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {_apply(_contributions("new_rows", "1"))};
    RETURN NULL;
END $$;
CREATE FUNCTION map_grid_service_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {_apply(_contributions("old_rows", "-1"))};
    RETURN NULL;
END $$;
CREATE FUNCTION map_grid_service_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {_apply(update)};
    RETURN NULL;
END $$;
CREATE FUNCTION map_grid_service_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM map_grid_cell;
    RETURN NULL;
END $$;
"""


def _structure_trigger_function() -> str:
    # A structure's validation shows or hides all of its services.
    changed = """
        SELECT s.*, CASE WHEN n.moderation = 'validee' THEN 1 ELSE -1 END AS change
        FROM service AS s
        JOIN new_rows AS n ON n.id = s.structure_id
        JOIN old_rows AS o ON o.id = n.id
        WHERE (o.moderation = 'validee') <> (n.moderation = 'validee')"""
    contributions = f"""
        SELECT sign, ST_X(g) AS lon, ST_Y(g) AS lat, thematiques FROM (
            SELECT r.change AS sign, r.location::geometry AS g, r.thematiques
            FROM ({changed}) AS r
            WHERE {ON_MAP}
            OFFSET 0) AS located"""
    return f"""
CREATE FUNCTION map_grid_structure_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {_apply(contributions)};
    RETURN NULL;
END $$;
"""


def _rebuild_function() -> str:
    return f"""
CREATE FUNCTION map_grid_rebuild() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM map_grid_cell;
    {_apply(_contributions("service", "1"))};
END $$;
"""


TRIGGERS = """
CREATE TRIGGER map_grid_service_insert AFTER INSERT ON service
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION map_grid_service_insert();
CREATE TRIGGER map_grid_service_update AFTER UPDATE ON service
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION map_grid_service_update();
CREATE TRIGGER map_grid_service_delete AFTER DELETE ON service
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION map_grid_service_delete();
CREATE TRIGGER map_grid_service_truncate AFTER TRUNCATE ON service
    FOR EACH STATEMENT EXECUTE FUNCTION map_grid_service_truncate();
CREATE TRIGGER map_grid_structure_update AFTER UPDATE ON structure
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION map_grid_structure_update();
"""

FUNCTIONS = (
    "map_grid_structure_update()",
    "map_grid_service_truncate()",
    "map_grid_service_update()",
    "map_grid_service_delete()",
    "map_grid_service_insert()",
    "map_grid_rebuild()",
    "map_cell_y(double precision, integer)",
    "map_cell_x(double precision, integer)",
)


def upgrade():
    op.create_table(
        "map_grid_cell",
        sa.Column("level", sa.SmallInteger(), nullable=False),
        sa.Column("categorie", sa.Text(), nullable=False),
        sa.Column("cx", sa.Integer(), nullable=False),
        sa.Column("cy", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("sum_lon", sa.Float(precision=53), nullable=False),
        sa.Column("sum_lat", sa.Float(precision=53), nullable=False),
        sa.PrimaryKeyConstraint("level", "categorie", "cx", "cy", name=op.f("pk_map_grid_cell")),
    )
    # Currently suspended services are subtracted from the grid at query time: few rows.
    op.create_index(
        "ix_service_suspendu_du",
        "service",
        ["suspendu_du"],
        postgresql_where=sa.text("suspendu_du IS NOT NULL"),
    )
    # Services without a commune code are placed in a département by their point.
    op.create_index(
        "ix_service_location_sans_commune",
        "service",
        ["location"],
        postgresql_using="gist",
        postgresql_where=sa.text("code_insee IS NULL"),
    )
    op.execute(CELL_FUNCTIONS)
    op.execute(_service_trigger_function())
    op.execute(_structure_trigger_function())
    op.execute(_rebuild_function())
    op.execute(TRIGGERS)
    op.execute("SELECT map_grid_rebuild()")


def downgrade():
    for trigger, table in (
        ("map_grid_structure_update", "structure"),
        ("map_grid_service_truncate", "service"),
        ("map_grid_service_delete", "service"),
        ("map_grid_service_update", "service"),
        ("map_grid_service_insert", "service"),
    ):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {table}")
    for function in FUNCTIONS:
        op.execute(f"DROP FUNCTION IF EXISTS {function}")
    op.drop_index("ix_service_location_sans_commune", table_name="service")
    op.drop_index("ix_service_suspendu_du", table_name="service")
    op.drop_table("map_grid_cell")

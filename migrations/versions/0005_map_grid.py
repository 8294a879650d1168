"""Maps: precomputed counts for maps and territory pages, kept in step by triggers.

Aggregating a million services on the fly takes seconds; maps and territory pages read
counts kept here instead, for the services the public sees (published, structure validated;
suspensions depend on the date, so they are subtracted at query time):

- `map_grid_cell`: on-site located services per Web Mercator cell, for all thématiques
  (`categorie = ''`) and per category — clusters of national and regional views;
- `map_commune_stat`: on-site services per commune code (arrondissements have theirs): all
  (`cle = ''`), per category (`c:<categorie>`) and per declared public (`p:<public>`), with the
  sums of their coordinates — counts and overview clusters of territory pages;
- `map_remote_zone`: remote services per zone of eligibility (`{*}` for everywhere) — the
  remote services open to a whole territory.

Statement-level triggers with transition tables apply the deltas of every write (COPY and
bulk statements included) in the writer's transaction; `map_grid_rebuild()` recomputes all.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# Stored levels: a cell of level L is one of 2^L × 2^L cells of the Web Mercator world, i.e.
# a 64-pixel square at map zoom L - 2. Level 14 serves zooms 10 to 12 and level 11 the zooms
# below (fewer rows to read); closer zooms are clustered on the fly. Kept in step with
# dora.maps.grid.STORED_LEVELS (a test checks it).
LEVELS = (11, 14)
FINEST = max(LEVELS)

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

# Columns of a service that these counts depend on.
_COLUMNS = (
    "statut",
    "location",
    "thematiques",
    "publics",
    "modes_accueil",
    "zone_eligibilite",
    "code_insee",
)
# Drawn on maps: located, and on site (or no mode given) — as search_document.on_site.
ON_SITE = """b.location IS NOT NULL AND (coalesce(cardinality(b.modes_accueil), 0) = 0
    OR 'en-presentiel' = ANY(b.modes_accueil))"""
REMOTE = "'a-distance' = ANY(b.modes_accueil)"
# A zone of eligibility that is everywhere: empty, the whole country (as the search says).
ZONE = """CASE WHEN coalesce(cardinality(b.zone_eligibilite), 0) = 0
    OR b.zone_eligibilite && ARRAY['france', '99100'] THEN ARRAY['*']
    ELSE b.zone_eligibilite END"""


def _public_rows(source: str, sign: str, extra_where: str = "") -> str:
    """Published rows of `source` whose structure is validated, with a sign (+1 / -1)."""
    columns = ", ".join(f"r.{c}" for c in _COLUMNS)
    return f"""
        SELECT {sign} AS sign, {columns}
        FROM {source} AS r JOIN structure AS st ON st.id = r.structure_id
        WHERE r.statut = 'publie' AND st.moderation = 'validee' {extra_where}"""


def _apply(rows: str) -> str:
    """One statement adding signed service rows to the three tables."""
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
            SELECT sign, ST_X(g) AS lon, ST_Y(g) AS lat, thematiques, publics, code_insee
            FROM (SELECT b.*, b.location::geometry AS g FROM base AS b WHERE {ON_SITE}
                  OFFSET 0) AS on_site
        ),
        finest AS (
            SELECT c.categorie,
                map_cell_x(p.lon, {FINEST}) AS cx, map_cell_y(p.lat, {FINEST}) AS cy,
                sum(p.sign)::integer AS n, sum(p.sign * p.lon) AS sum_lon,
                sum(p.sign * p.lat) AS sum_lat
            FROM located AS p
            -- every service counts once in "all" ('') and once per category of its thématiques
            CROSS JOIN LATERAL (
                SELECT '' UNION SELECT split_part(t, '--', 1) FROM unnest(p.thematiques) AS t
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
                UNION SELECT 'c:' || split_part(t, '--', 1) FROM unnest(p.thematiques) AS t
                UNION SELECT 'p:' || u FROM unnest(p.publics) AS u
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
        INSERT INTO map_remote_zone AS z (zone, n)
        SELECT {ZONE}, sum(b.sign)::integer FROM base AS b WHERE {REMOTE}
        GROUP BY 1 ORDER BY 1
        ON CONFLICT (zone) DO UPDATE SET n = z.n + EXCLUDED.n"""


def _service_trigger_functions() -> str:
    # An UPDATE only moves the rows whose counted columns changed (both sides of the delta).
    columns = ["structure_id", *(f"{c}::text" if c == "location" else c for c in _COLUMNS)]
    unchanged = (
        "SELECT 1 FROM {other} AS u WHERE u.id = r.id AND ("
        + ", ".join(f"u.{c}" for c in columns)
        + ") IS NOT DISTINCT FROM ("
        + ", ".join(f"r.{c}" for c in columns)
        + ")"
    )
    update = (
        _public_rows("old_rows", "-1", f"AND NOT EXISTS ({unchanged.format(other='new_rows')})")
        + " UNION ALL "
        + _public_rows("new_rows", "1", f"AND NOT EXISTS ({unchanged.format(other='old_rows')})")
    )
    return f"""
CREATE FUNCTION map_grid_service_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {_apply(_public_rows("new_rows", "1"))};
    RETURN NULL;
END $$;
CREATE FUNCTION map_grid_service_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {_apply(_public_rows("old_rows", "-1"))};
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
    DELETE FROM map_commune_stat;
    DELETE FROM map_remote_zone;
    RETURN NULL;
END $$;
"""


def _structure_trigger_function() -> str:
    # A structure's validation shows or hides all of its published services.
    columns = ", ".join(f"s.{c}" for c in _COLUMNS)
    changed = f"""
        SELECT CASE WHEN n.moderation = 'validee' THEN 1 ELSE -1 END AS sign, {columns}
        FROM service AS s
        JOIN new_rows AS n ON n.id = s.structure_id
        JOIN old_rows AS o ON o.id = n.id
        WHERE s.statut = 'publie' AND (o.moderation = 'validee') <> (n.moderation = 'validee')"""
    return f"""
CREATE FUNCTION map_grid_structure_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {_apply(changed)};
    RETURN NULL;
END $$;
"""


def _rebuild_function() -> str:
    return f"""
CREATE FUNCTION map_grid_rebuild() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM map_grid_cell;
    DELETE FROM map_commune_stat;
    DELETE FROM map_remote_zone;
    {_apply(_public_rows("service", "1"))};
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
TRIGGER_TABLES = (
    ("map_grid_structure_update", "structure"),
    ("map_grid_service_truncate", "service"),
    ("map_grid_service_delete", "service"),
    ("map_grid_service_update", "service"),
    ("map_grid_service_insert", "service"),
)


def _sums() -> list[sa.Column]:
    # Sums rather than means so that deltas add up: centroid = sum / n.
    return [
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("sum_lon", sa.Float(precision=53), nullable=False),
        sa.Column("sum_lat", sa.Float(precision=53), nullable=False),
    ]


def upgrade():
    op.create_table(
        "map_grid_cell",
        sa.Column("level", sa.SmallInteger(), nullable=False),
        sa.Column("categorie", sa.Text(), nullable=False),
        sa.Column("cx", sa.Integer(), nullable=False),
        sa.Column("cy", sa.Integer(), nullable=False),
        *_sums(),
        sa.PrimaryKeyConstraint("level", "categorie", "cx", "cy", name=op.f("pk_map_grid_cell")),
    )
    op.create_table(
        "map_commune_stat",
        sa.Column("code_insee", sa.Text(), nullable=False),
        sa.Column("cle", sa.Text(), nullable=False),
        *_sums(),
        sa.PrimaryKeyConstraint("code_insee", "cle", name=op.f("pk_map_commune_stat")),
    )
    op.create_table(
        "map_remote_zone",
        sa.Column("zone", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("zone", name=op.f("pk_map_remote_zone")),
    )
    op.create_index("ix_map_remote_zone_zone", "map_remote_zone", ["zone"], postgresql_using="gin")
    # Currently suspended services are subtracted at query time: few rows.
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
    # The few structures the public does not see (waiting for moderation, refused).
    op.create_index(
        "ix_structure_non_validee",
        "structure",
        ["id"],
        postgresql_where=sa.text("moderation <> 'validee'"),
    )
    op.execute(CELL_FUNCTIONS)
    op.execute(_service_trigger_functions())
    op.execute(_structure_trigger_function())
    op.execute(_rebuild_function())
    op.execute(TRIGGERS)
    op.execute("SELECT map_grid_rebuild()")


def downgrade():
    for trigger, table in TRIGGER_TABLES:
        op.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {table}")
    for function in FUNCTIONS:
        op.execute(f"DROP FUNCTION IF EXISTS {function}")
    for index in (
        "ix_structure_non_validee",
        "ix_service_location_sans_commune",
        "ix_service_suspendu_du",
    ):
        op.execute(f"DROP INDEX IF EXISTS {index}")
    for table in ("map_remote_zone", "map_commune_stat", "map_grid_cell"):
        op.execute(f"DROP TABLE IF EXISTS {table}")

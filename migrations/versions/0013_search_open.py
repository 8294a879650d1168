"""« Ouvert le … » in search: a weekly opening mask on services, copied into the index.

- `service.opening_week` (dora.core.opening_week): 14 bits (7 weekdays × morning /
  afternoon) and a bit « open on public holidays as on other days », computed in Python from
  `horaires_accueil` by the parser of the open-now badge; NULL without readable hours.
  Seasonal hours (months) are evaluated for a typical week.
- `search_document.opening_week`, written by `search_document_rows` (re-created from its
  0009_search_rules definition with the new column) and `search_refresh`.
- Existing services are backfilled in batches; their documents follow through the index
  triggers on `service`.

Revision ID: 0013_search_open
Revises: 0010_pro_tools
Create Date: 2026-12-07
"""

import importlib.util
import json
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision = "0013_search_open"
down_revision = "0010_pro_tools"
branch_labels = None
depends_on = None

BATCH = 5_000


def _revision(name: str):
    """An earlier revision's module (its SQL)."""
    path = Path(__file__).with_name(f"{name}.py")
    spec = importlib.util.spec_from_file_location(f"dora_migration_{name}", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _sql(rules_0009):
    """search_document_rows and search_refresh of 0009, with `opening_week`."""
    services_cte = rules_0009.SERVICES_CTE.replace(
        "s.suspendu_au, s.code_insee,", "s.suspendu_au, s.code_insee, s.opening_week,"
    )
    assert "s.opening_week" in services_cte
    columns = rules_0009.DOCUMENT_COLUMNS + ", opening_week"
    updated = ", ".join(f"{column} = EXCLUDED.{column}" for column in columns.split(", ")[1:])
    rows = f"""
CREATE FUNCTION search_document_rows(ids text[]) RETURNS TABLE (
    service_id text, structure_id text, location geography, on_site boolean, remote boolean,
    place_unknown boolean, elig text[], keys smallint[], tsv tsvector, date_maj date,
    suspendu_du date, suspendu_au date, sig integer, elig_id integer, code_insee text,
    categories text[], publics text[], opening_week integer
) LANGUAGE sql STABLE AS $$
    WITH {services_cte}
    SELECT s.id, s.structure_id, s.location,
        dora_on_site(s.location, s.modes_accueil),
        dora_remote(s.location, s.modes_accueil),
        dora_place_unknown(s.location, s.modes_accueil),
        s.elig, c.keys,
        setweight(to_tsvector('dora_french', concat_ws(' ', s.nom, s.structure_nom)), 'A')
            || c.labels
            || setweight(to_tsvector('dora_french', concat_ws(' ', s.description,
                   s.frais_precisions, s.publics_precisions, s.conditions_acces,
                   s.mobilisation_precisions)), 'C'),
        s.date_maj, s.suspendu_du, s.suspendu_au, g.sig, e.id, s.code_insee,
        ARRAY(SELECT DISTINCT dora_category_of(t) FROM unnest(s.th) AS t ORDER BY 1),
        ARRAY(SELECT DISTINCT p FROM unnest(s.pu) AS p ORDER BY 1),
        s.opening_week
    FROM s
    JOIN c ON c.th = s.th AND c.pu = s.pu AND c.fr = s.fr AND c.mo = s.mo AND c.ty = s.ty
    JOIN search_signature AS g ON g.keys = c.keys
    JOIN search_elig AS e ON e.codes = s.elig
$$;
"""
    refresh = (
        rules_0009.REFRESH_FUNCTION.replace(
            f"INSERT INTO search_document ({rules_0009.DOCUMENT_COLUMNS})",
            f"INSERT INTO search_document ({columns})",
        )
        .replace(
            ", ".join("v." + c for c in rules_0009.DOCUMENT_COLUMNS.split(", ")),
            ", ".join("v." + c for c in columns.split(", ")),
        )
        .replace(f"DO UPDATE SET {rules_0009.UPDATED_COLUMNS},", f"DO UPDATE SET {updated},")
    )
    assert refresh.count("opening_week") == 4, refresh
    return rows, refresh


def _rows_0009(rules_0009) -> str:
    """0009's search_document_rows alone (its DOCUMENT_FUNCTIONS holds others too)."""
    text = rules_0009.DOCUMENT_FUNCTIONS
    start = text.index("CREATE FUNCTION search_document_rows")
    end = text.index("$$;", start) + 3
    return text[start:end]


def upgrade():
    from dora.core.opening_week import week_mask

    op.add_column("service", sa.Column("opening_week", sa.Integer(), nullable=True))
    op.add_column("search_document", sa.Column("opening_week", sa.Integer(), nullable=True))
    rows, refresh = _sql(_revision("0009_search_rules"))
    op.execute("DROP FUNCTION search_document_rows(text[])")
    op.execute(rows)
    op.execute(refresh)

    # Backfill in batches, by id (keyset); the index triggers on `service` refresh documents.
    connection = op.get_bind()
    last = ""
    while True:
        batch = connection.execute(
            sa.text(
                "SELECT id, horaires_accueil FROM service WHERE id > :last"
                " AND horaires_accueil IS NOT NULL ORDER BY id LIMIT :n"
            ),
            {"last": last, "n": BATCH},
        ).all()
        if not batch:
            break
        values = [
            {"id": row.id, "mask": mask}
            for row in batch
            if (mask := week_mask(row.horaires_accueil)) is not None
        ]
        if values:
            connection.execute(
                sa.text(
                    "UPDATE service AS s SET opening_week = v.mask FROM"
                    " jsonb_to_recordset(CAST(:values AS jsonb)) AS v(id text, mask int)"
                    " WHERE s.id = v.id"
                ),
                {"values": json.dumps(values)},
            )
        last = batch[-1].id


def downgrade():
    rules_0009 = _revision("0009_search_rules")
    op.execute("DROP FUNCTION search_document_rows(text[])")
    op.execute(_rows_0009(rules_0009))
    op.execute(rules_0009.REFRESH_FUNCTION)
    op.drop_column("search_document", "opening_week")
    op.drop_column("service", "opening_week")

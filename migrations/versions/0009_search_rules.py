"""Search rules in one place: the SQL functions of dora.rules, used by the search index, and
map counts maintained from the index.

- Creates the rule functions (`dora_is_public`, `dora_not_suspended`, `dora_on_site`,
  `dora_remote`, `dora_place_unknown`, `dora_elig`, `dora_place_codes`, category expansion),
  their text defined in dora/rules.py.
- `search_document` gains `place_unknown` (shown like a remote service, « lieu non précisé »:
  not remote and no point), and what the map counts need: `code_insee`, `categories`,
  `publics` (as declared). `remote` now also holds services without a usable place (they
  used to vanish from every search with a place). A partial index serves today's suspended
  documents (read by the accelerator).
- The index functions of 0002 are re-created with the rules; the map count triggers of 0005
  (on `service` and `structure`, with their own copy of the rules) are replaced by triggers
  on `search_document` (dora/search/map_counts.py).
- Every document is rebuilt (or queued when the catalogue is big: `dora search sync`), then
  the map counts.

Revision ID: 0009_search_rules
Revises: 0008_orientation
Create Date: 2026-12-07
"""

import importlib.util
from pathlib import Path

import sqlalchemy as sa
from alembic import op

from dora import rules
from dora.search import map_counts as count_triggers

revision = "0009_search_rules"
down_revision = "0008_orientation"
branch_labels = None
depends_on = None

CURRENT_XID = "pg_current_xact_id()::text::bigint"

FACETS_FUNCTION = """
CREATE FUNCTION search_facets_of(
    thematiques text[], publics text[], frais text, modes_accueil text[], type text,
    OUT keys smallint[], OUT labels tsvector
) LANGUAGE sql STABLE AS $$
    SELECT coalesce(array_agg(DISTINCT fk.k ORDER BY fk.k), '{}'::smallint[]),
           setweight(to_tsvector('dora_french', coalesce(
               string_agg(DISTINCT fk.label, ' ') FILTER (WHERE v.labelled), '')), 'B')
    FROM (
        -- a sub-thème also carries its category (dora.rules: category expansion)
        SELECT 'thematiques' AS dim, t AS value, true AS labelled
        FROM unnest(dora_thematiques_expanded(thematiques)) AS t
        UNION ALL
        SELECT 'publics', p, true FROM unnest(publics) AS p
        UNION ALL
        -- "tous-publics" answers every public: its services carry every public's key.
        SELECT 'publics', e.value, false FROM search_facet_key AS e
        WHERE e.dim = 'publics' AND 'tous-publics' = ANY (publics)
        UNION ALL
        SELECT 'frais', frais, false WHERE frais IS NOT NULL
        UNION ALL
        SELECT 'modes_accueil', m, false FROM unnest(modes_accueil) AS m
        UNION ALL
        SELECT 'types', type, true WHERE type IS NOT NULL
    ) AS v
    JOIN search_facet_key AS fk ON fk.dim = v.dim AND fk.value = v.value
$$;
"""

SERVICES_CTE = """
    s AS MATERIALIZED (
        SELECT s.id, s.structure_id, s.location, s.modes_accueil, s.zone_eligibilite, s.nom,
            st.nom AS structure_nom, s.description, s.frais_precisions, s.publics_precisions,
            s.conditions_acces, s.mobilisation_precisions, s.date_maj, s.suspendu_du,
            s.suspendu_au, s.code_insee,
            coalesce(s.thematiques, '{}') AS th, coalesce(s.publics, '{}') AS pu,
            coalesce(s.frais, '') AS fr, coalesce(s.modes_accueil, '{}') AS mo,
            coalesce(s.type, '') AS ty,
            dora_elig(s.zone_eligibilite) AS elig
        FROM service AS s
        JOIN structure AS st ON st.id = s.structure_id
        JOIN (SELECT DISTINCT unnest(ids)) AS i(id) ON i.id = s.id
        WHERE dora_is_public(s.statut, st.moderation)),
    c AS MATERIALIZED (
        SELECT c.*, f.keys, f.labels
        FROM (SELECT DISTINCT th, pu, fr, mo, ty FROM s) AS c,
        LATERAL search_facets_of(c.th, c.pu, nullif(c.fr, ''), c.mo, nullif(c.ty, '')) AS f)
"""

SERVICES_ONLY_CTE = SERVICES_CTE.split("),\n    c AS MATERIALIZED")[0] + ")"

DOCUMENT_COLUMNS = (
    "service_id, structure_id, location, on_site, remote, place_unknown, elig, keys, tsv, "
    "date_maj, suspendu_du, suspendu_au, sig, elig_id, code_insee, categories, publics"
)
UPDATED_COLUMNS = ", ".join(
    f"{column} = EXCLUDED.{column}" for column in DOCUMENT_COLUMNS.split(", ")[1:]
)

DOCUMENT_FUNCTIONS = f"""
CREATE FUNCTION search_prepare(ids text[]) RETURNS void LANGUAGE sql AS $$
    WITH {SERVICES_CTE}
    INSERT INTO search_signature (keys)
    SELECT DISTINCT keys FROM c
    WHERE NOT EXISTS (SELECT 1 FROM search_signature AS g WHERE g.keys = c.keys)
    ORDER BY 1
    ON CONFLICT DO NOTHING;
    WITH {SERVICES_ONLY_CTE}
    INSERT INTO search_elig (codes)
    SELECT DISTINCT elig FROM s
    WHERE NOT EXISTS (SELECT 1 FROM search_elig AS e WHERE e.codes = s.elig)
    ORDER BY 1
    ON CONFLICT DO NOTHING;
$$;

CREATE FUNCTION search_document_rows(ids text[]) RETURNS TABLE (
    service_id text, structure_id text, location geography, on_site boolean, remote boolean,
    place_unknown boolean, elig text[], keys smallint[], tsv tsvector, date_maj date,
    suspendu_du date, suspendu_au date, sig integer, elig_id integer, code_insee text,
    categories text[], publics text[]
) LANGUAGE sql STABLE AS $$
    WITH {SERVICES_CTE}
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
        ARRAY(SELECT DISTINCT p FROM unnest(s.pu) AS p ORDER BY 1)
    FROM s
    JOIN c ON c.th = s.th AND c.pu = s.pu AND c.fr = s.fr AND c.mo = s.mo AND c.ty = s.ty
    JOIN search_signature AS g ON g.keys = c.keys
    JOIN search_elig AS e ON e.codes = s.elig
$$;

CREATE OR REPLACE FUNCTION search_unpublish(ids text[]) RETURNS void LANGUAGE sql AS $$
    WITH gone AS (
        DELETE FROM search_document AS d USING unnest(ids) AS i(id)
        WHERE d.service_id = i.id AND NOT EXISTS (
            SELECT 1 FROM service AS s JOIN structure AS st ON st.id = s.structure_id
            WHERE s.id = i.id AND dora_is_public(s.statut, st.moderation))
        RETURNING d.ord)
    INSERT INTO search_tombstone (ord) SELECT ord FROM gone;
$$;
"""

# Sorted: two batches built at once (`dora search sync`, the worker) insert their common words
# in the same order, so they wait for each other instead of deadlocking.
LEXICON_WORDS = r"""
SELECT unaccent(w), max(w) FROM {source}, regexp_split_to_table(lower({text}), '[^[:alnum:]]+') AS w
WHERE length(w) BETWEEN 3 AND 40 GROUP BY 1 ORDER BY 1
"""

REFRESH_FUNCTION = f"""
CREATE OR REPLACE FUNCTION search_refresh(ids text[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF coalesce(cardinality(ids), 0) = 0 THEN
        RETURN;
    END IF;
    ids := ARRAY(SELECT DISTINCT unnest(ids));
    PERFORM search_unpublish(ids);
    PERFORM search_prepare(ids);

    INSERT INTO search_document ({DOCUMENT_COLUMNS})
    SELECT {", ".join("v." + c for c in DOCUMENT_COLUMNS.split(", "))}
    FROM search_document_rows(ids) AS v
    ON CONFLICT (service_id) DO UPDATE SET {UPDATED_COLUMNS},
        changed_xid = {CURRENT_XID};

    INSERT INTO search_lexicon (word, forme)
    {
    LEXICON_WORDS.format(
        source="service AS s JOIN unnest(ids) AS i(id) ON i.id = s.id "
        "JOIN structure AS st ON st.id = s.structure_id",
        text="concat_ws(' ', s.nom, st.nom)",
    )
}
    ON CONFLICT DO NOTHING;

    INSERT INTO search_outbox (service_id) SELECT unnest(ids);
END
$$;
"""

# Map count triggers of 0005 (on service and structure), replaced by those on the index.
OLD_MAP_TRIGGERS = (
    ("map_grid_structure_update", "structure"),
    ("map_grid_service_truncate", "service"),
    ("map_grid_service_delete", "service"),
    ("map_grid_service_update", "service"),
    ("map_grid_service_insert", "service"),
)
OLD_MAP_FUNCTIONS = (
    "map_grid_structure_update()",
    "map_grid_service_truncate()",
    "map_grid_service_update()",
    "map_grid_service_delete()",
    "map_grid_service_insert()",
    "map_grid_rebuild()",
)


def _revision(name: str):
    """An earlier revision's module (its SQL, for the downgrade)."""
    path = Path(__file__).with_name(f"{name}.py")
    spec = importlib.util.spec_from_file_location(f"dora_migration_{name}", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def upgrade():
    op.execute(rules.RULE_FUNCTIONS)
    op.add_column(
        "search_document",
        sa.Column("place_unknown", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.add_column("search_document", sa.Column("code_insee", sa.Text(), nullable=True))
    for name in ("categories", "publics"):
        op.add_column(
            "search_document",
            sa.Column(
                name, sa.ARRAY(sa.Text()), server_default=sa.text("'{}'::text[]"), nullable=False
            ),
        )
    op.create_index(
        "ix_search_document_suspended",
        "search_document",
        ["ord"],
        postgresql_where=sa.text("suspendu_du IS NOT NULL"),
    )

    op.execute("DROP FUNCTION search_document_rows(text[])")
    op.execute("DROP FUNCTION search_prepare(text[])")
    op.execute("DROP FUNCTION search_facets_of(text[], text[], text, text[], text)")
    op.execute(FACETS_FUNCTION)
    op.execute(DOCUMENT_FUNCTIONS)
    op.execute(REFRESH_FUNCTION)

    for trigger, table in OLD_MAP_TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {table}")
    for function in OLD_MAP_FUNCTIONS:
        op.execute(f"DROP FUNCTION IF EXISTS {function}")
    op.execute(count_triggers.FUNCTIONS)
    op.execute(count_triggers.TRIGGERS)

    # Documents under the new rules (queued when the catalogue is big), then the counts.
    op.execute("SELECT search_write(ARRAY(SELECT id FROM service))")
    op.execute("SELECT map_grid_rebuild()")


def downgrade():
    search_0002 = _revision("0002_search")
    maps_0005 = _revision("0005_map_grid")
    for trigger in count_triggers.TRIGGER_NAMES:
        op.execute(f"DROP TRIGGER IF EXISTS {trigger} ON search_document")
    for function in count_triggers.FUNCTION_SIGNATURES:
        op.execute(f"DROP FUNCTION IF EXISTS {function}")

    op.execute("DROP FUNCTION search_document_rows(text[])")
    op.execute("DROP FUNCTION search_prepare(text[])")
    op.execute("DROP FUNCTION search_facets_of(text[], text[], text, text[], text)")
    op.execute("DROP FUNCTION search_refresh(text[])")
    op.execute("DROP FUNCTION search_unpublish(text[])")
    op.drop_index("ix_search_document_suspended", table_name="search_document")
    for name in ("publics", "categories", "code_insee", "place_unknown"):
        op.drop_column("search_document", name)
    op.execute(search_0002.FACETS_FUNCTION)
    op.execute(search_0002.DOCUMENT_FUNCTIONS)
    # search_unpublish and search_refresh, as 0002 wrote them (the rest of its FUNCTIONS
    # are still in place).
    functions = search_0002.FUNCTIONS.split("-- Statements writing more services")[0]
    op.execute(functions)

    op.execute(maps_0005._service_trigger_functions())
    op.execute(maps_0005._structure_trigger_function())
    op.execute(maps_0005._rebuild_function())
    op.execute(maps_0005.TRIGGERS)
    for signature in rules.RULE_SIGNATURES:
        op.execute(f"DROP FUNCTION IF EXISTS {signature}")
    op.execute("SELECT search_write(ARRAY(SELECT id FROM service))")
    op.execute("SELECT map_grid_rebuild()")

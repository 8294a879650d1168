"""Search: index of the postgres backend, facet keys, outbox, lexicon, and the triggers that
keep them in step with the catalogue.

Every write to `service` (INSERT, UPDATE, DELETE, TRUNCATE — COPY included) and every change
of a structure's name or moderation runs, once per statement, `search_write(ids)` on the
services it touched (transition tables). Up to `dora.search_bulk_rows` services (20,000),
`search_refresh(ids)` rebuilds their `search_document` rows (`search_document_rows(ids)`) (or
deletes them when they are no longer public, leaving a tombstone), adds the words of their
names to `search_lexicon` and their ids to `search_outbox` for Meilisearch — all in the
writer's transaction, so the index is in step the moment the write commits. Bigger statements
(a demo seed, an import) remove at once what is no longer public and queue the rest in the
outbox (`pending`): `dora search sync` builds them right after the bulk write commits.

Besides its own columns, a document carries small integers for the in-process facet
accelerator (dora.search.accel): `ord` (stable row number), `sig` (its set of facet keys, in
`search_signature`), `elig_id` (its eligibility codes, in `search_elig`) and `changed_xid`
(the transaction that last wrote it; deletions leave `search_tombstone` rows), so that each
process can load the index once and then apply only what changed.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

import geoalchemy2
import sqlalchemy as sa
from alembic import op
from data_inclusion.schema import v1
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

CURRENT_XID = "pg_current_xact_id()::text::bigint"

# French full text: accents folded before stemming, so "hébergement" = "hebergements".
TEXT_SEARCH_CONFIGURATION = """
CREATE TEXT SEARCH CONFIGURATION dora_french (COPY = pg_catalog.french);
ALTER TEXT SEARCH CONFIGURATION dora_french
    ALTER MAPPING FOR hword, hword_part, word, asciihword, asciiword, hword_asciipart
    WITH unaccent, french_stem;
"""

# What a service looks like in the index: the only definition (refresh and rebuild use it).
# Keys and labels depend only on the vocabulary fields, so they are computed once per distinct
# combination of a batch (there are few combinations), then joined back.
FACETS_FUNCTION = """
CREATE FUNCTION search_facets_of(
    thematiques text[], publics text[], frais text, modes_accueil text[], type text,
    OUT keys smallint[], OUT labels tsvector
) LANGUAGE sql STABLE AS $$
    SELECT coalesce(array_agg(DISTINCT fk.k ORDER BY fk.k), '{}'::smallint[]),
           setweight(to_tsvector('dora_french', coalesce(
               string_agg(DISTINCT fk.label, ' ') FILTER (WHERE v.labelled), '')), 'B')
    FROM (
        SELECT 'thematiques' AS dim, t AS value, true AS labelled FROM unnest(thematiques) AS t
        UNION ALL
        SELECT 'thematiques', split_part(t, '--', 1), true FROM unnest(thematiques) AS t
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

# The public services among `ids`, with their combination of vocabulary values (NULL-free so
# that combinations can be hash-joined).
SERVICES_CTE = """
    s AS MATERIALIZED (
        SELECT s.id, s.structure_id, s.location, s.modes_accueil, s.zone_eligibilite, s.nom,
            st.nom AS structure_nom, s.description, s.frais_precisions, s.publics_precisions,
            s.conditions_acces, s.mobilisation_precisions, s.date_maj, s.suspendu_du,
            s.suspendu_au,
            coalesce(s.thematiques, '{}') AS th, coalesce(s.publics, '{}') AS pu,
            coalesce(s.frais, '') AS fr, coalesce(s.modes_accueil, '{}') AS mo,
            coalesce(s.type, '') AS ty,
            CASE WHEN coalesce(cardinality(s.zone_eligibilite), 0) = 0
                      OR s.zone_eligibilite && ARRAY['france', '99100']
                 THEN ARRAY['*'] ELSE s.zone_eligibilite END AS elig
        FROM service AS s
        JOIN structure AS st ON st.id = s.structure_id
        JOIN (SELECT DISTINCT unnest(ids)) AS i(id) ON i.id = s.id
        WHERE s.statut = 'publie' AND st.moderation = 'validee'),
    c AS MATERIALIZED (
        SELECT c.*, f.keys, f.labels
        FROM (SELECT DISTINCT th, pu, fr, mo, ty FROM s) AS c,
        LATERAL search_facets_of(c.th, c.pu, nullif(c.fr, ''), c.mo, nullif(c.ty, '')) AS f)
"""

SERVICES_ONLY_CTE = SERVICES_CTE.split("),\n    c AS MATERIALIZED")[0] + ")"

DOCUMENT_FUNCTIONS = f"""
-- Signatures and eligibility sets of these services, before their documents are written.
-- Sorted inserts: concurrent writers take the same locks in the same order (no deadlock).
CREATE FUNCTION search_prepare(ids text[]) RETURNS void LANGUAGE sql AS $$
    WITH {SERVICES_CTE}
    -- Only new ones: a conflicting insert would still use up an id.
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
    elig text[], keys smallint[], tsv tsvector, date_maj date, suspendu_du date,
    suspendu_au date, sig integer, elig_id integer
) LANGUAGE sql STABLE AS $$
    WITH {SERVICES_CTE}
    SELECT s.id, s.structure_id, s.location,
        s.location IS NOT NULL AND (cardinality(s.mo) = 0 OR 'en-presentiel' = ANY (s.mo)),
        'a-distance' = ANY (s.mo),
        s.elig, c.keys,
        setweight(to_tsvector('dora_french', concat_ws(' ', s.nom, s.structure_nom)), 'A')
            || c.labels
            || setweight(to_tsvector('dora_french', concat_ws(' ', s.description,
                   s.frais_precisions, s.publics_precisions, s.conditions_acces,
                   s.mobilisation_precisions)), 'C'),
        s.date_maj, s.suspendu_du, s.suspendu_au, g.sig, e.id
    FROM s
    JOIN c ON c.th = s.th AND c.pu = s.pu AND c.fr = s.fr AND c.mo = s.mo AND c.ty = s.ty
    JOIN search_signature AS g ON g.keys = c.keys
    JOIN search_elig AS e ON e.codes = s.elig
$$;
"""

DOCUMENT_COLUMNS = (
    "service_id, structure_id, location, on_site, remote, elig, keys, tsv, date_maj, "
    "suspendu_du, suspendu_au, sig, elig_id"
)
UPDATED_COLUMNS = ", ".join(
    f"{column} = EXCLUDED.{column}" for column in DOCUMENT_COLUMNS.split(", ")[1:]
)

# Words of names (service and structure) and labels, for typo tolerance and suggestions:
# compared without accents (`word`), shown with them (`forme`, the accented spelling wins).
LEXICON_WORDS = r"""
SELECT unaccent(w), max(w) FROM {source}, regexp_split_to_table(lower({text}), '[^[:alnum:]]+') AS w
WHERE length(w) BETWEEN 3 AND 40 GROUP BY 1
"""

FUNCTIONS = f"""
CREATE FUNCTION search_unpublish(ids text[]) RETURNS void LANGUAGE sql AS $$
    -- Documents of services that are no longer public (or no longer exist) go, and leave a
    -- tombstone for the processes that hold a copy of the index.
    WITH gone AS (
        DELETE FROM search_document AS d USING unnest(ids) AS i(id)
        WHERE d.service_id = i.id AND NOT EXISTS (
            SELECT 1 FROM service AS s JOIN structure AS st ON st.id = s.structure_id
            WHERE s.id = i.id AND s.statut = 'publie' AND st.moderation = 'validee')
        RETURNING d.ord)
    INSERT INTO search_tombstone (ord) SELECT ord FROM gone;
$$;

CREATE FUNCTION search_refresh(ids text[]) RETURNS void LANGUAGE plpgsql AS $$
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

-- Statements writing more services than this (COPY of a demo seed or an import) only queue
-- them: building a million documents inside the writer's transaction would multiply its
-- time. A session may lower it: SET dora.search_bulk_rows = 1.
CREATE FUNCTION search_write(ids text[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF coalesce(cardinality(ids), 0) = 0 THEN
        RETURN;
    END IF;
    IF cardinality(ids) <= coalesce(
            nullif(current_setting('dora.search_bulk_rows', true), '')::int, 20000) THEN
        PERFORM search_refresh(ids);
        RETURN;
    END IF;
    -- Never show what is no longer public, even for a moment.
    PERFORM search_unpublish(ids);
    INSERT INTO search_outbox (service_id, pending) SELECT unnest(ids), true;
END
$$;

CREATE FUNCTION search_service_written() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM search_write(ARRAY(SELECT id FROM new_rows));
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM search_write(ARRAY(SELECT id FROM new_rows UNION SELECT id FROM old_rows));
    ELSE
        PERFORM search_write(ARRAY(SELECT id FROM old_rows));
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION search_service_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE search_document, search_tombstone;
    UPDATE search_meta SET value = value + 1 WHERE key = 'generation';
    INSERT INTO search_outbox (service_id) VALUES (NULL);
    RETURN NULL;
END
$$;

CREATE FUNCTION search_structure_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Only what the index shows of a structure: its name and whether it is validated.
    PERFORM search_write(ARRAY(
        SELECT s.id FROM service AS s
        JOIN new_rows AS n ON n.id = s.structure_id
        JOIN old_rows AS o ON o.id = n.id
        WHERE n.nom IS DISTINCT FROM o.nom OR n.moderation IS DISTINCT FROM o.moderation));
    RETURN NULL;
END
$$;

CREATE TRIGGER search_service_inserted AFTER INSERT ON service
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION search_service_written();
CREATE TRIGGER search_service_updated AFTER UPDATE ON service
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION search_service_written();
CREATE TRIGGER search_service_deleted AFTER DELETE ON service
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION search_service_written();
CREATE TRIGGER search_service_truncated AFTER TRUNCATE ON service
    FOR EACH STATEMENT EXECUTE FUNCTION search_service_truncated();
CREATE TRIGGER search_structure_updated AFTER UPDATE ON structure
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION search_structure_updated();
"""

DROPPED_FUNCTIONS = (
    "search_structure_updated()",
    "search_service_truncated()",
    "search_service_written()",
    "search_write(text[])",
    "search_refresh(text[])",
    "search_unpublish(text[])",
    "search_document_rows(text[])",
    "search_prepare(text[])",
    "search_facets_of(text[], text[], text, text[], text)",
)


def facet_keys() -> list[dict]:
    """Every filterable value, numbered; categories are `thematiques` values too."""
    groups = (
        ("thematiques", v1.Thematique),
        ("thematiques", v1.Categorie),
        ("publics", v1.Public),
        ("frais", v1.Frais),
        ("modes_accueil", v1.ModeAccueil),
        ("types", v1.TypeService),
    )
    rows = []
    for dim, enum in groups:
        for member in enum:
            rows.append(
                {"k": len(rows) + 1, "dim": dim, "value": member.value, "label": member.label}
            )
    return rows


def upgrade():
    op.create_table(
        "search_document",
        sa.Column("service_id", sa.Text(), nullable=False),
        sa.Column("structure_id", sa.Text(), nullable=False),
        sa.Column(
            "location",
            geoalchemy2.types.Geography(
                geometry_type="POINT",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeogFromText",
                name="geography",
            ),
            nullable=True,
        ),
        sa.Column("on_site", sa.Boolean(), nullable=False),
        sa.Column("remote", sa.Boolean(), nullable=False),
        sa.Column("elig", sa.ARRAY(sa.Text()), nullable=False),
        sa.Column("keys", sa.ARRAY(sa.SmallInteger()), nullable=False),
        sa.Column("tsv", postgresql.TSVECTOR(), nullable=False),
        sa.Column("date_maj", sa.Date(), nullable=False),
        sa.Column("suspendu_du", sa.Date(), nullable=True),
        sa.Column("suspendu_au", sa.Date(), nullable=True),
        sa.Column("ord", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("sig", sa.Integer(), nullable=False),
        sa.Column("elig_id", sa.Integer(), nullable=False),
        sa.Column(
            "changed_xid", sa.BigInteger(), server_default=sa.text(CURRENT_XID), nullable=False
        ),
        sa.PrimaryKeyConstraint("service_id", name=op.f("pk_search_document")),
    )
    op.create_index(
        "ix_search_document_location", "search_document", ["location"], postgresql_using="gist"
    )
    op.create_index("ix_search_document_elig", "search_document", ["elig"], postgresql_using="gin")
    op.create_index("ix_search_document_keys", "search_document", ["keys"], postgresql_using="gin")
    op.create_index("ix_search_document_tsv", "search_document", ["tsv"], postgresql_using="gin")
    op.create_index("ix_search_document_date_maj", "search_document", ["date_maj", "service_id"])
    op.create_index("ix_search_document_changed_xid", "search_document", ["changed_xid"])
    op.create_index("ix_search_document_ord", "search_document", ["ord"], unique=True)
    # Remote services are listed freshest first.
    op.create_index(
        "ix_search_document_remote",
        "search_document",
        ["date_maj", "ord"],
        postgresql_where=sa.text("remote"),
    )
    # Searches read a few index entries: parallel workers only add start-up time.
    op.execute("ALTER TABLE search_document SET (parallel_workers = 0)")

    op.create_table(
        "search_signature",
        sa.Column("sig", sa.Integer(), sa.Identity(always=False), nullable=False),
        sa.Column("keys", sa.ARRAY(sa.SmallInteger()), nullable=False),
        sa.PrimaryKeyConstraint("sig", name=op.f("pk_search_signature")),
        sa.UniqueConstraint("keys", name=op.f("uq_search_signature_keys")),
    )
    op.create_table(
        "search_elig",
        sa.Column("id", sa.Integer(), sa.Identity(always=False), nullable=False),
        sa.Column("codes", sa.ARRAY(sa.Text()), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_elig")),
        sa.UniqueConstraint("codes", name=op.f("uq_search_elig_codes")),
    )
    op.create_table(
        "search_tombstone",
        sa.Column("ord", sa.BigInteger(), nullable=False),
        sa.Column("xid", sa.BigInteger(), server_default=sa.text(CURRENT_XID), nullable=False),
    )
    op.create_index("ix_search_tombstone_xid", "search_tombstone", ["xid"])
    meta = op.create_table(
        "search_meta",
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_search_meta")),
    )
    op.bulk_insert(meta, [{"key": "generation", "value": 1}])

    facet_key = op.create_table(
        "search_facet_key",
        sa.Column("k", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("dim", sa.Text(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("k", name=op.f("pk_search_facet_key")),
        sa.UniqueConstraint("dim", "value", name="uq_search_facet_key_dim_value"),
    )
    op.bulk_insert(facet_key, facet_keys())

    op.create_table(
        "search_outbox",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("service_id", sa.Text(), nullable=True),
        sa.Column("pending", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_outbox")),
    )
    op.create_index(
        "ix_search_outbox_pending", "search_outbox", ["id"], postgresql_where=sa.text("pending")
    )
    op.create_table(
        "search_lexicon",
        sa.Column("word", sa.Text(), nullable=False),
        sa.Column("forme", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("word", name=op.f("pk_search_lexicon")),
    )
    op.create_index(
        "ix_search_lexicon_word_trgm",
        "search_lexicon",
        ["word"],
        postgresql_using="gin",
        postgresql_ops={"word": "gin_trgm_ops"},
    )

    op.execute(TEXT_SEARCH_CONFIGURATION)
    op.execute(FACETS_FUNCTION)
    op.execute(DOCUMENT_FUNCTIONS)
    op.execute(FUNCTIONS)
    # Vocabulary labels are searchable words too; then index what the catalogue holds
    # (queued when it is big: `dora search sync` builds it).
    op.execute(
        "INSERT INTO search_lexicon (word, forme) "
        + LEXICON_WORDS.format(source="search_facet_key", text="label")
        + " ON CONFLICT DO NOTHING"
    )
    op.execute("SELECT search_write(ARRAY(SELECT id FROM service))")


def downgrade():
    op.execute("DROP TRIGGER IF EXISTS search_structure_updated ON structure")
    for trigger in ("inserted", "updated", "deleted", "truncated"):
        op.execute(f"DROP TRIGGER IF EXISTS search_service_{trigger} ON service")
    for function in DROPPED_FUNCTIONS:
        op.execute(f"DROP FUNCTION IF EXISTS {function}")
    op.execute("DROP TEXT SEARCH CONFIGURATION IF EXISTS dora_french")
    for table in (
        "search_lexicon",
        "search_outbox",
        "search_facet_key",
        "search_meta",
        "search_tombstone",
        "search_elig",
        "search_signature",
        "search_document",
    ):
        op.drop_table(table)

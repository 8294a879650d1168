"""Search: index of the postgres backend, facet keys, outbox, lexicon, and the triggers that
keep them in step with the catalogue.

Every write to `service` (INSERT, UPDATE, DELETE, TRUNCATE — COPY included) and every change
of a structure's name or moderation runs, once per statement, `search_refresh(ids)` on the
services it touched (transition tables): their `search_document` rows are rebuilt from
`search_document_source` (or deleted when they are no longer public), the words of their
names go to `search_lexicon`, and their ids go to `search_outbox` for Meilisearch — all in
the writer's transaction, so the index is in step the moment the write commits. Statements
writing more than `dora.search_bulk_rows` services (20,000) only queue them in the outbox
(`pending`): `dora search sync` builds those documents after the bulk write commits.

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

# French full text: accents folded before stemming, so "hébergement" = "hebergements".
TEXT_SEARCH_CONFIGURATION = """
CREATE TEXT SEARCH CONFIGURATION dora_french (COPY = pg_catalog.french);
ALTER TEXT SEARCH CONFIGURATION dora_french
    ALTER MAPPING FOR hword, hword_part, word, asciihword, asciiword, hword_asciipart
    WITH unaccent, french_stem;
"""

# What a service looks like in the index; the only definition (refresh and rebuild use it).
SOURCE_VIEW = """
CREATE VIEW search_document_source AS
SELECT
    s.id AS service_id,
    s.structure_id,
    s.location,
    (s.location IS NOT NULL AND (coalesce(cardinality(s.modes_accueil), 0) = 0
        OR 'en-presentiel' = ANY (s.modes_accueil))) AS on_site,
    coalesce('a-distance' = ANY (s.modes_accueil), false) AS remote,
    CASE WHEN coalesce(cardinality(s.zone_eligibilite), 0) = 0
              OR s.zone_eligibilite && ARRAY['france', '99100']
         THEN ARRAY['*'] ELSE s.zone_eligibilite END AS elig,
    f.keys,
    setweight(to_tsvector('dora_french', concat_ws(' ', s.nom, st.nom)), 'A')
        || setweight(to_tsvector('dora_french', f.labels), 'B')
        || setweight(to_tsvector('dora_french', concat_ws(' ', s.description,
               s.frais_precisions, s.publics_precisions, s.conditions_acces,
               s.mobilisation_precisions)), 'C') AS tsv,
    s.date_maj,
    s.suspendu_du,
    s.suspendu_au,
    concat_ws(' ', s.nom, st.nom) AS names
FROM service AS s
JOIN structure AS st ON st.id = s.structure_id
CROSS JOIN LATERAL (
    SELECT coalesce(array_agg(DISTINCT fk.k ORDER BY fk.k), '{}'::smallint[]) AS keys,
           coalesce(string_agg(DISTINCT fk.label, ' ') FILTER (WHERE v.labelled), '') AS labels
    FROM (
        SELECT 'thematiques' AS dim, t AS value, true AS labelled FROM unnest(s.thematiques) AS t
        UNION ALL
        SELECT 'thematiques', split_part(t, '--', 1), true FROM unnest(s.thematiques) AS t
        UNION ALL
        SELECT 'publics', p, true FROM unnest(s.publics) AS p
        UNION ALL
        -- "tous-publics" answers every public: its services carry every public's key.
        SELECT 'publics', e.value, false FROM search_facet_key AS e
        WHERE e.dim = 'publics' AND 'tous-publics' = ANY (s.publics)
        UNION ALL
        SELECT 'frais', s.frais, false WHERE s.frais IS NOT NULL
        UNION ALL
        SELECT 'modes_accueil', m, false FROM unnest(s.modes_accueil) AS m
        UNION ALL
        SELECT 'types', s.type, true WHERE s.type IS NOT NULL
    ) AS v
    JOIN search_facet_key AS fk ON fk.dim = v.dim AND fk.value = v.value
) AS f
WHERE s.statut = 'publie' AND st.moderation = 'validee'
"""

DOCUMENT_COLUMNS = (
    "service_id, structure_id, location, on_site, remote, elig, keys, tsv, date_maj, "
    "suspendu_du, suspendu_au"
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

REFRESH_FUNCTION = f"""
CREATE FUNCTION search_refresh(ids text[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF coalesce(cardinality(ids), 0) = 0 THEN
        RETURN;
    END IF;
    ids := ARRAY(SELECT DISTINCT unnest(ids));

    DELETE FROM search_document AS d USING unnest(ids) AS i(id)
    WHERE d.service_id = i.id AND NOT EXISTS (
        SELECT 1 FROM service AS s JOIN structure AS st ON st.id = s.structure_id
        WHERE s.id = i.id AND s.statut = 'publie' AND st.moderation = 'validee');

    INSERT INTO search_document ({DOCUMENT_COLUMNS})
    SELECT {", ".join("v." + c for c in DOCUMENT_COLUMNS.split(", "))}
    FROM search_document_source AS v JOIN unnest(ids) AS i(id) ON i.id = v.service_id
    ON CONFLICT (service_id) DO UPDATE SET {UPDATED_COLUMNS};

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
$$
"""

# Statements writing more services than this (COPY of a demo seed or an import) only queue
# them: building a million documents inside the writer's transaction would multiply its time.
# `dora search sync` (run by the application right after such a write commits) builds them.
# A session may lower it: SET dora.search_bulk_rows = 1.
DEFER_FUNCTION = """
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
    DELETE FROM search_document AS d USING unnest(ids) AS i(id)
    WHERE d.service_id = i.id AND NOT EXISTS (
        SELECT 1 FROM service AS s JOIN structure AS st ON st.id = s.structure_id
        WHERE s.id = i.id AND s.statut = 'publie' AND st.moderation = 'validee');
    INSERT INTO search_outbox (service_id, pending) SELECT unnest(ids), true;
END
$$
"""

TRIGGER_FUNCTIONS = """
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
    TRUNCATE search_document;
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
        sa.PrimaryKeyConstraint("service_id", name=op.f("pk_search_document")),
    )
    op.create_index(
        "ix_search_document_location",
        "search_document",
        ["location"],
        postgresql_using="gist",
    )
    op.create_index("ix_search_document_elig", "search_document", ["elig"], postgresql_using="gin")
    op.create_index("ix_search_document_keys", "search_document", ["keys"], postgresql_using="gin")
    op.create_index("ix_search_document_tsv", "search_document", ["tsv"], postgresql_using="gin")
    op.create_index("ix_search_document_date_maj", "search_document", ["date_maj", "service_id"])

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
    op.execute(SOURCE_VIEW)
    op.execute(REFRESH_FUNCTION)
    op.execute(DEFER_FUNCTION)
    op.execute(TRIGGER_FUNCTIONS)
    # Vocabulary labels are searchable words too; then index what the catalogue holds.
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
    for function in (
        "search_structure_updated()",
        "search_service_truncated()",
        "search_service_written()",
        "search_write(text[])",
        "search_refresh(text[])",
    ):
        op.execute(f"DROP FUNCTION IF EXISTS {function}")
    op.execute("DROP VIEW IF EXISTS search_document_source")
    op.execute("DROP TEXT SEARCH CONFIGURATION IF EXISTS dora_french")
    for table in ("search_lexicon", "search_outbox", "search_facet_key", "search_document"):
        op.drop_table(table)

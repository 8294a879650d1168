"""The rules of what the public sees and where, each defined once, in SQL.

Every engine of dora answers with these definitions (SQL functions created by migration
`0009_search_rules` from the text below; change a rule here, in a new migration that
re-creates the function, and watch tests/search/test_search_differential.py):

- **Publication**: a published service of a validated structure — `dora_is_public(statut,
  moderation)`. Used by the search index triggers (`search_document_rows`,
  `search_unpublish`), `dora search reindex`, `dora.catalogue.queries.publicly_visible` and
  the map count corrections.
- **Visibility today** (suspension window) — `dora_not_suspended(du, au, today)`. Used by
  the postgres backend, `matching_documents`, the catalogue, the map count corrections, and
  the accelerator, which reads the `ord`s of today's suspended documents from it
  (`accel._HIDDEN`) instead of comparing dates itself.
- **On site**: located, `en-presentiel` or no mode — `dora_on_site(location, modes)`, stored
  as `search_document.on_site` (search radius, maps, accelerator flag, Meilisearch).
- **Shown like a remote service**: `a-distance`, or no usable place (neither remote nor a
  point: « lieu non précisé », never hidden) — `dora_remote(location, modes)` and
  `dora_place_unknown(location, modes)`, stored as `search_document.remote` and
  `.place_unknown` (search streams, accelerator flag, Meilisearch `remote`, map remote
  counts, the result list and the service page).
- **Eligibility, service side**: an empty zone, `france` or `99100` is everywhere (`*`) —
  `dora_elig(zone)`, stored as `search_document.elig` (→ `search_elig`, read by the
  accelerator; Meilisearch `elig`).
- **Eligibility, person side**: arrondissement → its commune, EPCI, département, `*`; a
  two-digit, `2A`/`2B` or `97x` code is a département, never a région (the v1 schema has no
  région codes) — `dora_place_codes(commune, arrondissement)`, read by
  `dora.search.query.resolve_place` into `Place.codes`, which the SQL conditions, the
  accelerator and the Meilisearch filters all use; territory pages and
  `dora.orientation.eligibility` use it too.
- **Category expansion**: `mobilite` means every `mobilite--…` — `dora_category_of(t)`;
  document side `dora_thematiques_expanded(ts)` (facet keys of `search_document`, hence the
  search, accelerator and Meilisearch filters; `search_document.categories` for map counts);
  query side `dora_thematiques_asked(asked)` (catalogue export and map filters on
  `service.thematiques`).

Map counts (`map_grid_cell`, `map_commune_stat`, `map_remote_zone`) are maintained from
`search_document` by triggers (dora.search.map_counts), so they apply these rules through
its columns instead of a copy of them.

Functions are plain `LANGUAGE sql` single expressions, not STRICT: PostgreSQL inlines them, so
a call costs nothing per row and indexes on the columns stay usable.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, func

EVERYWHERE = "*"

RULE_FUNCTIONS = r"""
CREATE FUNCTION dora_is_public(statut text, moderation text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(statut = 'publie' AND moderation = 'validee', false)
$$;

CREATE FUNCTION dora_not_suspended(du date, au date, today date) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT du IS NULL OR du > today OR coalesce(au < today, false)
$$;

CREATE FUNCTION dora_on_site(location geography, modes text[]) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT location IS NOT NULL
        AND (coalesce(cardinality(modes), 0) = 0 OR 'en-presentiel' = ANY (modes))
$$;

-- Real data is incomplete: a service that is not remote and has no point cannot be placed
-- on a map nor within a radius; it is shown like a remote one, « lieu non précisé ».
CREATE FUNCTION dora_place_unknown(location geography, modes text[]) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT location IS NULL AND NOT coalesce('a-distance' = ANY (modes), false)
$$;

CREATE FUNCTION dora_remote(location geography, modes text[]) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce('a-distance' = ANY (modes), false) OR dora_place_unknown(location, modes)
$$;

CREATE FUNCTION dora_elig(zone text[]) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN coalesce(cardinality(zone), 0) = 0 OR zone && ARRAY['france', '99100']
                THEN ARRAY['*'] ELSE zone END
$$;

-- The v1 schema has no région codes (a région is written as its départements): a two-digit,
-- 2A/2B or 97x code is a département, so a région code never makes a service eligible.
CREATE FUNCTION dora_place_codes(commune text, arrondissement text DEFAULT NULL)
RETURNS text[] LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT array_remove(
        ARRAY[arrondissement, c.code, c.epci_code, c.departement_code, '*'], NULL)
    FROM commune AS c WHERE c.code = commune
$$;

CREATE FUNCTION dora_category_of(thematique text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT split_part(thematique, '--', 1)
$$;

CREATE FUNCTION dora_thematiques_expanded(thematiques text[]) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT v ORDER BY v), '{}'::text[]) FROM (
        SELECT t FROM unnest(thematiques) AS t
        UNION ALL
        SELECT dora_category_of(t) FROM unnest(thematiques) AS t) AS x(v)
$$;

CREATE FUNCTION dora_thematiques_asked(asked text[]) RETURNS text[]
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT k.value ORDER BY k.value), '{}'::text[])
    FROM search_facet_key AS k
    WHERE k.dim = 'thematiques' AND position('--' IN k.value) > 0
        AND (k.value = ANY (asked) OR dora_category_of(k.value) = ANY (asked))
$$;
"""

RULE_SIGNATURES = (
    "dora_thematiques_asked(text[])",
    "dora_thematiques_expanded(text[])",
    "dora_category_of(text)",
    "dora_place_codes(text, text)",
    "dora_elig(text[])",
    "dora_remote(geography, text[])",
    "dora_place_unknown(geography, text[])",
    "dora_on_site(geography, text[])",
    "dora_not_suspended(date, date, date)",
    "dora_is_public(text, text)",
)

# The same rules as text to splice into hand-written SQL (`d` = search_document).
NOT_SUSPENDED_SQL = "dora_not_suspended({alias}.suspendu_du, {alias}.suspendu_au, current_date)"


# SQLAlchemy spellings of the same calls -----------------------------------------------------


def is_public(statut, moderation) -> ColumnElement[bool]:
    return func.dora_is_public(statut, moderation)


def not_suspended(du, au) -> ColumnElement[bool]:
    """Not suspended today (the database's `current_date`)."""
    return func.dora_not_suspended(du, au, func.current_date())


def thematiques_asked(asked) -> ColumnElement:
    """The sub-thèmes a filter on `asked` matches (a category: all of its sub-thèmes)."""
    return func.dora_thematiques_asked(asked)


def place_codes(commune, arrondissement=None) -> ColumnElement:
    return func.dora_place_codes(commune, arrondissement)

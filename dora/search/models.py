"""The search index of the postgres backend, its outbox and its lexicon.

Tables (created by migrations/versions/0002_search.py, which also holds the SQL functions and
triggers that keep them in step with `service` and `structure`):

- `search_document`: one row per *indexable* service (published, structure validated),
  denormalised for search: location, on-site/remote flags, eligibility codes, facet keys,
  weighted French full-text vector, suspension dates (checked at query time: they depend on
  the day). Written only by the SQL function `search_refresh(text[])`, which the triggers call.
- `search_facet_key`: small integer codes for every filterable vocabulary value; a document's
  `keys` array holds the codes of its thématiques (and their categories), publics (every public
  when it is `tous-publics`), frais, modes d'accueil and type, so that any filter is one GIN
  `&&` and any facet a count per key.
- `search_outbox`: the ids of services changed by each committed catalogue write (transactional
  outbox, written by the same triggers); drained by `dora search sync` towards Meilisearch.
- `search_lexicon`: the words of indexed names and labels, with a trigram index, for typo
  tolerance and "did you mean".
"""

from __future__ import annotations

from datetime import date, datetime

from geoalchemy2 import Geography
from sqlalchemy import (
    ARRAY,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Identity,
    Index,
    Integer,
    SmallInteger,
    Table,
    Text,
    UniqueConstraint,
    false,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from dora.extensions import db

CURRENT_XID = "pg_current_xact_id()::text::bigint"


class SearchDocument(db.Model):
    __tablename__ = "search_document"

    service_id: Mapped[str] = mapped_column(Text, primary_key=True)
    structure_id: Mapped[str] = mapped_column(Text, nullable=False)
    location = mapped_column(Geography("POINT", srid=4326, spatial_index=False))
    # The rules of dora.rules, applied when the document is written: on site
    # (`dora_on_site`), shown like a remote service (`dora_remote`: `a-distance`, or no usable
    # place, then also `place_unknown`, « lieu non précisé »).
    on_site: Mapped[bool] = mapped_column(Boolean, nullable=False)
    remote: Mapped[bool] = mapped_column(Boolean, nullable=False)
    place_unknown: Mapped[bool] = mapped_column(
        Boolean, nullable=False, server_default=text("false")
    )
    # `dora_elig(zone_eligibilite)`: "*" stands for "everywhere" (empty, `france` or `99100`).
    elig: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False)
    keys: Mapped[list[int]] = mapped_column(ARRAY(SmallInteger), nullable=False)
    tsv = mapped_column(TSVECTOR, nullable=False)
    date_maj: Mapped[date] = mapped_column(Date, nullable=False)
    suspendu_du: Mapped[date | None] = mapped_column(Date)
    suspendu_au: Mapped[date | None] = mapped_column(Date)
    # For the in-process facet accelerator (dora.search.accel): a stable row number, the
    # document's facet-key signature and eligibility set, and the transaction that wrote it.
    ord: Mapped[int] = mapped_column(BigInteger, Identity(always=False), nullable=False)
    sig: Mapped[int] = mapped_column(Integer, nullable=False)
    elig_id: Mapped[int] = mapped_column(Integer, nullable=False)
    changed_xid: Mapped[int] = mapped_column(
        BigInteger, nullable=False, server_default=text(CURRENT_XID)
    )
    # What the map counts add up (dora.search.map_counts): the commune code, the
    # categories of its thématiques (`dora_category_of`) and its publics as declared.
    code_insee: Mapped[str | None] = mapped_column(Text)
    categories: Mapped[list[str]] = mapped_column(
        ARRAY(Text), nullable=False, server_default=text("'{}'::text[]")
    )
    publics: Mapped[list[str]] = mapped_column(
        ARRAY(Text), nullable=False, server_default=text("'{}'::text[]")
    )
    # `service.opening_week` (dora.core.opening_week), for « Ouvert le … ».
    opening_week: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (
        Index("ix_search_document_location", "location", postgresql_using="gist"),
        Index("ix_search_document_elig", "elig", postgresql_using="gin"),
        Index("ix_search_document_keys", "keys", postgresql_using="gin"),
        Index("ix_search_document_tsv", "tsv", postgresql_using="gin"),
        # Without text nor place, and for remote services, the freshest come first.
        Index("ix_search_document_date_maj", "date_maj", "service_id"),
        Index("ix_search_document_changed_xid", "changed_xid"),
        Index("ix_search_document_ord", "ord", unique=True),
        # Remote services are listed freshest first.
        Index("ix_search_document_remote", "date_maj", "ord", postgresql_where=text("remote")),
        # Today's suspended documents, read by the accelerator (few rows have a window).
        Index(
            "ix_search_document_suspended", "ord", postgresql_where=text("suspendu_du IS NOT NULL")
        ),
    )


class SearchSignature(db.Model):
    """A set of facet keys shared by documents (there are few distinct sets)."""

    __tablename__ = "search_signature"

    sig: Mapped[int] = mapped_column(Integer, Identity(always=False), primary_key=True)
    keys: Mapped[list[int]] = mapped_column(ARRAY(SmallInteger), nullable=False, unique=True)


class SearchElig(db.Model):
    """A set of eligibility codes shared by documents."""

    __tablename__ = "search_elig"

    id: Mapped[int] = mapped_column(Integer, Identity(always=False), primary_key=True)
    codes: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False, unique=True)


# Documents removed since a process loaded its copy of the index (by `ord`).
search_tombstone = Table(
    "search_tombstone",
    db.metadata,
    Column("ord", BigInteger, nullable=False),
    Column("xid", BigInteger, nullable=False, server_default=text(CURRENT_XID)),
    Index("ix_search_tombstone_xid", "xid"),
)


class SearchMeta(db.Model):
    """`generation`: bumped when the index is rebuilt or emptied (copies must reload)."""

    __tablename__ = "search_meta"

    key: Mapped[str] = mapped_column(Text, primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, nullable=False)


class SearchFacetKey(db.Model):
    __tablename__ = "search_facet_key"

    k: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    # API facet name: thematiques (categories included), publics, frais, modes_accueil, types.
    dim: Mapped[str] = mapped_column(Text, nullable=False)
    value: Mapped[str] = mapped_column(Text, nullable=False)
    label: Mapped[str] = mapped_column(Text, nullable=False)

    __table_args__ = (UniqueConstraint("dim", "value", name="uq_search_facet_key_dim_value"),)


class SearchOutbox(db.Model):
    __tablename__ = "search_outbox"

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=False), primary_key=True)
    # NULL means "every service" (after a TRUNCATE or a rebuild).
    service_id: Mapped[str | None] = mapped_column(Text)
    # Queued by a bulk write: the postgres index has not been built for it yet.
    pending: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )

    __table_args__ = (Index("ix_search_outbox_pending", "id", postgresql_where=text("pending")),)


class SearchLexicon(db.Model):
    __tablename__ = "search_lexicon"

    word: Mapped[str] = mapped_column(Text, primary_key=True)  # lowercase, without accents
    forme: Mapped[str] = mapped_column(Text, nullable=False)  # as written, for suggestions

    __table_args__ = (
        Index(
            "ix_search_lexicon_word_trgm",
            "word",
            postgresql_using="gin",
            postgresql_ops={"word": "gin_trgm_ops"},
        ),
    )

"""Precomputed counts for maps and territory pages, maintained by database triggers.

See migrations/versions/0005_map_grid.py for the triggers and dora/maps/queries/ for reads.
Each table counts the services the public sees except for today's suspensions, which
queries subtract (they depend on the date, not on a write).
"""

from __future__ import annotations

from sqlalchemy import Float, Index, Integer, SmallInteger, Text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from dora.catalogue.models import Service, Structure
from dora.extensions import db


class _Sums:
    n: Mapped[int] = mapped_column(Integer, nullable=False)
    # Sums rather than means so that deltas add up: centroid = sum / n.
    sum_lon: Mapped[float] = mapped_column(Float(precision=53), nullable=False)
    sum_lat: Mapped[float] = mapped_column(Float(precision=53), nullable=False)


class MapGridCell(_Sums, db.Model):
    """On-site services in one Web Mercator cell: all (`categorie == ""`) or a category's."""

    __tablename__ = "map_grid_cell"

    level: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    categorie: Mapped[str] = mapped_column(Text, primary_key=True)
    cx: Mapped[int] = mapped_column(Integer, primary_key=True)
    cy: Mapped[int] = mapped_column(Integer, primary_key=True)


class MapCommuneStat(_Sums, db.Model):
    """On-site services of a commune code: all (`cle == ""`), per category
    (`c:<categorie>`) and per declared public (`p:<public>`)."""

    __tablename__ = "map_commune_stat"

    code_insee: Mapped[str] = mapped_column(Text, primary_key=True)
    cle: Mapped[str] = mapped_column(Text, primary_key=True)


class MapRemoteZone(db.Model):
    """Remote services per zone of eligibility (`{*}`: everywhere)."""

    __tablename__ = "map_remote_zone"

    zone: Mapped[list[str]] = mapped_column(ARRAY(Text), primary_key=True)
    n: Mapped[int] = mapped_column(Integer, nullable=False)

    __table_args__ = (Index("ix_map_remote_zone_zone", "zone", postgresql_using="gin"),)


# Indexes the maps need on the catalogue's tables, created by the same migration.
Index(
    "ix_service_suspendu_du",
    Service.suspendu_du,
    postgresql_where=Service.suspendu_du.is_not(None),
)
Index(
    "ix_service_location_sans_commune",
    Service.location,
    postgresql_using="gist",
    postgresql_where=Service.code_insee.is_(None),
)
Index(
    "ix_structure_non_validee",
    Structure.id,
    postgresql_where=Structure.moderation != "validee",
)

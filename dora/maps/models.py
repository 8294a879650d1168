"""The map grid: service counts per Web Mercator cell, maintained by database triggers.

See migrations/versions/0007_map_grid.py for the triggers and dora/maps/grid.py for reads.
"""

from __future__ import annotations

from sqlalchemy import Float, Index, Integer, SmallInteger, Text
from sqlalchemy.orm import Mapped, mapped_column

from dora.catalogue.models import Service
from dora.extensions import db


class MapGridCell(db.Model):
    """Services drawn on maps in one cell: all of them (`categorie == ""`) or one category's."""

    __tablename__ = "map_grid_cell"

    level: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    categorie: Mapped[str] = mapped_column(Text, primary_key=True)
    cx: Mapped[int] = mapped_column(Integer, primary_key=True)
    cy: Mapped[int] = mapped_column(Integer, primary_key=True)
    n: Mapped[int] = mapped_column(Integer, nullable=False)
    # Sums rather than means so that deltas can be added: centroid = sum / n.
    sum_lon: Mapped[float] = mapped_column(Float(precision=53), nullable=False)
    sum_lat: Mapped[float] = mapped_column(Float(precision=53), nullable=False)


# Indexes the maps need on the catalogue's table, created by the same migration.
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

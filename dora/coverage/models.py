"""Precomputed coverage tables, rewritten as a whole by `dora observatoire calculer`.

- `coverage_unit`: the places people live in — every commune, except Paris, Lyon and
  Marseille which count by arrondissement (own point and population; each belongs to its
  commune, so to its EPCI, département and région).
- `coverage_need`: the needs computed — all thématiques (`thematique == ""`), each category
  and each sub-thème — numbered for compact cells.
- `coverage_cell`: per unit × need, the eligible on-site services within 5, 10, 15, 20 and
  30 km (`n5`…`n30`), the distance to the nearest one when within 30 km (`nearest_m`), and the
  number of eligible remote services (`remote`) except those eligible everywhere (counted
  once in `coverage_need.remote_everywhere`). A missing row means nothing but those.
- `coverage_territory`: per EPCI, département, région and France × need × distance, the
  aggregates the pages show, and for France, régions and départements their largest
  uncovered unit (EPCI and commune pages find it from the cells: they are small).
- `coverage_run`: when each computation ran, on what, and how long it took.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    DateTime,
    Float,
    Identity,
    Index,
    Integer,
    SmallInteger,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from dora.extensions import db


class CoverageUnit(db.Model):
    __tablename__ = "coverage_unit"

    # Numbered for compact cells and fast joins (text keys sort by collation, slowly).
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    code: Mapped[str] = mapped_column(Text, nullable=False, unique=True)
    commune_code: Mapped[str] = mapped_column(Text, nullable=False)
    nom: Mapped[str] = mapped_column(Text, nullable=False)
    population: Mapped[int] = mapped_column(Integer, nullable=False)
    epci_code: Mapped[str | None] = mapped_column(Text)
    departement_code: Mapped[str] = mapped_column(Text, nullable=False)
    region_code: Mapped[str] = mapped_column(Text, nullable=False)
    longitude: Mapped[float] = mapped_column(Float(precision=53), nullable=False)
    latitude: Mapped[float] = mapped_column(Float(precision=53), nullable=False)

    __table_args__ = (
        Index("ix_coverage_unit_departement", "departement_code", "population"),
        Index("ix_coverage_unit_epci", "epci_code", "population"),
        Index("ix_coverage_unit_region", "region_code", "population"),
        Index("ix_coverage_unit_population", "population"),
        Index("ix_coverage_unit_commune", "commune_code"),
    )


class CoverageNeed(db.Model):
    __tablename__ = "coverage_need"

    need: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    # "" for all thématiques, else a category or a sub-thème (`cat--sub`).
    thematique: Mapped[str] = mapped_column(Text, nullable=False, unique=True)
    # Remote services eligible everywhere: counted once here, not in every cell.
    remote_everywhere: Mapped[int] = mapped_column(Integer, nullable=False)


class CoverageCell(db.Model):
    __tablename__ = "coverage_cell"

    unit: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    need: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    nearest_m: Mapped[int | None] = mapped_column(Integer)
    n5: Mapped[int] = mapped_column(Integer, nullable=False)
    n10: Mapped[int] = mapped_column(Integer, nullable=False)
    n15: Mapped[int] = mapped_column(Integer, nullable=False)
    n20: Mapped[int] = mapped_column(Integer, nullable=False)
    n30: Mapped[int] = mapped_column(Integer, nullable=False)
    remote: Mapped[int] = mapped_column(Integer, nullable=False)


class CoverageTerritory(db.Model):
    __tablename__ = "coverage_territory"

    # france (code "FR"), region, departement, epci
    level: Mapped[str] = mapped_column(Text, primary_key=True)
    code: Mapped[str] = mapped_column(Text, primary_key=True)
    need: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    distance_km: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    population: Mapped[int] = mapped_column(BigInteger, nullable=False)
    population_covered: Mapped[int] = mapped_column(BigInteger, nullable=False)
    population_remote: Mapped[int] = mapped_column(BigInteger, nullable=False)
    units: Mapped[int] = mapped_column(Integer, nullable=False)
    units_uncovered: Mapped[int] = mapped_column(Integer, nullable=False)
    # On-site services located in the territory, and those updated within 12 months.
    services: Mapped[int] = mapped_column(Integer, nullable=False)
    services_fresh: Mapped[int] = mapped_column(Integer, nullable=False)
    largest_uncovered: Mapped[int | None] = mapped_column(Integer)


class CoverageRun(db.Model):
    __tablename__ = "coverage_run"

    id: Mapped[int] = mapped_column(Integer, Identity(always=False), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    finished_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    duration_s: Mapped[float] = mapped_column(Float(precision=53), nullable=False)
    services_on_site: Mapped[int] = mapped_column(Integer, nullable=False)
    services_remote: Mapped[int] = mapped_column(Integer, nullable=False)
    units: Mapped[int] = mapped_column(Integer, nullable=False)
    cells: Mapped[int] = mapped_column(Integer, nullable=False)
    # The search index as it was read: later changes make the figures stale.
    search_xid: Mapped[int] = mapped_column(BigInteger, nullable=False)

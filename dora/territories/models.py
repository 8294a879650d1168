"""Reference territories (INSEE COG), loaded by `dora geodata load` from geodata/data."""

from __future__ import annotations

from geoalchemy2 import Geography, Geometry
from sqlalchemy import ARRAY, ForeignKey, Index, Integer, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from dora.extensions import db


class Region(db.Model):
    __tablename__ = "region"

    code: Mapped[str] = mapped_column(String(3), primary_key=True)
    nom: Mapped[str] = mapped_column(Text, nullable=False)


class Departement(db.Model):
    __tablename__ = "departement"

    code: Mapped[str] = mapped_column(String(3), primary_key=True)
    nom: Mapped[str] = mapped_column(Text, nullable=False)
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), nullable=False)
    geom = mapped_column(Geometry("MULTIPOLYGON", srid=4326, spatial_index=False))
    geom_source: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_departement_geom", "geom", postgresql_using="gist"),)


class Epci(db.Model):
    __tablename__ = "epci"

    code: Mapped[str] = mapped_column(String(9), primary_key=True)
    nom: Mapped[str] = mapped_column(Text, nullable=False)
    type: Mapped[str] = mapped_column(Text, nullable=False)
    population: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")


class Commune(db.Model):
    __tablename__ = "commune"

    code: Mapped[str] = mapped_column(String(5), primary_key=True)
    nom: Mapped[str] = mapped_column(Text, nullable=False)
    nom_recherche: Mapped[str] = mapped_column(Text, nullable=False)
    departement_code: Mapped[str] = mapped_column(
        ForeignKey("departement.code"), nullable=False, index=True
    )
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), nullable=False)
    epci_code: Mapped[str | None] = mapped_column(ForeignKey("epci.code"), index=True)
    codes_postaux: Mapped[list[str]] = mapped_column(
        ARRAY(Text), nullable=False, server_default="{}"
    )
    population: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    location = mapped_column(Geography("POINT", srid=4326, spatial_index=False), nullable=False)
    precision: Mapped[str] = mapped_column(Text, nullable=False)

    __table_args__ = (
        Index(
            "ix_commune_nom_recherche",
            "nom_recherche",
            postgresql_using="gin",
            postgresql_ops={"nom_recherche": "gin_trgm_ops"},
        ),
        Index("ix_commune_codes_postaux", "codes_postaux", postgresql_using="gin"),
        Index("ix_commune_location", "location", postgresql_using="gist"),
    )


class ArrondissementMunicipal(db.Model):
    __tablename__ = "arrondissement_municipal"

    code: Mapped[str] = mapped_column(String(5), primary_key=True)
    nom: Mapped[str] = mapped_column(Text, nullable=False)
    commune_code: Mapped[str] = mapped_column(ForeignKey("commune.code"), nullable=False)
    codes_postaux: Mapped[list[str]] = mapped_column(
        ARRAY(Text), nullable=False, server_default="{}"
    )
    population: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    location = mapped_column(Geography("POINT", srid=4326, spatial_index=False), nullable=False)
    precision: Mapped[str] = mapped_column(Text, nullable=False)


class GeodataMeta(db.Model):
    __tablename__ = "geodata_meta"

    key: Mapped[str] = mapped_column(Text, primary_key=True)
    value = mapped_column(JSONB, nullable=False)

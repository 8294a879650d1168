"""Reads of reference territories used by pages (names of codes)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from dora.territories.models import ArrondissementMunicipal, Commune, Departement, Epci, Region

FRANCE_CODES = {"france", "99100"}


def zone_labels(session: Session, codes: Sequence[str]) -> list[str]:
    """Human names for the codes of a `zone_eligibilite`, in the given order."""
    names: dict[str, str] = {}
    for model, key, label in (
        (Commune, Commune.code, "{nom} ({code})"),
        (ArrondissementMunicipal, ArrondissementMunicipal.code, "{nom} ({code})"),
        (Epci, Epci.code, "{nom}"),
        (Departement, Departement.code, "{nom} ({code})"),
        (Region, Region.code, "Région {nom}"),
    ):
        missing = [c for c in codes if c not in names and c not in FRANCE_CODES]
        if not missing:
            break
        for row in session.scalars(select(model).where(key.in_(missing))):
            names[row.code] = label.format(nom=row.nom, code=row.code)
    return ["Toute la France" if code in FRANCE_CODES else names.get(code, code) for code in codes]

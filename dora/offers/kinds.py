"""The offer types in words, and the observatory's needs of their own.

Four offer types: `services` (the catalogue's ordinary services), `formations` (training
actions imported from LHEO), `employeurs` (open positions of inclusive employers) and
`entreprises` (companies hosting immersions: not services, a layer of their own).
The first three are catalogue services told apart by `offer_service.kind`; their one SQL
condition lives where search needs it, dora.search.offer_types (search does not import
this package).

For the coverage observatory (dora.coverage), training and inclusive employment are needs of
their own (COVERAGE_NEEDS), counted from `offer_service`. Their thématiques stay distinct
too: trainings carry `se-former--trouver-sa-formation`, positions
`trouver-un-emploi--repondre-a-des-offres-demploi`.
"""

from __future__ import annotations

from dataclasses import dataclass

from dora.offers.models import OfferKind

FORMATION_THEMATIQUE = "se-former--trouver-sa-formation"
EMPLOI_THEMATIQUE = "trouver-un-emploi--repondre-a-des-offres-demploi"


@dataclass(frozen=True)
class OfferType:
    value: str
    label: str
    singular: str
    # offer_service.kind of the services of this type; None: not in offer_service.
    kind: str | None
    is_service: bool = True


SERVICES = OfferType("services", "Services", "Service", None)
FORMATIONS = OfferType("formations", "Formations", "Formation", OfferKind.FORMATION.value)
EMPLOYEURS = OfferType(
    "employeurs", "Employeurs inclusifs", "Poste en insertion", OfferKind.EMPLOI.value
)
ENTREPRISES = OfferType(
    "entreprises", "Entreprises accueillantes", "Entreprise accueillante", None, False
)
OFFER_TYPES: tuple[OfferType, ...] = (SERVICES, FORMATIONS, EMPLOYEURS, ENTREPRISES)
BY_VALUE = {offer.value: offer for offer in OFFER_TYPES}
KIND_TO_TYPE = {offer.kind: offer for offer in OFFER_TYPES if offer.kind}


# Needs of their own for the coverage observatory (dora.coverage): training and inclusive
# employment, whatever thématiques the services carry. Numbers are negative so that they
# never meet a search facet key (the observatory numbers the other needs by those keys).
@dataclass(frozen=True)
class CoverageNeed:
    value: str
    number: int
    kind: str
    label: str


COVERAGE_NEEDS: tuple[CoverageNeed, ...] = (
    CoverageNeed("offre:formations", -1, OfferKind.FORMATION.value, "Formations (catalogues)"),
    CoverageNeed(
        "offre:employeurs", -2, OfferKind.EMPLOI.value, "Emploi inclusif (SIAE, GEIQ, EA)"
    ),
)


def coverage_needs_sql(service_id_column: str) -> str:
    """SQL rows (`need` smallint) of the offer needs a service meets, for a LATERAL join."""
    cases = " ".join(f"WHEN '{n.kind}' THEN {n.number}" for n in COVERAGE_NEEDS)
    return (
        f"SELECT (CASE o.kind {cases} END)::smallint FROM offer_service AS o "
        f"WHERE o.service_id = {service_id_column}"
    )

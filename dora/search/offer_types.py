"""The « type d'offre » filter (`offre`): which kind of catalogue service a search keeps.

Defined here, where search needs it, as one SQL condition over `offer_service` (the table
of dora.offers that marks imported trainings and inclusive employers' positions); the offers
feature builds on it (dora.offers.kinds), search does not import it. Searches with `offre`
are answered in SQL (the in-process accelerator and Meilisearch know nothing of this table).
"""

from __future__ import annotations

from sqlalchemy import column, table

# The columns search reads (the model is dora.offers.models.OfferService).
OFFER_SERVICE = table("offer_service", column("service_id"), column("kind"))

# `offre` value -> offer_service.kind (None: services that are in no offer_service row).
SERVICE_OFFERS: dict[str, str | None] = {
    "services": None,
    "formations": "formation",
    "employeurs": "emploi-inclusif",
}
# Not services: answered by their own layer and endpoint.
OTHER_OFFERS = ("entreprises",)


def condition(offre: str, service_id_column: str) -> str:
    """SQL condition keeping the services of `offre`, given the column of their id."""
    kind = SERVICE_OFFERS[offre]
    if kind is None:
        return (
            "NOT EXISTS (SELECT 1 FROM offer_service AS o "
            f"WHERE o.service_id = {service_id_column})"
        )
    return (
        f"EXISTS (SELECT 1 FROM offer_service AS o WHERE o.service_id = {service_id_column} "
        f"AND o.kind = '{kind}')"
    )


def offre_of_kind(kind: str | None) -> str:
    """The `offre` value of a service whose offer_service.kind is `kind` (or None)."""
    for offre, offre_kind in SERVICE_OFFERS.items():
        if offre_kind == kind:
            return offre
    return "services"

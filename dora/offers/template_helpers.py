"""What other features' templates show of the offers (guarded by `is defined` there):
the type and details of search results, and on a catalogue service page the link to the
training or employer page."""

from __future__ import annotations

from flask import render_template
from markupsafe import Markup

from dora.extensions import db
from dora.offers import queries


def offer_details(items) -> dict[str, queries.ResultDetails]:
    """Per service id of a page of results: its offer type, next session, open positions."""
    return queries.result_details(db.session, [item["id"] for item in items])


def service_block(service) -> Markup:
    kind = queries.offer_kind(db.session, service.id)
    if kind is None:
        return Markup("")
    return Markup(render_template("offers/_service_block.html", service=service, kind=kind))


def nearby_companies(place, rayon_km: float) -> int:
    if place is None:
        return 0
    return queries.immersion_count(db.session, place.longitude, place.latitude, rayon_km)

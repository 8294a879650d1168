"""Form validators shared by every feature."""

from __future__ import annotations

from wtforms import Field, ValidationError

from dora.core.urls import normalise_web_url

URL_MESSAGE = "Indiquez une adresse web complète, commençant par https:// (ou http://)."


def web_url(form, field: Field) -> None:
    """An http(s) address with a domain name; stored as a valid URI (a quote or a space is
    percent-encoded), so that exports always satisfy their `format: uri`."""
    if not field.data or not field.data.strip():
        field.data = None
        return
    normalised = normalise_web_url(field.data)
    host = normalised.split("/")[2].split(":")[0] if normalised else ""
    if normalised is None or "." not in host.strip("."):
        raise ValidationError(URL_MESSAGE)
    field.data = normalised

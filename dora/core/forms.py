"""Form validators shared by every feature."""

from __future__ import annotations

import re

from wtforms import Field, ValidationError
from wtforms.meta import DefaultMeta

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


class FrenchMeta(DefaultMeta):
    """WTForms' own French translations for the messages we do not write ourselves
    (« Le champ ne peut pas contenir plus de 300 caractères. »). Flask-WTF's Meta would use
    Flask-Babel, which we do not install, and so fall back to English."""

    locales = ("fr_FR", "fr")

    def get_translations(self, form):
        return DefaultMeta.get_translations(self, form)


_PHONE_CHARS = re.compile(r"^\+?[0-9 .()\-]+$")


def phone_number(form, field: Field) -> None:
    """A phone number as people type it: digits, spaces, dots, dashes, a leading +."""
    value = (field.data or "").strip()
    if not value:
        return
    digits = re.sub(r"\D", "", value)
    if not _PHONE_CHARS.match(value) or not 3 <= len(digits) <= 15:
        raise ValidationError(
            "Numéro de téléphone invalide : des chiffres, espaces ou points, "
            "par exemple 01 23 45 67 89."
        )

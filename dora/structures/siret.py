"""SIRET numbers: format and check digit (python-stdnum knows La Poste's exception)."""

from __future__ import annotations

import re

from stdnum.fr import siret as stdnum_siret

_SEPARATORS = re.compile(r"[\s.\-]")


class InvalidSiret(ValueError):
    pass


def clean_siret(raw: str) -> str:
    """The 14 digits of a SIRET, or InvalidSiret with a French message.

    Spaces, dots and dashes are accepted (`732 829 320 00074`). The check digit is Luhn's,
    except for La Poste (SIREN 356 000 000) whose establishments have digits summing to a
    multiple of 5.
    """
    value = _SEPARATORS.sub("", raw or "")
    if not value:
        raise InvalidSiret("Indiquez le SIRET de la structure (14 chiffres).")
    if not value.isdigit() or len(value) != 14:
        raise InvalidSiret(
            f"Un SIRET compte 14 chiffres (vous en avez saisi {sum(c.isdigit() for c in value)}"
            + (", et des caractères qui ne sont pas des chiffres" if not value.isdigit() else "")
            + ")."
        )
    if not stdnum_siret.is_valid(value):
        raise InvalidSiret(
            "Ce SIRET n’existe pas : sa clé de contrôle est fausse. Vérifiez-le, par exemple "
            "sur l’annuaire des entreprises."
        )
    return value

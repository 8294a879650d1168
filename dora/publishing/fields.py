"""The fields of a service as the editor, the history and the conflict screen see them.

A *snapshot* is a plain JSON-ready dict of a service's tracked fields: history rows store
`{field: {"avant": …, "apres": …}}` diffs of two snapshots, and the conflict screen compares
the snapshot saved in the database with the one the user submitted.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from dora.catalogue.models import Service

# Every data·inclusion field a structure edits (id, source, structure_id and date_maj are
# managed by dora), plus our update frequency.
EDITABLE_FIELDS: tuple[str, ...] = (
    "nom",
    "type",
    "description",
    "thematiques",
    "publics",
    "publics_precisions",
    "conditions_acces",
    "frais",
    "frais_precisions",
    "modes_accueil",
    "adresse",
    "complement_adresse",
    "code_postal",
    "commune",
    "code_insee",
    "latitude",
    "longitude",
    "horaires_accueil",
    "telephone",
    "courriel",
    "contact_nom_prenom",
    "zone_eligibilite",
    "modes_mobilisation",
    "mobilisable_par",
    "lien_mobilisation",
    "mobilisation_precisions",
    "volume_horaire_hebdomadaire",
    "nombre_semaines",
    "lien_source",
    "frequence_maj",
)

# Set by status operations, never by the editor form.
STATUS_FIELDS: tuple[str, ...] = ("statut", "suspendu_du", "suspendu_au", "date_maj")

TRACKED_FIELDS: tuple[str, ...] = EDITABLE_FIELDS + STATUS_FIELDS

ARRAY_FIELDS = frozenset(
    {
        "thematiques",
        "publics",
        "modes_accueil",
        "zone_eligibilite",
        "modes_mobilisation",
        "mobilisable_par",
    }
)
DATE_FIELDS = frozenset({"suspendu_du", "suspendu_au", "date_maj"})

LABELS: dict[str, str] = {
    "nom": "Nom du service",
    "type": "Type de service",
    "description": "Description",
    "thematiques": "Thématiques",
    "publics": "Publics",
    "publics_precisions": "Précisions sur les publics",
    "conditions_acces": "Conditions d’accès",
    "frais": "Frais",
    "frais_precisions": "Précisions sur les frais",
    "modes_accueil": "Modes d’accueil",
    "adresse": "Adresse",
    "complement_adresse": "Complément d’adresse",
    "code_postal": "Code postal",
    "commune": "Commune",
    "code_insee": "Code INSEE de la commune",
    "latitude": "Latitude",
    "longitude": "Longitude",
    "horaires_accueil": "Horaires d’accueil",
    "telephone": "Téléphone",
    "courriel": "Courriel",
    "contact_nom_prenom": "Nom et prénom du contact",
    "zone_eligibilite": "Zone d’éligibilité",
    "modes_mobilisation": "Modes de mobilisation",
    "mobilisable_par": "Mobilisable par",
    "lien_mobilisation": "Lien de mobilisation",
    "mobilisation_precisions": "Précisions sur la mobilisation",
    "volume_horaire_hebdomadaire": "Volume horaire hebdomadaire",
    "nombre_semaines": "Durée en semaines",
    "lien_source": "Page web du service",
    "frequence_maj": "Fréquence de mise à jour",
    "statut": "Statut",
    "suspendu_du": "Suspendu du",
    "suspendu_au": "Suspendu jusqu’au",
    "date_maj": "Date de mise à jour",
}


def _plain(field: str, value: Any) -> Any:
    """A JSON-ready, comparable form: arrays sorted, dates ISO, empty strings None."""
    if value is None:
        return None
    if field in ARRAY_FIELDS:
        # Vocabulary arrays are sets (stored sorted); the zone keeps the order it was given in.
        items = list(dict.fromkeys(value)) if field == "zone_eligibilite" else sorted(set(value))
        return items or None
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if hasattr(value, "value"):  # str enums
        return value.value
    return value


def snapshot(service: Service, fields: tuple[str, ...] = TRACKED_FIELDS) -> dict[str, Any]:
    return {field: _plain(field, getattr(service, field)) for field in fields}


def normalise(values: Mapping[str, Any]) -> dict[str, Any]:
    """Put submitted values in snapshot form so they compare with a snapshot."""
    return {field: _plain(field, value) for field, value in values.items()}


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """`{field: {"avant", "apres"}}` for the fields whose value changed, in field order."""
    changed: dict[str, dict[str, Any]] = {}
    for field in TRACKED_FIELDS:
        if field not in before and field not in after:
            continue
        old, new = before.get(field), after.get(field)
        if old != new:
            changed[field] = {"avant": old, "apres": new}
    return changed


def to_model_value(field: str, value: Any) -> Any:
    """Snapshot value back to what the model column holds."""
    if value is None:
        return None
    if field in DATE_FIELDS:
        return date.fromisoformat(value)
    return value

"""Editor values shared by the publishing tests (imported as a plain module)."""

from __future__ import annotations


def complete_values(**overrides) -> dict:
    """Editor values (snapshot form) of a service that can be published."""
    values = {
        "nom": "Garage solidaire",
        "description": "Réparation de véhicules à prix réduit pour les personnes en insertion.",
        "thematiques": ["mobilite--entretenir-reparer-son-vehicule"],
        "publics": ["demandeurs-emploi"],
        "modes_accueil": ["en-presentiel"],
        "adresse": "12 rue de la République",
        "code_postal": "93200",
        "commune": "Saint-Denis",
        "code_insee": "93066",
        "zone_eligibilite": ["93"],
        "modes_mobilisation": ["se-presenter", "telephoner"],
        "telephone": "01 23 45 67 89",
        "frequence_maj": "annuelle",
    }
    values.update(overrides)
    return values


def form_data(values: dict | None = None, **overrides) -> dict:
    """The editor's POST body for `values` (lists become repeated fields)."""
    values = dict(values or complete_values())
    values.update(overrides)
    data: dict = {}
    for key, value in values.items():
        if value is None:
            data[key] = ""
        elif isinstance(value, list):
            data[key] = value
        else:
            data[key] = str(value)
    return data

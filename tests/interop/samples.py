"""Sample data·inclusion records and file writers for the import/export tests."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from dora.interop.fields import spec_of

PREFIX = "test-import--"


def full_structure(n: int = 1, **changes: Any) -> dict[str, Any]:
    """A structure with every field of the schema set."""
    record = {
        "source": "test-import",
        "id": f"{PREFIX}structure-{n}",
        "nom": f"Garage solidaire de Saint-Denis {n}",
        "date_maj": "2024-05-02",
        "description": "Garage associatif : réparations à prix coûtant et prêt de véhicules.",
        "lien_source": f"https://example.org/structures/{n}",
        "siret": "13003013300016",
        "commune": "Saint-Denis",
        "code_postal": "93200",
        "code_insee": "93066",
        "adresse": "12 rue de la République",
        "complement_adresse": "Bâtiment B",
        "longitude": 2.357412,
        "latitude": 48.936201,
        "telephone": "+33123456789",
        "courriel": "Contact@Garage-Solidaire.example.org",
        "site_web": "https://garage-solidaire.example.org",
        "horaires_accueil": "Mo-Fr 09:00-17:00; PH off",
        "accessibilite_lieu": "https://acceslibre.beta.gouv.fr/app/93-saint-denis/a/garage/erp/x/",
        "reseaux_porteurs": ["croix-rouge", "emmaus"],
    }
    record.update(changes)
    return record


def minimal_structure(n: int = 1, **changes: Any) -> dict[str, Any]:
    record = {
        "source": "test-import",
        "id": f"{PREFIX}structure-min-{n}",
        "nom": f"Petite structure {n}",
        "date_maj": "2023-01-15",
    }
    record.update(changes)
    return record


def full_service(n: int = 1, structure_id: str | None = None, **changes: Any) -> dict[str, Any]:
    """A service with every field of the schema set."""
    record = {
        "source": "test-import",
        "structure_id": structure_id or f"{PREFIX}structure-1",
        "id": f"{PREFIX}service-{n}",
        "nom": f"Réparation de véhicules à prix solidaire {n}",
        "description": "Diagnostic et réparations à prix coûtant pour se rendre au travail.",
        "lien_source": f"https://example.org/services/{n}",
        "date_maj": "2024-06-01",
        "type": "aide-materielle",
        "thematiques": [
            "mobilite--entretenir-reparer-son-vehicule",
            "mobilite--acceder-a-un-vehicule",
        ],
        "frais": "payant",
        "frais_precisions": "Pièces à la charge de la personne, main d’œuvre offerte.",
        "publics": ["demandeurs-emploi", "beneficiaires-des-minimas-sociaux"],
        "publics_precisions": "Sur orientation d’un conseiller.",
        "conditions_acces": "Avoir un projet d’emploi ou de formation.",
        "commune": "Saint-Denis",
        "code_postal": "93200",
        "code_insee": "93066",
        "adresse": "12 rue de la République",
        "complement_adresse": "Atelier au fond de la cour",
        "longitude": 2.357412,
        "latitude": 48.936201,
        "telephone": "+33123456789",
        "courriel": "atelier@garage-solidaire.example.org",
        "modes_accueil": ["en-presentiel", "a-distance"],
        "zone_eligibilite": ["93", "200054781", "75056"],
        "contact_nom_prenom": "Camille Martin",
        "lien_mobilisation": "https://garage-solidaire.example.org/rendez-vous?service=1",
        "modes_mobilisation": ["telephoner", "utiliser-lien-mobilisation"],
        "mobilisable_par": ["professionnels", "usagers"],
        "mobilisation_precisions": "Fiche de liaison à envoyer par courriel.",
        "volume_horaire_hebdomadaire": 2.5,
        "nombre_semaines": 3,
        "horaires_accueil": "Mo-Fr 08:30-12:30; PH off",
    }
    record.update(changes)
    return record


def minimal_service(n: int = 1, structure_id: str | None = None, **changes: Any) -> dict:
    record = {
        "source": "test-import",
        "structure_id": structure_id or f"{PREFIX}structure-min-1",
        "id": f"{PREFIX}service-min-{n}",
        "nom": f"Atelier CV {n}",
        "description": "Écrire son CV avec une conseillère.",
        "date_maj": "2023-03-01",
    }
    record.update(changes)
    return record


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ",".join(value)
    return str(value)


def write_json(path: Path, records: list[dict]) -> Path:
    path.write_text(json.dumps(records, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def write_jsonl(path: Path, records: list[dict]) -> Path:
    lines = [json.dumps(record, ensure_ascii=False) for record in records]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_csv(path: Path, records: list[dict], kind: str, delimiter: str = ",") -> Path:
    columns = list(spec_of(kind).names)  # type: ignore[arg-type]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(columns)
        for record in records:
            writer.writerow([_csv_cell(record.get(name)) for name in columns])
    return path

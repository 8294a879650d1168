"""Form data and small files for the orientation tests."""

from __future__ import annotations

import io
import uuid

# The smallest files of each accepted type (their first bytes are what counts).
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
EXE = b"MZ\x90\x00" + b"\x00" * 32


def upload(data: bytes, name: str):
    return (io.BytesIO(data), name)


def form_data(**overrides) -> dict:
    data = {
        "jeton_envoi": str(uuid.uuid4()),
        "personne_prenom": "Camille",
        "personne_nom": "Martin",
        "personne_email": "camille.martin@exemple.fr",
        "personne_telephone": "06 12 34 56 78",
        "code_postal": "93200",
        "commune": "Saint-Denis",
        "code_insee": "93066",
        "personne_contact": ["telephone"],
        "personne_disponibilites": "Le matin",
        "situation": ["jeunes"],
        "situation_autre": "",
        "criteres": ["0", "2"],
        "criteres_precisions": "",
        "message": "Camille cherche un atelier pour réparer son vélo et aller au travail.",
        "prescripteur_nom": "Claire Conseil",
        "prescripteur_structure": "",
        "prescripteur_organisation": "",
        "prescripteur_telephone": "",
        "consentement": "y",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}

"""`dora import siae FILE.json`: inclusive employers listed by « les emplois de l'inclusion ».

The file is what their public SIAE API answers (repository gip-inclusion/les-emplois,
`itou/api/siae_api/serializers.py`): a list (or `{"results": [...]}`) of employers with
`siret`, `type` (kind), `raison_sociale`, `enseigne`, `site_web`, `description`,
`bloque_candidatures`, `addresse_ligne_1`, `addresse_ligne_2`, `code_postal`, `ville`,
`departement`, `cree_le`, `mis_a_jour_le` and `postes` (fiches de poste: `id`, `rome`,
`cree_le`, `mis_a_jour_le`, `recrutement_ouvert`, `description`, `appellation_modifiee`).

- Each employer becomes a structure `siae--<SIRET>--<kind>` (one SIRET may run several kinds
  of SIAE), with its kind in `offer_structure.employer_kind` and its address placed by postal
  code and town (the API gives no coordinates).
- Each position becomes a `trouver-un-emploi` service `siae--<SIRET>--<kind>--<poste id>`,
  with the eligibility rule of its kind spelled out (ELIGIBILITY below). A closed position
  (`recrutement_ouvert` false) is archived, or not created; positions of an employer that
  blocks applications are suspended.
- Identifiers kept: SIRET, kind, fiche de poste id; `source` and dates on every row
  (`mis_a_jour_le` is the service's `date_maj`).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Connection
from stdnum.fr import siret as siret_number

from dora.catalogue.models import Statut
from dora.interop.places import Places
from dora.offers import importing
from dora.offers.importing import OfferReport, Rejection, clip, point_wkt, upsert
from dora.offers.kinds import EMPLOI_THEMATIQUE
from dora.offers.lheo.importer import _validate_v1
from dora.offers.models import OfferKind, StructureKind
from geodata import resolve

KINDS = {
    "ACI": "Atelier et chantier d’insertion",
    "EI": "Entreprise d’insertion",
    "AI": "Association intermédiaire",
    "ETTI": "Entreprise de travail temporaire d’insertion",
    "EITI": "Entreprise d’insertion par le travail indépendant",
    "GEIQ": "Groupement d’employeurs pour l’insertion et la qualification",
    "EA": "Entreprise adaptée",
    "EATT": "Entreprise adaptée de travail temporaire",
}
IAE_KINDS = {"ACI", "EI", "AI", "ETTI", "EITI"}
PASS_IAE = (
    "Embauche en parcours d’insertion par l’activité économique (IAE) : la personne doit "
    "obtenir un PASS IAE. Sa candidature passe par un prescripteur habilité (France Travail, "
    "mission locale, Cap emploi, conseil départemental, SIAO, PLIE…) qui valide son "
    "éligibilité, ou par l’auto-prescription de la structure."
)
ELIGIBILITY = {
    **dict.fromkeys(IAE_KINDS, PASS_IAE),
    "GEIQ": (
        "Contrat en alternance (professionnalisation ou apprentissage) avec accompagnement ; "
        "pas de PASS IAE : le GEIQ vérifie lui-même les critères d’éligibilité de la personne."
    ),
    "EA": (
        "Réservé aux personnes bénéficiant d’une reconnaissance de la qualité de travailleur "
        "handicapé (RQTH) ; pas de PASS IAE."
    ),
    "EATT": (
        "Missions d’intérim réservées aux personnes bénéficiant d’une RQTH ; pas de PASS IAE."
    ),
}
CLOSED = "closed"
_TRUE = {"true", "1", "oui", "yes"}
_FALSE = {"false", "0", "non", "no"}


def _boolean(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    return None


def _text(value: Any, field: str, issues: list, *, required: bool = False) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            issues.append((field, "champ obligatoire manquant"))
        return None
    if not isinstance(value, str):
        issues.append((field, f"texte attendu, reçu « {str(value)[:40]} »"))
        return None
    if "\x00" in value:
        issues.append((field, "caractère nul interdit"))
        return None
    return value.strip()


def _datetime(value: Any, field: str, issues: list) -> date | None:
    if value in (None, ""):
        return None
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")).date()
    except ValueError:
        issues.append((field, f"date invalide : « {str(value)[:40]} » (ISO 8601 attendu)"))
        return None


class Importer:
    def __init__(
        self, connection: Connection, path: Path, *, source: str, today: date | None = None
    ) -> None:
        self.connection = connection
        self.path = path
        self.source = source
        self.today = today or importing.today()
        self.report = OfferReport()
        Places(connection)  # raises GeodataMissing when the territories are not loaded
        self._located: dict[tuple[str, str], Any] = {}

    def _reject(self, position: int, ident: str | None, issues: list) -> None:
        for field, message in issues:
            self.report.rejections.append(
                Rejection(self.path.name, f"enregistrement {position}", ident, field, message)
            )

    def run(self, *, strict: bool = False) -> OfferReport:
        records = importing.read_json_list(self.path)
        structures: list[dict[str, Any]] = []
        offer_structures: list[dict[str, Any]] = []
        services: list[dict[str, Any]] = []
        offer_services: list[dict[str, Any]] = []
        seen: dict[str, int] = {}
        counts = self.report.of("structures")
        postes = self.report.of("postes")
        counts.read = len(records)
        for position, record in enumerate(records, start=1):
            built = self._employer(position, record, seen)
            if built is None:
                counts.rejected += 1
                if isinstance(record, dict) and isinstance(record.get("postes"), list):
                    postes.read += len(record["postes"])
                    postes.rejected += len(record["postes"])
                continue
            structure, offer_structure, positions = built
            structures.append(structure)
            offer_structures.append(offer_structure)
            for service, offer_service in positions:
                services.append(service)
                offer_services.append(offer_service)
        if strict and self.report.rejections:
            return self.report
        counts.add(
            upsert(
                self.connection,
                "structure",
                structures,
                key=("id",),
                casts={"location": "geography"},
                versioned=True,
                insert_only={"moderation": "validee"},
            )
        )
        upsert(self.connection, "offer_structure", offer_structures, key=("structure_id",))
        postes.add(
            upsert(
                self.connection,
                "service",
                services,
                key=("id",),
                casts={"location": "geography"},
                versioned=True,
            )
        )
        upsert(self.connection, "offer_service", offer_services, key=("service_id",))
        self.report.written = True
        return self.report

    def _employer(self, position: int, record: Any, seen: dict[str, int]):
        if not isinstance(record, dict):
            self._reject(position, None, [(None, "objet JSON attendu")])
            return None
        issues: list[tuple[str | None, str]] = []
        siret = _text(record.get("siret"), "siret", issues, required=True)
        if siret and not siret_number.is_valid(siret):
            issues.append(("siret", f"numéro SIRET invalide : « {siret[:20]} »"))
        kind = _text(record.get("type"), "type", issues, required=True)
        if kind and kind not in KINDS:
            issues.append(
                (
                    "type",
                    f"type de structure non pris en charge : « {kind[:20]} » "
                    f"(attendu : {', '.join(KINDS)})",
                )
            )
        nom = _text(record.get("enseigne"), "enseigne", issues) or _text(
            record.get("raison_sociale"), "raison_sociale", issues, required=True
        )
        ligne1 = _text(record.get("addresse_ligne_1"), "addresse_ligne_1", issues)
        ligne2 = _text(record.get("addresse_ligne_2"), "addresse_ligne_2", issues)
        code_postal = _text(record.get("code_postal"), "code_postal", issues, required=True)
        if code_postal and not re.fullmatch(r"\d{5}", code_postal):
            issues.append(
                ("code_postal", f"code postal à 5 chiffres attendu : « {code_postal[:10]} »")
            )
        ville = _text(record.get("ville"), "ville", issues, required=True)
        departement = _text(record.get("departement"), "departement", issues)
        site_web = _text(record.get("site_web"), "site_web", issues)
        if site_web and not re.match(r"^https?://\S+\.\S+$", site_web):
            site_web = None  # the API often holds bare domains or free text: dropped
        description = _text(record.get("description"), "description", issues)
        updated = _datetime(record.get("mis_a_jour_le"), "mis_a_jour_le", issues)
        bloque = _boolean(record.get("bloque_candidatures"))
        postes = record.get("postes", [])
        if not isinstance(postes, list):
            issues.append(("postes", "liste de postes attendue"))
            postes = []
        ident = f"{siret}/{kind}" if siret and kind else siret
        if not issues and ident in seen:
            issues.append((None, f"employeur en double (déjà enregistrement {seen[ident]})"))
        if issues:
            self._reject(position, ident, issues)
            return None
        seen[ident] = position
        found = self._locate(code_postal, ville)
        if found is None:
            self._reject(
                position,
                ident,
                [("code_postal", f"commune introuvable : « {code_postal} {ville} »")],
            )
            return None
        place = (found.longitude, found.latitude, found.precision)
        code_insee = found.arrondissement or found.code_insee
        departement = importing.departement_of_commune(self.connection, code_insee) or departement
        structure_id = f"siae--{siret}--{kind.lower()}"
        structure = {
            "id": structure_id,
            "source": self.source,
            "nom": clip(nom, 150),
            "siret": siret,
            "date_maj": updated or self.today,
            "description": clip(description, 3000),
            "site_web": site_web,
            "adresse": ligne1,
            "complement_adresse": ligne2,
            "code_postal": code_postal,
            "commune": ville,
            "code_insee": code_insee,
            "location": point_wkt(place[0], place[1]),
            "location_precision": place[2],
        }
        offer_structure = {
            "structure_id": structure_id,
            "kind": StructureKind.EMPLOYEUR_INCLUSIF.value,
            "employer_kind": kind,
            "source": self.source,
            "source_id": ident,
            "details": {
                "type_libelle": KINDS[kind],
                "raison_sociale": record.get("raison_sociale"),
                "bloque_candidatures": bool(bloque),
                "cree_le": str(record.get("cree_le") or "") or None,
            },
        }
        positions = []
        counts = self.report.of("postes")
        for index, poste in enumerate(postes, start=1):
            counts.read += 1
            built = self._position(position, index, poste, structure, kind, bloque, departement)
            if built is None:
                counts.rejected += 1
            elif built != CLOSED:
                positions.append(built)
        return structure, offer_structure, positions

    def _position(self, position, index, poste, structure, kind, bloque, departement):
        where = f"postes[{index}]"
        issues: list[tuple[str | None, str]] = []
        if not isinstance(poste, dict):
            self._reject(position, structure["id"], [(where, "objet JSON attendu")])
            return None
        poste_id = poste.get("id")
        if isinstance(poste_id, bool) or not isinstance(poste_id, int | str) or poste_id == "":
            issues.append((f"{where}.id", "identifiant de la fiche de poste manquant"))
        rome = _text(poste.get("rome"), f"{where}.rome", issues, required=True)
        if rome and not re.fullmatch(r"[A-N]\d{4}", rome):
            issues.append((f"{where}.rome", f"code ROME invalide : « {rome[:10]} »"))
        ouvert = _boolean(poste.get("recrutement_ouvert"))
        if ouvert is None:
            issues.append((f"{where}.recrutement_ouvert", "vrai ou faux attendu"))
        titre = _text(poste.get("appellation_modifiee"), f"{where}.appellation_modifiee", issues)
        description = _text(poste.get("description"), f"{where}.description", issues)
        updated = _datetime(poste.get("mis_a_jour_le"), f"{where}.mis_a_jour_le", issues)
        if issues:
            self._reject(position, structure["id"], issues)
            return None
        service_id = f"{structure['id']}--{poste_id}"
        nom = titre or f"Poste (métier ROME {rome})"
        eligibility = ELIGIBILITY[kind]
        service = {
            "id": service_id,
            "source": self.source,
            "structure_id": structure["id"],
            "nom": clip(f"{nom}", 150),
            "description": clip(
                description or f"Poste à pourvoir chez {structure['nom']} ({KINDS[kind]}).",
                10000,
            ),
            "lien_source": None,
            "date_maj": updated or structure["date_maj"],
            "type": "accompagnement",
            "thematiques": [EMPLOI_THEMATIQUE],
            "frais": "gratuit",
            "frais_precisions": None,
            "publics": ["personnes-en-situation-de-handicap"] if kind in {"EA", "EATT"} else None,
            "publics_precisions": None,
            "conditions_acces": eligibility,
            "commune": structure["commune"],
            "code_postal": structure["code_postal"],
            "code_insee": structure["code_insee"],
            "adresse": structure["adresse"],
            "complement_adresse": structure["complement_adresse"],
            "modes_accueil": ["en-presentiel"],
            "zone_eligibilite": [departement] if departement else None,
            "mobilisable_par": ["professionnels"]
            if kind in IAE_KINDS
            else ["professionnels", "usagers"],
            "mobilisation_precisions": eligibility,
            "location": structure["location"],
            "location_precision": structure["location_precision"],
            "statut": Statut.PUBLIE.value if ouvert else Statut.ARCHIVE.value,
            "suspendu_du": self.today if bloque else None,
            "suspendu_au": None,
        }
        problems = _validate_v1(service)
        if problems:
            self._reject(position, service_id, [(f"{where}.{f}", m) for f, m in problems])
            return None
        if not ouvert and not self._exists(service_id):
            return CLOSED  # a closed position we never had: nothing to show
        offer_service = {
            "service_id": service_id,
            "kind": OfferKind.EMPLOI.value,
            "source": self.source,
            "source_id": f"{structure['siret']}/{kind}/{poste_id}",
            "details": {
                "rome": rome,
                "type_structure": kind,
                "recrutement_ouvert": ouvert,
                "cree_le": str(poste.get("cree_le") or "") or None,
                "eligibilite": "pass-iae" if kind in IAE_KINDS else kind.lower(),
            },
        }
        return service, offer_service

    def _locate(self, code_postal: str, ville: str):
        key = (code_postal, ville)
        if key not in self._located:
            self._located[key] = resolve.locate(
                self.connection, code_postal=code_postal, commune=ville
            )
        return self._located[key]

    def _exists(self, service_id: str) -> bool:
        from sqlalchemy import text

        return (
            self.connection.execute(
                text("SELECT 1 FROM service WHERE id = :id"), {"id": service_id}
            ).first()
            is not None
        )

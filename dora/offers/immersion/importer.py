"""`dora import immersion FILE.json`: companies open to immersions (PMSMP), from Immersion
Facile.

The file is a list of search results of Immersion Facile's public API (repository
gip-inclusion/immersion-facile, type `SearchImmersionResultPublicV2` /
`SearchResultDto`): `siret`, `name`, `customizedName`, `naf`, `nafLabel`, `rome`,
`romeLabel`, `appellations` [{`appellationCode`, `appellationLabel`}], `voluntaryToImmersion`,
`fitForDisabledWorkers`, `position` {`lat`, `lon`}, `address` {`streetNumberAndAddress`,
`postcode`, `departmentCode`, `city`}, `contactMode` (EMAIL, PHONE, IN_PERSON),
`numberOfEmployeeRange`, `website`, `additionalInformation`.

One result is one (establishment, ROME) pair: results of the same SIRET are merged into one
company with all its métiers. Companies go to `immersion_company` / `immersion_metier`, never
to services: they are shown as their own layer « entreprises accueillantes ». A re-import
replaces a company's métiers with the file's. The import date is every row's `date_maj`
(the API gives none).
"""

from __future__ import annotations

import math
import re
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection
from stdnum.fr import siret as siret_number

from dora.offers import importing
from dora.offers.importing import OfferReport, Rejection, point_wkt, upsert

ROME = re.compile(r"[A-N]\d{4}")
APPELLATION = re.compile(r"\d{1,8}")
CONTACT_MODES = {"EMAIL", "PHONE", "IN_PERSON"}


def _string(record: dict, key: str, issues: list, *, required=False, limit=500) -> str | None:
    value = record.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            issues.append((key, "champ obligatoire manquant"))
        return None
    if not isinstance(value, str):
        issues.append((key, f"texte attendu, reçu « {str(value)[:40]} »"))
        return None
    if "\x00" in value:
        issues.append((key, "caractère nul interdit"))
        return None
    value = value.strip()
    if len(value) > limit:
        issues.append((key, f"doit contenir au plus {limit} caractères"))
        return None
    return value


class Importer:
    def __init__(
        self, connection: Connection, path: Path, *, source: str, today: date | None = None
    ) -> None:
        self.connection = connection
        self.path = path
        self.source = source
        self.today = today or importing.today()
        self.report = OfferReport()

    def run(self, *, strict: bool = False) -> OfferReport:
        records = importing.read_json_list(self.path)
        companies: dict[str, dict[str, Any]] = {}
        metiers: dict[str, dict[str, dict[str, Any]]] = {}
        results = self.report.of("resultats")
        results.read = len(records)
        counts = self.report.of("entreprises")
        metier_counts = self.report.of("metiers")
        for position, record in enumerate(records, start=1):
            built = self._result(position, record)
            if built is None:
                results.rejected += 1
                continue
            company, found = built
            siret = company["siret"]
            if siret in companies and companies[siret]["location"] != company["location"]:
                self.report.warnings.append(
                    Rejection(
                        self.path.name,
                        f"enregistrement {position}",
                        siret,
                        "position",
                        "même SIRET à un autre endroit : le premier lieu est gardé",
                    )
                )
            companies.setdefault(siret, company)
            for metier in found:
                metiers.setdefault(siret, {})[metier["appellation_code"]] = metier
        counts.read = len(companies)
        results.unchanged = results.read - results.rejected  # read and used
        if strict and self.report.rejections:
            return self.report
        counts.add(
            upsert(
                self.connection,
                "immersion_company",
                list(companies.values()),
                key=("siret",),
                casts={"location": "geography"},
            )
        )
        for siret, by_code in metiers.items():
            rows = list(by_code.values())
            metier_counts.read += len(rows)
            deleted = self.connection.execute(
                text(
                    "DELETE FROM immersion_metier WHERE siret = :siret "
                    "AND NOT (appellation_code = ANY(:codes))"
                ),
                {"siret": siret, "codes": list(by_code)},
            ).rowcount
            created, updated, unchanged = upsert(
                self.connection, "immersion_metier", rows, key=("siret", "appellation_code")
            )
            metier_counts.add((created, updated + deleted, unchanged))
        self.report.written = True
        return self.report

    def _reject(self, position: int, ident: str | None, issues: list) -> None:
        for field, message in issues:
            self.report.rejections.append(
                Rejection(self.path.name, f"enregistrement {position}", ident, field, message)
            )

    def _result(self, position: int, record: Any):
        if not isinstance(record, dict):
            self._reject(position, None, [(None, "objet JSON attendu")])
            return None
        issues: list[tuple[str | None, str]] = []
        siret = _string(record, "siret", issues, required=True, limit=14)
        if siret and not siret_number.is_valid(siret):
            issues.append(("siret", f"numéro SIRET invalide : « {siret} »"))
        name = _string(record, "name", issues, required=True, limit=255)
        customized = _string(record, "customizedName", issues, limit=255)
        naf = _string(record, "naf", issues, limit=6)
        naf_label = _string(record, "nafLabel", issues, limit=255)
        rome = _string(record, "rome", issues, required=True, limit=40)
        if rome and not ROME.fullmatch(rome):
            issues.append(("rome", f"code ROME invalide : « {rome} » (lettre et 4 chiffres)"))
        rome_label = _string(record, "romeLabel", issues, required=True, limit=255)
        voluntary = record.get("voluntaryToImmersion")
        if not isinstance(voluntary, bool):
            issues.append(("voluntaryToImmersion", "vrai ou faux attendu"))
        disabled = record.get("fitForDisabledWorkers")
        if disabled is not None and not isinstance(disabled, bool):
            issues.append(("fitForDisabledWorkers", "vrai ou faux attendu"))
        position_ = record.get("position")
        lat = lon = None
        if not isinstance(position_, dict):
            issues.append(("position", "objet {lat, lon} attendu"))
        else:
            lat, lon = position_.get("lat"), position_.get("lon")
            if not all(
                isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
                for v in (lat, lon)
            ) or not (-90 <= lat <= 90 and -180 <= lon <= 180):
                issues.append(("position", "latitude et longitude en degrés attendues"))
        address = record.get("address")
        if not isinstance(address, dict):
            issues.append(("address", "objet adresse attendu"))
            address = {}
        street = _string(address, "streetNumberAndAddress", issues, limit=255)
        postcode = _string(address, "postcode", issues, limit=5)
        if postcode and not re.fullmatch(r"\d{5}", postcode):
            issues.append(
                ("address.postcode", f"code postal à 5 chiffres attendu : « {postcode} »")
            )
        city = _string(address, "city", issues, required=True, limit=100)
        department = _string(address, "departmentCode", issues, limit=3)
        contact = _string(record, "contactMode", issues, limit=20)
        if contact and contact not in CONTACT_MODES:
            issues.append(("contactMode", f"valeur inconnue : « {contact} »"))
        website = _string(record, "website", issues, limit=500)
        if website and not re.match(r"^https?://\S+\.\S+$", website):
            website = None
        appellations = record.get("appellations", [])
        found = []
        if not isinstance(appellations, list) or not appellations:
            issues.append(("appellations", "au moins une appellation (métier) attendue"))
            appellations = []
        for index, appellation in enumerate(appellations, start=1):
            where = f"appellations[{index}]"
            if not isinstance(appellation, dict):
                issues.append((where, "objet attendu"))
                continue
            code = appellation.get("appellationCode")
            label = appellation.get("appellationLabel")
            if not isinstance(code, str) or not APPELLATION.fullmatch(code):
                issues.append((f"{where}.appellationCode", "code d’appellation ROME attendu"))
                continue
            if not isinstance(label, str) or not label.strip() or len(label) > 255:
                issues.append((f"{where}.appellationLabel", "libellé du métier attendu"))
                continue
            found.append(
                {
                    "siret": siret,
                    "appellation_code": code,
                    "appellation_libelle": label.strip(),
                    "rome_code": rome,
                    "rome_libelle": rome_label,
                }
            )
        if issues:
            self._reject(position, siret, issues)
            return None
        company = {
            "siret": siret,
            "source": self.source,
            "date_maj": self.today,
            "nom": name,
            "enseigne": customized,
            "naf": naf,
            "naf_libelle": naf_label,
            "adresse": street,
            "code_postal": postcode,
            "commune": city,
            "code_insee": None,
            "departement": department,
            "location": point_wkt(lon, lat),
            "volontaire": voluntary,
            "accueil_handicap": disabled,
            "tranche_effectif": _string(record, "numberOfEmployeeRange", [], limit=40),
            "mode_contact": contact,
            "site_web": website,
            "informations": _string(record, "additionalInformation", [], limit=3000),
        }
        nearest = importing.nearest_commune(self.connection, lon, lat)
        if nearest is not None:
            company["code_insee"] = nearest.code
            company["departement"] = company["departement"] or nearest.departement_code
        return company, found

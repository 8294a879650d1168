"""`dora import lheo FILE.xml`: a Carif-Oref / Région training catalogue in LHEO 2.3.

The file is parsed safely (no DTD, no entities, no network) and validated against the LHEO
XSD (schema/lheo-2.3.xsd) with lxml. A schema error inside a `formation` rejects that
formation (its line and element are reported); an error outside any formation, or a file
that is not LHEO 2.3, makes the file unusable. Then, per action:

- the organisme de formation responsable becomes a structure `lheo--of-<SIRET>`
  (validated SIRET) with its address;
- the action becomes a `se-former` service `lheo--<numéro de l'action>` (type `formation`),
  placed at its lieu de formation, open to the residents of that place's Région (the
  data·inclusion schema writes a Région as its départements), with its thématiques and
  publics mapped by `mapping.py`, its certification, funding, price and contact;
- its sessions that are still to come are kept (`training_session`): a session is to come
  when it starts today or later, or when entries are permanent (modalites-entrees-sorties 1)
  and it has not ended. Past sessions are dropped (and counted).
- A training is shown as available until its last session to come has started (entries
  permanent: until it ends): the service is suspended from the day after (the catalogue's
  own suspension rule hides it everywhere); with no session to come it is suspended at once.

Identifiers kept: the action's and session's `numero` (required for actions: it is what a
re-import updates by), the organisme's SIRET; `source` and the import date on every row.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from lxml import etree
from sqlalchemy import text
from sqlalchemy.engine import Connection
from stdnum.fr import siret as siret_number

from dora.catalogue.models import Statut
from dora.interop.places import Places
from dora.offers import importing
from dora.offers.importing import (
    FileUnusable,
    OfferReport,
    Rejection,
    clip,
    join_lines,
    point_wkt,
    upsert,
)
from dora.offers.lheo import mapping
from dora.offers.models import OfferKind, StructureKind

NS = "http://lheo.gouv.fr/2.3"
N = {"l": NS}
SCHEMA_PATH = Path(__file__).with_name("schema") / "lheo-2.3.xsd"
MAX_BYTES = 200 * 1024 * 1024


@dataclass
class _Action:
    line: int
    numero: str
    service: dict[str, Any]
    details: dict[str, Any]
    sessions: list[dict[str, Any]]
    structure_id: str


@dataclass
class _Parsed:
    structures: dict[str, dict[str, Any]] = field(default_factory=dict)
    actions: list[_Action] = field(default_factory=list)


_schema: etree.XMLSchema | None = None


def schema() -> etree.XMLSchema:
    global _schema
    if _schema is None:
        _schema = etree.XMLSchema(etree.parse(str(SCHEMA_PATH)))
    return _schema


def _parser() -> etree.XMLParser:
    # No DTD loading, no entity expansion, no network: an imported file cannot read local
    # files (XXE) or blow up memory with nested entities.
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def _t(element, path: str) -> str | None:
    found = element.find(path, N)
    if found is None or found.text is None:
        return None
    value = " ".join(found.text.split()) if "\n" not in found.text else found.text.strip()
    return value or None


def _all(element, path: str) -> list[str]:
    return [" ".join(found.text.split()) for found in element.findall(path, N) if found.text]


def _date8(value: str | None) -> date | None:
    if not value or len(value) != 8 or not value.isdigit():
        return None
    try:
        return date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        return None  # LHEO writes unknown dates with 00 (e.g. 20260000, 00000000)


def _french_schema_message(error) -> str:
    message = error.message
    message = re.sub(r"\{" + re.escape(NS) + r"\}", "", message)
    element = r"Element '([^']+)': "
    expected = r"Expected is (?:one of )?\( ?(.+?) ?\)\."
    replacements = [
        (
            element + r"This element is not expected\. " + expected,
            r"élément « \1 » inattendu à cet endroit (attendu : \2)",
        ),
        (element + r"This element is not expected\.", r"élément « \1 » inattendu"),
        (
            element + r"Missing child element\(s\)\. " + expected,
            r"dans « \1 », élément(s) manquant(s) : \2",
        ),
        (
            element + r"\[facet 'pattern'\] The value '([^']*)' is not accepted.*",
            r"« \1 » : valeur « \2 » au mauvais format (date AAAAMMJJ attendue)",
        ),
        (
            element + r"\[facet '(?:minLength|maxLength|length)'\] "
            r"The value '([^']{0,60})[^']*' has a length of '(\d+)'.*",
            r"« \1 » : longueur non permise (\3 caractères) pour « \2 »",
        ),
        (
            element + r"\[facet 'enumeration'\] The value '([^']*)' is not an element "
            r"of the set \{(.+)\}\.",
            r"« \1 » : valeur « \2 » inconnue (valeurs permises : \3)",
        ),
        (
            element + r"'([^']*)' is not a valid value of the atomic type 'xs:long'\.",
            r"« \1 » : nombre entier attendu, reçu « \2 »",
        ),
    ]
    for pattern, replacement in replacements:
        new = re.sub(pattern, replacement, message)
        if new != message:
            return new
    return f"non conforme au schéma LHEO : {message}"


def read(path: Path) -> tuple[etree._ElementTree, dict[int, list[Rejection]]]:
    """The parsed document and the schema errors by formation position (1-based)."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise FileUnusable(f"{path} : lecture impossible ({exc.strerror}).") from exc
    if size == 0:
        raise FileUnusable(f"{path.name} : fichier vide.")
    if size > MAX_BYTES:
        raise FileUnusable(f"{path.name} : fichier trop volumineux (200 Mo au plus).")
    try:
        document = etree.parse(str(path), _parser())
    except etree.XMLSyntaxError as exc:
        raise FileUnusable(
            f"{path.name} : XML mal formé (ligne {exc.lineno}) : {exc.msg}."
        ) from exc
    if document.docinfo.internalDTD is not None or document.docinfo.doctype:
        # LHEO needs no DTD; entities could point at local files (XXE): refused outright.
        raise FileUnusable(
            f"{path.name} : déclaration DOCTYPE refusée (un catalogue LHEO n’en a pas besoin)."
        )
    root = document.getroot()
    if root.tag != f"{{{NS}}}lheo":
        found = etree.QName(root)
        namespace = f" (espace de noms « {found.namespace} »)" if found.namespace else ""
        raise FileUnusable(
            f"{path.name} : ce n’est pas un catalogue LHEO 2.3 : élément racine "
            f"« {found.localname} »{namespace}, attendu « lheo » dans l’espace de noms "
            f"« {NS} »."
        )
    by_formation: dict[int, list[Rejection]] = {}
    try:
        valid = schema().validate(document)
    except etree.XMLSchemaValidateError as exc:
        raise FileUnusable(f"{path.name} : validation impossible ({exc}).") from exc
    if not valid:
        # Errors are told to the formation they sit in by line: formations follow each other
        # in the file, so each one spans from its start line to the next one's.
        starts = [f.sourceline for f in root.findall("l:offres/l:formation", N)]
        for error in schema().error_log:
            rejection = Rejection(
                path.name, f"ligne {error.line}", None, None, _french_schema_message(error)
            )
            position = bisect.bisect_right(starts, error.line)
            inside = position > 0 and _within_formation(root, position, error.line)
            if not inside:
                raise FileUnusable(f"{rejection}. Aucune donnée n’a été écrite.")
            by_formation.setdefault(position, []).append(rejection)
    return document, by_formation


def _within_formation(root, position: int, line: int) -> bool:
    formation = root.findall("l:offres/l:formation", N)[position - 1]
    last = max((element.sourceline or 0) for element in formation.iter())
    return line <= last + 1


def _address(coordonnees) -> dict[str, Any]:
    """adresse → our address fields (+ the producer's coordinates)."""
    if coordonnees is None:
        return {}
    adresse = coordonnees.find("l:adresse", N)
    if adresse is None:
        return {}
    lignes = _all(adresse, "l:ligne")
    values: dict[str, Any] = {
        "adresse": lignes[0] if lignes else None,
        "complement_adresse": ", ".join(lignes[1:]) or None,
        "code_postal": _t(adresse, "l:codepostal"),
        "commune": _t(adresse, "l:ville"),
        "code_insee": _t(adresse, "l:code-INSEE-commune"),
    }
    latitude = _t(adresse, "l:geolocalisation/l:latitude")
    longitude = _t(adresse, "l:geolocalisation/l:longitude")
    try:
        lat = float((latitude or "").replace(",", "."))
        lon = float((longitude or "").replace(",", "."))
        if -90 <= lat <= 90 and -180 <= lon <= 180:
            values["latitude"], values["longitude"] = lat, lon
    except ValueError:
        pass
    return values


def _contact(coordonnees) -> dict[str, Any]:
    if coordonnees is None:
        return {}
    return {
        "telephone": _t(coordonnees, "l:telfixe/l:numtel")
        or _t(coordonnees, "l:portable/l:numtel"),
        "courriel": _t(coordonnees, "l:courriel"),
        "site_web": _t(coordonnees, "l:web/l:urlweb"),
    }


def _url(value: str | None) -> str | None:
    if not value:
        return None
    if not re.match(r"^https?://", value):
        value = f"https://{value}"
    return value if re.match(r"^https?://[^\s/]+\.[^\s]+$", value) else None


class Importer:
    def __init__(
        self, connection: Connection, path: Path, *, source: str, today: date | None = None
    ) -> None:
        self.connection = connection
        self.path = path
        self.source = source
        self.today = today or importing.today()
        self.report = OfferReport()
        self.places = Places(connection)
        self.unmapped_publics: set[str] = set()
        self.past_sessions = 0

    # -- reading -------------------------------------------------------------------------

    def reject(self, line: int, ident: str | None, field_: str | None, message: str) -> None:
        self.report.rejections.append(
            Rejection(self.path.name, f"ligne {line}", ident, field_, message)
        )

    def parse(self) -> _Parsed:
        document, schema_errors = read(self.path)
        parsed = _Parsed()
        formations = document.getroot().findall("l:offres/l:formation", N)
        self.report.of("formations").read = len(formations)
        actions_count = self.report.of("actions")
        for position, formation in enumerate(formations, start=1):
            actions = formation.findall("l:action", N)
            actions_count.read += len(actions)
            if position in schema_errors:
                self.report.rejections.extend(schema_errors[position])
                self.report.of("formations").rejected += 1
                actions_count.rejected += len(actions)
                continue
            structure = self._structure(formation)
            if structure is None:
                self.report.of("formations").rejected += 1
                actions_count.rejected += len(actions)
                continue
            parsed.structures.setdefault(structure["id"], structure)
            for action in actions:
                built = self._action(formation, action, structure)
                if built is None:
                    actions_count.rejected += 1
                else:
                    parsed.actions.append(built)
        seen: dict[str, int] = {}
        unique: list[_Action] = []
        for action in parsed.actions:
            if action.numero in seen:
                self.reject(
                    action.line,
                    action.numero,
                    "action/@numero",
                    f"numéro d’action en double (déjà ligne {seen[action.numero]})",
                )
                actions_count.rejected += 1
                continue
            seen[action.numero] = action.line
            unique.append(action)
        parsed.actions = unique
        return parsed

    def _structure(self, formation) -> dict[str, Any] | None:
        organisme = formation.find("l:organisme-formation-responsable", N)
        line = organisme.sourceline
        siret = _t(organisme, "l:SIRET-organisme-formation/l:SIRET") or ""
        if not siret_number.is_valid(siret):
            self.reject(
                line,
                None,
                "SIRET-organisme-formation",
                f"numéro SIRET invalide : « {siret[:20]} » (14 chiffres, clé de contrôle)",
            )
            return None
        nom = _t(organisme, "l:nom-organisme") or _t(organisme, "l:raison-sociale")
        coordonnees = organisme.find("l:coordonnees-organisme/l:coordonnees", N)
        address = _address(coordonnees)
        contact = _contact(coordonnees)
        structure = {
            "id": f"lheo--of-{siret}",
            "source": self.source,
            "nom": clip(nom, 150),
            "siret": siret,
            "date_maj": self.today,
            "description": clip(_t(organisme, "l:renseignements-specifiques"), 3000),
            "site_web": _url(contact.get("site_web")),
            "telephone": contact.get("telephone"),
            "courriel": contact.get("courriel"),
            **{
                k: address.get(k)
                for k in ("adresse", "complement_adresse", "code_postal", "commune", "code_insee")
            },
            "longitude": address.get("longitude"),
            "latitude": address.get("latitude"),
        }
        place = self._place(structure)
        if structure["code_insee"] and place is None:
            self.reject(
                line,
                None,
                "code-INSEE-commune",
                f"code commune inconnu : « {structure['code_insee']} »",
            )
            return None
        structure["_place"] = place
        structure["_details"] = {
            "numero_activite": _t(organisme, "l:numero-activite"),
            "raison_sociale": _t(organisme, "l:raison-sociale"),
        }
        return structure

    def _place(self, record: dict[str, Any]) -> tuple[float, float, str] | None:
        if record.get("longitude") is not None and record.get("latitude") is not None:
            return record["longitude"], record["latitude"], "adresse"
        code = record.get("code_insee")
        if code and not self.places.is_commune(code) and not self.places.former_code(code):
            return None
        return self.places.locate(
            record.get("code_insee"), record.get("code_postal"), record.get("commune")
        )

    def _sessions(self, action, permanent: bool) -> tuple[list[dict[str, Any]], int]:
        kept: list[dict[str, Any]] = []
        past = 0
        for index, session in enumerate(action.findall("l:session", N), start=1):
            debut = _date8(_t(session, "l:periode/l:debut"))
            fin = _date8(_t(session, "l:periode/l:fin"))
            numero = session.get("numero") or f"session-{index}"
            if debut is None or fin is None or fin < debut:
                self.report.warnings.append(
                    Rejection(
                        self.path.name,
                        f"ligne {session.sourceline}",
                        numero,
                        "periode",
                        "dates de session inconnues ou incohérentes : session ignorée",
                    )
                )
                continue
            upcoming = debut >= self.today or (permanent and fin >= self.today)
            if not upcoming:
                past += 1
                continue
            etat = _t(session, "l:etat-recrutement")
            kept.append(
                {
                    "source_id": numero,
                    "debut": debut,
                    "fin": fin,
                    "inscription_debut": _date8(
                        _t(session, "l:periode-inscription/l:periode/l:debut")
                    ),
                    "inscription_fin": _date8(_t(session, "l:periode-inscription/l:periode/l:fin")),
                    "etat_recrutement": int(etat) if etat else None,
                }
            )
        return kept, past

    def _action(self, formation, action, structure: dict[str, Any]) -> _Action | None:
        line = action.sourceline
        numero = action.get("numero")
        if not numero or not numero.strip():
            self.reject(
                line,
                None,
                "action/@numero",
                "attribut « numero » obligatoire : c’est l’identifiant de l’action",
            )
            return None
        numero = numero.strip()
        lieu = action.find("l:lieu-de-formation/l:coordonnees", N)
        address = _address(lieu) or {
            k: structure.get(k)
            for k in ("adresse", "complement_adresse", "code_postal", "commune", "code_insee")
        }
        if lieu is None:
            address.update(longitude=structure.get("longitude"), latitude=structure.get("latitude"))
        place = self._place(address)
        if address.get("code_insee") and place is None:
            self.reject(
                line,
                numero,
                "lieu-de-formation/code-INSEE-commune",
                f"code commune inconnu : « {address['code_insee']} »",
            )
            return None
        if place is None:
            self.reject(
                line,
                numero,
                "lieu-de-formation",
                "lieu de formation introuvable (ni coordonnées, ni code commune, ni code "
                "postal et ville reconnus)",
            )
            return None
        code_insee = address.get("code_insee")
        if not code_insee:
            nearest = importing.nearest_commune(self.connection, place[0], place[1])
            code_insee = nearest.code if nearest else None
        departement = importing.departement_of_commune(self.connection, code_insee)
        perimetre = _t(action, "l:code-perimetre-recrutement")
        if perimetre == mapping.PERIMETRE_COMMUNE and code_insee:
            zone = [code_insee]
        elif perimetre == mapping.PERIMETRE_DEPARTEMENT and departement:
            zone = [departement]
        elif perimetre in mapping.PERIMETRE_FRANCE:
            zone = ["france"]
        else:  # Région (3), « autres » or not said: the Région of the place
            zone = (
                importing.departements_of_region(self.connection, departement)
                if departement
                else []
            )
        permanent = _t(action, "l:modalites-entrees-sorties") == "1"
        sessions, past = self._sessions(action, permanent)
        self.report.of("sessions").read += len(action.findall("l:session", N))
        self.past_sessions += past

        nsf = _all(formation, "l:domaine-formation/l:code-NSF")
        public_codes = _all(action, "l:code-public-vise")
        publics, unmapped = mapping.publics(public_codes)
        self.unmapped_publics.update(unmapped)
        contact = _contact(formation.find("l:contact-formation/l:coordonnees", N))
        url = _url(_t(action, "l:url-action/l:urlweb") or _t(formation, "l:url-formation/l:urlweb"))
        financeurs = _all(action, "l:organisme-financeur/l:code-financeur")
        prix = _t(action, "l:prix-total-TTC")
        prise_en_charge = _t(action, "l:prise-en-charge-frais-possible") == "1"
        certification = formation.find("l:certification", N)
        details = {
            "formation_numero": formation.get("numero"),
            "certifiante": _t(formation, "l:certifiante") == "1",
            "certification": {
                "rncp": _t(certification, "l:code-RNCP") if certification is not None else None,
                "rs": _t(certification, "l:code-RS") if certification is not None else None,
                "certifinfo": _t(certification, "l:code-CERTIFINFO")
                if certification is not None
                else None,
            },
            "resultats_attendus": clip(_t(formation, "l:resultats-attendus"), 3000),
            "niveau_entree": _t(formation, "l:code-niveau-entree"),
            "financeurs": financeurs,
            "financeurs_libelles": [mapping.financeur_label(code) for code in financeurs],
            "perimetre_recrutement": perimetre,
            "prise_en_charge_possible": prise_en_charge,
            "prix_total_ttc": prix,
            "duree_indicative": _t(action, "l:duree-indicative"),
            "nombre_heures_total": _t(action, "l:nombre-heures-total"),
            "rythme": clip(_t(action, "l:rythme-formation"), 500),
            "entrees_sorties_permanentes": permanent,
            "codes_public_vise": public_codes,
            "nsf": nsf,
            "formacode": _all(formation, "l:domaine-formation/l:code-FORMACODE"),
            "rome": _all(formation, "l:domaine-formation/l:code-ROME"),
            "lieu": address.get("commune"),
        }
        frais_precisions = join_lines(
            [
                "Prise en charge des frais possible (financement public)."
                if prise_en_charge
                else None,
                f"Prix total : {prix} € TTC." if prix else None,
                _t(action, "l:detail-conditions-prise-en-charge"),
                _t(action, "l:frais-restants"),
            ],
            " ",
        )
        nom = _t(formation, "l:intitule-formation") or ""
        modes = [
            m
            for m, ok in (
                ("utiliser-lien-mobilisation", url),
                ("telephoner", contact.get("telephone")),
                ("envoyer-un-courriel", contact.get("courriel")),
            )
            if ok
        ]
        service = {
            "id": f"lheo--{numero}",
            "source": self.source,
            "structure_id": structure["id"],
            "nom": clip(nom, 150),
            "description": clip(
                join_lines(
                    [_t(formation, "l:objectif-formation"), _t(formation, "l:contenu-formation")]
                ),
                10000,
            ),
            "lien_source": url,
            "date_maj": _date8(action.get("datemaj"))
            or _date8(formation.get("datemaj"))
            or self.today,
            "type": "formation",
            "thematiques": mapping.thematiques(nsf, public_codes),
            "frais": None,
            "frais_precisions": frais_precisions or None,
            "publics": publics,
            "publics_precisions": _t(action, "l:info-public-vise"),
            "conditions_acces": clip(_t(action, "l:conditions-specifiques"), 3000),
            "commune": address.get("commune"),
            "code_postal": address.get("code_postal"),
            "code_insee": address.get("code_insee"),
            "adresse": address.get("adresse"),
            "complement_adresse": address.get("complement_adresse"),
            "longitude": address.get("longitude"),
            "latitude": address.get("latitude"),
            "telephone": contact.get("telephone"),
            "courriel": contact.get("courriel"),
            "modes_accueil": ["en-presentiel"],
            "zone_eligibilite": zone or None,
            "lien_mobilisation": url,
            "modes_mobilisation": modes or None,
            "mobilisable_par": ["professionnels", "usagers"],
            "mobilisation_precisions": _registration(action),
            "location": point_wkt(place[0], place[1]),
            "location_precision": place[2],
        }
        problems = _validate_v1(service)
        if problems:
            for field_, message in problems:
                self.reject(line, numero, field_, message)
            return None
        for session in sessions:
            session.update(
                adresse=address.get("adresse"),
                code_postal=address.get("code_postal"),
                commune=address.get("commune"),
                code_insee=address.get("code_insee"),
                location=service["location"],
            )
        return _Action(line, numero, service, details, sessions, structure["id"])

    # -- writing -------------------------------------------------------------------------

    def run(self, *, strict: bool = False) -> OfferReport:
        parsed = self.parse()
        report = self.report
        if self.past_sessions:
            report.notes.append(f"{self.past_sessions} session(s) passée(s) ignorée(s).")
        if self.unmapped_publics:
            report.notes.append(
                "codes « public visé » sans correspondance data·inclusion (gardés dans le "
                "détail) : " + ", ".join(sorted(self.unmapped_publics))
            )
        if strict and report.rejections:
            return report
        used = {action.structure_id for action in parsed.actions}
        structures = [parsed.structures[sid] for sid in sorted(used)]
        structure_rows = []
        for structure in structures:
            place = structure["_place"]
            row = {k: v for k, v in structure.items() if not k.startswith("_")}
            row["location"] = point_wkt(place[0], place[1]) if place else None
            row["location_precision"] = place[2] if place else None
            structure_rows.append(row)
        report.of("structures").read = len(structures)
        report.of("structures").add(
            upsert(
                self.connection,
                "structure",
                structure_rows,
                key=("id",),
                casts={"location": "geography"},
                versioned=True,
                insert_only={"moderation": "validee"},
            )
        )
        upsert(
            self.connection,
            "offer_structure",
            [
                {
                    "structure_id": s["id"],
                    "kind": StructureKind.ORGANISME_FORMATION.value,
                    "employer_kind": None,
                    "source": self.source,
                    "source_id": s["siret"],
                    "details": s["_details"],
                }
                for s in structures
            ],
            key=("structure_id",),
        )
        services = []
        for action in parsed.actions:
            row = dict(action.service)
            row["statut"] = Statut.PUBLIE.value
            row["suspendu_du"] = self._unavailable_from(action)
            row["suspendu_au"] = None
            services.append(row)
        report.of("actions").add(
            upsert(
                self.connection,
                "service",
                services,
                key=("id",),
                casts={"location": "geography"},
                versioned=True,
            )
        )
        upsert(
            self.connection,
            "offer_service",
            [
                {
                    "service_id": action.service["id"],
                    "kind": OfferKind.FORMATION.value,
                    "source": self.source,
                    "source_id": action.numero,
                    "details": action.details,
                }
                for action in parsed.actions
            ],
            key=("service_id",),
        )
        sessions = report.of("sessions")
        for action in parsed.actions:
            sessions.add(self._write_sessions(action))
        report.written = True
        return report

    def _unavailable_from(self, action: _Action) -> date:
        """The day the training stops being available (see the module docstring)."""
        if not action.sessions:
            return self.today
        permanent = action.details["entrees_sorties_permanentes"]
        last = max(s["fin"] if permanent else s["debut"] for s in action.sessions)
        return last + timedelta(days=1)

    def _write_sessions(self, action: _Action) -> tuple[int, int, int]:
        service_id = action.service["id"]
        kept = [s["source_id"] for s in action.sessions]
        deleted = self.connection.execute(
            text(
                "DELETE FROM training_session WHERE service_id = :id "
                "AND NOT (source_id = ANY(:kept))"
            ),
            {"id": service_id, "kept": kept},
        ).rowcount
        created, updated, unchanged = upsert(
            self.connection,
            "training_session",
            [{"service_id": service_id, **s} for s in action.sessions],
            key=("service_id", "source_id"),
            casts={"location": "geography"},
        )
        return created, updated + deleted, unchanged


def _registration(action) -> str | None:
    """The first « modalités d'inscription » any session of the action gives."""
    for session in action.findall("l:session", N):
        found = _t(session, "l:modalites-inscription")
        if found:
            return clip(found, 1000)
    return None


def _validate_v1(service: dict[str, Any]) -> list[tuple[str, str]]:
    """The service must be a valid data·inclusion v1 Service (it is exported as one)."""
    from data_inclusion.schema import v1
    from pydantic import ValidationError

    fields = set(v1.Service.model_fields)
    try:
        v1.Service(**{k: v for k, v in service.items() if k in fields})
    except ValidationError as exc:
        return [
            (
                ".".join(str(p) for p in error["loc"]) or None,
                f"refusé par le schéma data·inclusion : {error['msg']}",
            )
            for error in exc.errors()
        ]
    return []

"""Demo offers around the demo territories: trainings (LHEO), inclusive employers (SIAE) and
companies hosting immersions, written through the real importers.

`seed` builds the three source files in memory (deterministic: same day, same files) in the
formats the importers read, and imports them; a second run changes nothing. SIRETs are
valid numbers of no real establishment (made up from a counter); web sites use example.org
and phone numbers the range reserved for fiction. `clear` removes everything of the demo
sources.
"""

from __future__ import annotations

import json
import random
import tempfile
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from lxml import etree
from sqlalchemy import text
from sqlalchemy.orm import Session
from stdnum import luhn

from dora.offers.immersion.importer import Importer as ImmersionImporter
from dora.offers.lheo.importer import NS
from dora.offers.lheo.importer import Importer as LheoImporter
from dora.offers.siae.importer import Importer as SiaeImporter

LHEO_SOURCE = "dora-demo-lheo"
SIAE_SOURCE = "dora-demo-siae"
IMMERSION_SOURCE = "dora-demo-immersion"
SEED = 14
# Demo territories: large communes of several Régions (the orientation demo lives in 93).
COMMUNES = (
    "93066",  # Saint-Denis
    "93001",  # Aubervilliers
    "75119",  # Paris 19e
    "69123",  # Lyon
    "13055",  # Marseille
    "59350",  # Lille
    "31555",  # Toulouse
    "44109",  # Nantes
    "33063",  # Bordeaux
    "67482",  # Strasbourg
    "35238",  # Rennes
    "34172",  # Montpellier
)
TRAININGS = (
    ("Remise à niveau en français et en calcul", "410", ("80006", "81019"), "Savoirs de base"),
    ("Initiation au numérique et aux démarches en ligne", "326", ("83056",), "Numérique"),
    ("Titre professionnel Agent magasinier", "311", ("80006",), "Logistique"),
    ("CAP Agent de propreté et d’hygiène", "343", ("80006", "80005"), "Propreté"),
    ("Préparation à l’entrée en formation qualifiante", "415", ("80009", "81024"), "Orientation"),
    ("Titre professionnel Assistant de vie aux familles", "330", ("80006",), "Aide à domicile"),
    ("Français langue étrangère à visée professionnelle", "136", ("81022", "81042"), "FLE"),
    ("Titre professionnel Cuisinier", "221", ("80006",), "Restauration"),
)
POSITIONS = (
    ("A1203", "Ouvrier / Ouvrière d’entretien des espaces verts"),
    ("K2204", "Agent / Agente de propreté"),
    ("N1103", "Préparateur / Préparatrice de commandes"),
    ("F1703", "Maçon / Maçonne"),
    ("G1602", "Commis / Commise de cuisine"),
    ("K1304", "Aide à domicile"),
    ("D1507", "Employé / Employée de libre-service"),
    ("H2909", "Agent / Agente de tri de déchets"),
)
EMPLOYERS = (
    ("ACI", "Chantier d’insertion Les Jardins de {v}"),
    ("EI", "Recyclerie solidaire de {v}"),
    ("AI", "Association intermédiaire Coup de main {v}"),
    ("ETTI", "Intérim d’insertion {v}"),
    ("GEIQ", "GEIQ Propreté {v}"),
    ("EA", "Entreprise adaptée Atelier {v}"),
)
COMPANIES = (
    (
        "Boulangerie du Centre",
        "1071C",
        "D1102",
        "Boulangerie - viennoiserie",
        "11574",
        "Boulanger / Boulangère",
    ),
    (
        "Supérette de quartier",
        "4711B",
        "D1507",
        "Mise en rayon libre-service",
        "14417",
        "Employé / Employée de libre-service",
    ),
    (
        "Garage des Quatre Routes",
        "4520A",
        "I1604",
        "Mécanique automobile",
        "15811",
        "Mécanicien / Mécanicienne automobile",
    ),
    (
        "Restaurant Le Comptoir",
        "5610A",
        "G1602",
        "Personnel de cuisine",
        "12345",
        "Commis / Commise de cuisine",
    ),
    ("Fleurs et Jardins", "4776Z", "D1209", "Vente de végétaux", "13570", "Fleuriste"),
    (
        "Résidence Les Tilleuls",
        "8710A",
        "K1302",
        "Assistance auprès d’adultes",
        "11214",
        "Auxiliaire de vie",
    ),
)


@dataclass(frozen=True)
class Place:
    code: str
    nom: str
    code_postal: str
    longitude: float
    latitude: float


def _sirets(start: int):
    """Valid SIRETs of no one: a counter for the SIREN, the first NIC that checks out."""
    number = start
    while True:
        siren = f"{number:08d}"
        siren += luhn.calc_check_digit(siren)
        for nic in range(1, 100):
            candidate = f"{siren}{nic:05d}"
            if luhn.is_valid(candidate):
                yield candidate
                break
        number += 1


def _places(session: Session) -> list[Place]:
    rows = session.execute(
        text(
            """SELECT code, nom, codes_postaux[1] AS code_postal,
                ST_X(location::geometry) AS lon, ST_Y(location::geometry) AS lat
            FROM commune WHERE code = ANY(:codes)
            UNION ALL
            SELECT a.code, a.nom, a.codes_postaux[1], ST_X(a.location::geometry),
                ST_Y(a.location::geometry)
            FROM arrondissement_municipal AS a WHERE a.code = ANY(:codes)"""
        ),
        {"codes": list(COMMUNES)},
    ).all()
    found = {row.code: row for row in rows}
    return [
        Place(
            code, found[code].nom, found[code].code_postal or "", found[code].lon, found[code].lat
        )
        for code in COMMUNES
        if code in found
    ]


def _near(rng: random.Random, place: Place) -> tuple[float, float]:
    return (
        round(place.longitude + rng.uniform(-0.03, 0.03), 5),
        round(place.latitude + rng.uniform(-0.02, 0.02), 5),
    )


def _sub(parent, tag: str, value: str | None = None, **attributes):
    element = etree.SubElement(parent, f"{{{NS}}}{tag}", **attributes)
    if value is not None:
        element.text = value
    return element


def _address(parent, place: Place, street: str, point: tuple[float, float]) -> None:
    adresse = _sub(parent, "adresse")
    _sub(adresse, "ligne", street)
    _sub(adresse, "codepostal", place.code_postal)
    _sub(adresse, "ville", place.nom[:50])
    _sub(adresse, "code-INSEE-commune", place.code)
    geo = _sub(adresse, "geolocalisation")
    _sub(geo, "latitude", str(point[1]))
    _sub(geo, "longitude", str(point[0]))


def lheo_document(places: list[Place], today: date) -> bytes:
    rng = random.Random(SEED)
    sirets = _sirets(71_000_000)
    root = etree.Element(f"{{{NS}}}lheo", nsmap={None: NS})
    offres = _sub(root, "offres")
    number = 0
    for place in places:
        siret = next(sirets)
        organisme_nom = f"Centre de formation de {place.nom}"
        for title, nsf, publics, domain in rng.sample(TRAININGS, 4):
            number += 1
            point = _near(rng, place)
            formation = _sub(offres, "formation", numero=f"DEMO-F-{number:04d}")
            domaine = _sub(formation, "domaine-formation")
            _sub(domaine, "code-NSF", nsf)
            _sub(formation, "intitule-formation", title)
            _sub(
                formation,
                "objectif-formation",
                f"{domain} : acquérir les compétences du métier et préparer l’accès à l’emploi.",
            )
            _sub(
                formation,
                "resultats-attendus",
                "Attestation de compétences ou titre professionnel.",
            )
            _sub(
                formation,
                "contenu-formation",
                "Apports en centre, mises en situation et stage en entreprise.",
            )
            _sub(formation, "certifiante", "1" if "Titre" in title or "CAP" in title else "0")
            contact = _sub(_sub(formation, "contact-formation"), "coordonnees")
            _sub(
                _sub(contact, "telfixe"),
                "numtel",
                f"01 99 00 {number % 100:02d} {(number * 7) % 100:02d}",
            )
            _sub(contact, "courriel", f"formation-{number}@example.org")
            _sub(formation, "parcours-de-formation", "1")
            _sub(formation, "code-niveau-entree", "0")
            action = _sub(formation, "action", numero=f"DEMO-A-{number:04d}")
            _sub(
                action,
                "rythme-formation",
                rng.choice(("Temps plein", "Temps partiel, trois jours par semaine")),
            )
            for code in publics:
                _sub(action, "code-public-vise", code)
            _sub(action, "niveau-entree-obligatoire", "0")
            _sub(action, "modalites-alternance", "Stage en entreprise.")
            _sub(action, "modalites-enseignement", "0")
            _sub(action, "conditions-specifiques", "Entretien de positionnement préalable.")
            _sub(action, "prise-en-charge-frais-possible", "1")
            lieu = _sub(_sub(action, "lieu-de-formation"), "coordonnees")
            _address(lieu, place, f"{rng.randint(1, 90)} rue de la Formation", point)
            permanent = rng.random() < 0.25
            _sub(action, "modalites-entrees-sorties", "1" if permanent else "0")
            _sub(
                _sub(action, "url-action"), "urlweb", f"https://formation.example.org/demo-{number}"
            )
            # One past session (dropped by the import) and one to three to come.
            for index, offset in enumerate(
                [-120, *sorted(rng.sample(range(10, 300), rng.randint(1, 3)))]
            ):
                debut = today + timedelta(days=offset)
                fin = debut + timedelta(days=rng.choice((60, 90, 120)))
                session = _sub(action, "session", numero=f"DEMO-S-{number:04d}-{index}")
                periode = _sub(session, "periode")
                _sub(periode, "debut", debut.strftime("%Y%m%d"))
                _sub(periode, "fin", fin.strftime("%Y%m%d"))
                inscription = _sub(_sub(session, "adresse-inscription"), "adresse")
                _sub(inscription, "ligne", "Accueil du centre")
                _sub(inscription, "codepostal", place.code_postal)
                _sub(inscription, "ville", place.nom[:50])
                _sub(session, "modalites-inscription", "Information collective puis entretien.")
                ins = _sub(_sub(session, "periode-inscription"), "periode")
                _sub(ins, "debut", (debut - timedelta(days=45)).strftime("%Y%m%d"))
                _sub(ins, "fin", (debut - timedelta(days=5)).strftime("%Y%m%d"))
                _sub(session, "etat-recrutement", "1")
            _sub(action, "prix-total-TTC", str(rng.choice((1200, 2400, 3600))))
            _sub(action, "duree-indicative", rng.choice(("210 heures", "420 heures", "630 heures")))
            financeur = _sub(action, "organisme-financeur")
            _sub(financeur, "code-financeur", "2")
            organisme = _sub(formation, "organisme-formation-responsable")
            _sub(organisme, "numero-activite", f"{number:011d}")
            _sub(_sub(organisme, "SIRET-organisme-formation"), "SIRET", siret)
            _sub(organisme, "nom-organisme", organisme_nom[:250])
            _sub(organisme, "raison-sociale", f"Association {organisme_nom}"[:250])
            coordonnees = _sub(_sub(organisme, "coordonnees-organisme"), "coordonnees")
            _address(coordonnees, place, "1 place de la Formation", _near(rng, place))
            _sub(_sub(organisme, "contact-organisme"), "coordonnees")
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)


def siae_document(places: list[Place], today: date) -> bytes:
    rng = random.Random(SEED + 1)
    sirets = _sirets(72_000_000)
    records = []
    poste_id = 90_000
    for place in places:
        for kind, name in rng.sample(EMPLOYERS, 3):
            postes = []
            for rome, label in rng.sample(POSITIONS, rng.randint(1, 3)):
                poste_id += 1
                postes.append(
                    {
                        "id": poste_id,
                        "rome": rome,
                        "cree_le": (today - timedelta(days=90)).isoformat() + "T09:00:00+01:00",
                        "mis_a_jour_le": (today - timedelta(days=rng.randint(1, 60))).isoformat()
                        + "T09:00:00+01:00",
                        "recrutement_ouvert": "True",
                        "description": f"{label} : poste en parcours d’insertion, avec un "
                        "accompagnement socio-professionnel.",
                        "appellation_modifiee": label,
                    }
                )
            records.append(
                {
                    "cree_le": "2020-01-01T00:00:00+01:00",
                    "mis_a_jour_le": (today - timedelta(days=10)).isoformat() + "T09:00:00+01:00",
                    "siret": next(sirets),
                    "type": kind,
                    "raison_sociale": name.format(v=place.nom).upper(),
                    "enseigne": name.format(v=place.nom),
                    "site_web": "https://emploi-inclusif.example.org",
                    "description": "Employeur inclusif de démonstration.",
                    "bloque_candidatures": False,
                    "addresse_ligne_1": f"{rng.randint(1, 90)} avenue de l’Emploi",
                    "addresse_ligne_2": "",
                    "code_postal": place.code_postal,
                    "ville": place.nom,
                    "departement": "",
                    "postes": postes,
                }
            )
    return json.dumps({"results": records}, ensure_ascii=False).encode("utf-8")


def immersion_document(places: list[Place]) -> bytes:
    rng = random.Random(SEED + 2)
    sirets = _sirets(73_000_000)
    results = []
    for place in places:
        for name, naf, rome, rome_label, code, label in rng.sample(COMPANIES, 4):
            lon, lat = _near(rng, place)
            results.append(
                {
                    "rome": rome,
                    "romeLabel": rome_label,
                    "appellations": [{"appellationCode": code, "appellationLabel": label}],
                    "naf": naf,
                    "nafLabel": rome_label,
                    "siret": next(sirets),
                    "name": f"{name} ({place.nom})".upper(),
                    "customizedName": f"{name} — {place.nom}",
                    "voluntaryToImmersion": rng.random() < 0.8,
                    "fitForDisabledWorkers": rng.random() < 0.3,
                    "position": {"lat": lat, "lon": lon},
                    "address": {
                        "streetNumberAndAddress": f"{rng.randint(1, 90)} rue du Commerce",
                        "postcode": place.code_postal,
                        "departmentCode": "",
                        "city": place.nom,
                    },
                    "contactMode": rng.choice(("EMAIL", "PHONE", "IN_PERSON")),
                    "numberOfEmployeeRange": rng.choice(("1-2", "3-5", "6-9", "10-19")),
                }
            )
    return json.dumps(results, ensure_ascii=False).encode("utf-8")


@dataclass
class DemoReport:
    trainings: int
    employers: int
    companies: int

    def __str__(self) -> str:
        return (
            f"Offres de démonstration : {self.trainings} formations, {self.employers} employeurs "
            f"inclusifs, {self.companies} entreprises accueillantes."
        )


def seed(session: Session, today: date | None = None) -> DemoReport:
    today = today or date.today()
    places = _places(session)
    if not places:
        return DemoReport(0, 0, 0)
    connection = session.connection()
    with tempfile.TemporaryDirectory() as folder:
        directory = Path(folder)
        (directory / "lheo.xml").write_bytes(lheo_document(places, today))
        (directory / "siae.json").write_bytes(siae_document(places, today))
        (directory / "immersion.json").write_bytes(immersion_document(places))
        reports = [
            LheoImporter(connection, directory / "lheo.xml", source=LHEO_SOURCE, today=today).run(),
            SiaeImporter(
                connection, directory / "siae.json", source=SIAE_SOURCE, today=today
            ).run(),
            ImmersionImporter(
                connection, directory / "immersion.json", source=IMMERSION_SOURCE, today=today
            ).run(),
        ]
    problems = [str(p) for report in reports for p in report.rejections]
    if problems:
        raise RuntimeError("demo offers rejected by their importer: " + "; ".join(problems[:5]))
    return DemoReport(
        trainings=reports[0].of("actions").read,
        employers=reports[1].of("structures").read,
        companies=reports[2].of("entreprises").read,
    )


def clear(session: Session) -> int:
    connection = session.connection()
    deleted = 0
    for source in (LHEO_SOURCE, SIAE_SOURCE):
        deleted += connection.execute(
            text("DELETE FROM service WHERE source = :source"), {"source": source}
        ).rowcount
        connection.execute(text("DELETE FROM structure WHERE source = :source"), {"source": source})
    deleted += connection.execute(
        text("DELETE FROM immersion_company WHERE source = :source"), {"source": IMMERSION_SOURCE}
    ).rowcount
    return deleted

"""LHEO codes → data·inclusion thématiques and publics (the documented mapping table).

Every training carries `se-former--trouver-sa-formation` (its offer type, see
dora.offers.kinds). On top of it:

| LHEO code | meaning | data·inclusion |
|---|---|---|
| NSF 326 | informatique | numerique--maitriser-les-fondamentaux-du-numerique |
| NSF 410, 412 | savoirs de base | lecture-ecriture-calcul--maitriser-le-francais, -calcul |
| NSF 411 | pratiques sportives | remobilisation--activites-sportives-et-culturelles |
| NSF 413, 414 | comportement, organisation | remobilisation--bien-etre-confiance-en-soi |
| NSF 415 | orientation, insertion | choisir-un-metier--confirmer-son-choix-de-metier |
| public 81019, 81021 | illettrisme | lecture-ecriture-calcul--maitriser-le-francais |
| public 80001, 80003, 80004, 80006, 80007, 80008, | demandeurs d'emploi | demandeurs-emploi |
| 80019, 80023, 80026 | | |
| public 80009 | demandeur d'emploi de moins de 26 ans | demandeurs-emploi, jeunes |
| public 80005 | bénéficiaire du RSA | beneficiaires-des-minimas-sociaux |
| public 80015 | bénéficiaire de l'ASS | beneficiaires-des-minimas-sociaux, demandeurs-emploi |
| public 80098, 81024 | jeunes | jeunes |
| public 81013 | public sous main de justice | personnes-en-situation-juridique-specifique |
| public 81018 | femmes | femmes |
| public 81020 | personnes handicapées | personnes-en-situation-de-handicap |
| public 81022, 81042 | immigrés, réfugiés | personnes-exilees |
| public 81061 | formation initiale | etudiants |
| public 82044 to 82047, 82055, 82058, 82065, | salariés, agents publics | actifs |
| 82070, 82071, 82074 | | |
| public 83056 | tout public | tous-publics |

Funders (code-financeur) are named with LHEO's dict-financeurs; the zone d'éligibilité follows
code-perimetre-recrutement: 1 the commune, 2 the département, 4 to 6 France, otherwise (3,
0 or absent) the Région of the place.

Other codes are kept in the training's details, not mapped (a warning lists them once per
import). Public codes are Formacode V10 « public visé » (lheo/lheo-schema,
definition/dict-public-vise-formacode-V10.xml); NSF is the Nomenclature des spécialités de
formation.
"""

from __future__ import annotations

from dora.offers.kinds import FORMATION_THEMATIQUE

NSF_THEMATIQUES: dict[str, tuple[str, ...]] = {
    "326": ("numerique--maitriser-les-fondamentaux-du-numerique",),
    "410": (
        "lecture-ecriture-calcul--maitriser-le-francais",
        "lecture-ecriture-calcul--maitriser-le-calcul",
    ),
    "412": (
        "lecture-ecriture-calcul--maitriser-le-francais",
        "lecture-ecriture-calcul--maitriser-le-calcul",
    ),
    "411": ("remobilisation--activites-sportives-et-culturelles",),
    "413": ("remobilisation--bien-etre-confiance-en-soi",),
    "414": ("remobilisation--bien-etre-confiance-en-soi",),
    "415": ("choisir-un-metier--confirmer-son-choix-de-metier",),
}
PUBLIC_THEMATIQUES: dict[str, tuple[str, ...]] = {
    "81019": ("lecture-ecriture-calcul--maitriser-le-francais",),
    "81021": ("lecture-ecriture-calcul--maitriser-le-francais",),
}
_DE = ("demandeurs-emploi",)
_ACTIFS = ("actifs",)
PUBLICS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(
        ("80001", "80003", "80004", "80006", "80007", "80008", "80019", "80023", "80026"), _DE
    ),
    "80009": ("demandeurs-emploi", "jeunes"),
    "80005": ("beneficiaires-des-minimas-sociaux",),
    "80015": ("beneficiaires-des-minimas-sociaux", "demandeurs-emploi"),
    "80098": ("jeunes",),
    "81024": ("jeunes",),
    "81013": ("personnes-en-situation-juridique-specifique",),
    "81018": ("femmes",),
    "81020": ("personnes-en-situation-de-handicap",),
    "81022": ("personnes-exilees",),
    "81042": ("personnes-exilees",),
    "81061": ("etudiants",),
    **dict.fromkeys(
        (
            "82044",
            "82045",
            "82046",
            "82047",
            "82055",
            "82058",
            "82065",
            "82070",
            "82071",
            "82074",
        ),
        _ACTIFS,
    ),
    "83056": ("tous-publics",),
}
# LHEO dict-financeurs (lheo/lheo-schema, definition/lheo-gml.xml, LHEO 2.3); codes the
# dictionary does not name yet are shown as their code.
FINANCEURS = {
    "0": "Autre",
    "1": "Code(s) obsolète(s)",
    "2": "Conseil régional",
    "3": "Fonds européens - FSE",
    "4": "France Travail (Pôle emploi)",
    "5": "Entreprise",
    "6": "ACSÉ",
    "7": "AGEFIPH",
    "8": "Conseil départemental",
    "9": "Commune",
    "10": "Bénéficiaire de l’action",
    "11": "État - Ministère chargé de l’emploi",
    "12": "État - Ministère de l’éducation nationale",
    "13": "État - Autre",
    "14": "Fonds européens - Autre",
    "15": "Collectivité territoriale - Autre",
    "16": "OPCA",
    "17": "OPACIF",
}


def financeur_label(code: str) -> str:
    return FINANCEURS.get(code, f"financeur (code LHEO {code})")


# LHEO dict-perimetre-recrutement → who may enrol: 1 commune, 2 département, 3 région (also
# the default), 4 interrégion, 5 pays, 6 international (4 to 6: everywhere in France).
PERIMETRE_COMMUNE, PERIMETRE_DEPARTEMENT = "1", "2"
PERIMETRE_FRANCE = {"4", "5", "6"}

# LHEO etat-recrutement.
ETAT_RECRUTEMENT = {1: "inscriptions ouvertes", 2: "inscriptions fermées", 3: "suspendu"}


def thematiques(nsf: list[str], publics: list[str]) -> list[str]:
    found = {FORMATION_THEMATIQUE}
    for code in nsf:
        found.update(NSF_THEMATIQUES.get(code, ()))
    for code in publics:
        found.update(PUBLIC_THEMATIQUES.get(code, ()))
    return sorted(found)


def publics(codes: list[str]) -> tuple[list[str] | None, list[str]]:
    """(data·inclusion publics or None, unmapped codes)."""
    found: set[str] = set()
    unmapped: list[str] = []
    for code in codes:
        if code in PUBLICS:
            found.update(PUBLICS[code])
        elif code not in PUBLIC_THEMATIQUES:
            unmapped.append(code)
    if "tous-publics" in found:
        found = {"tous-publics"}
    return (sorted(found) or None), unmapped

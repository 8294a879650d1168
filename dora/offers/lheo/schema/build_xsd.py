"""Writes lheo-2.3.xsd beside this file (run `python -m dora.offers.lheo.schema.build_xsd`).

The LHEO language (Lien Harmonisé pour les Échanges d'informations sur l'Offre de formation)
is defined in repository `lheo/lheo-schema` (`definition/lheo-gml.xml`, version 2.3), from
which its Makefile generates `lheo.xsd` with the GeLaBa stylesheet `gml2xsd.xsl`. The tables
below restate, element by element, the content models of that generated XSD for the `lheo`
root (offres → formation → action → session, organisme-formation-responsable, coordonnees,
adresse…): same element names, order, cardinalities, lengths, enumerations and patterns, and
the same attribute group on every element. The index documents (`lheo-index`, résumés) are
not included: dora imports catalogues, not indexes. See PROVENANCE.md.
"""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import quoteattr

NAMESPACE = "http://lheo.gouv.fr/2.3"
UNBOUNDED = -1
OUT = Path(__file__).with_name("lheo-2.3.xsd")

# Element -> its children in order: (name, minOccurs, maxOccurs). `extras` closes most of
# them, as in LHEO.
X = ("extras", 0, UNBOUNDED)
COMPLEX: dict[str, list[tuple[str, int, int]]] = {
    "lheo": [("offres", 1, 1), X],
    "offres": [("formation", 1, UNBOUNDED), X],
    "formation": [
        ("domaine-formation", 1, 1),
        ("intitule-formation", 1, 1),
        ("objectif-formation", 1, 1),
        ("resultats-attendus", 1, 1),
        ("contenu-formation", 1, 1),
        ("certifiante", 1, 1),
        ("contact-formation", 1, UNBOUNDED),
        ("parcours-de-formation", 1, 1),
        ("code-niveau-entree", 1, 1),
        ("objectif-general-formation", 0, 1),
        ("certification", 0, 5),
        ("code-type-formation", 0, 5),
        ("code-niveau-sortie", 0, 1),
        ("url-formation", 0, 1),
        ("action", 1, UNBOUNDED),
        ("organisme-formation-responsable", 1, 1),
        ("identifiant-module", 0, 1),
        ("positionnement", 0, 1),
        ("sous-modules", 0, 1),
        ("modules-prerequis", 0, 1),
        X,
    ],
    "domaine-formation": [
        ("code-FORMACODE", 0, 5),
        ("code-NSF", 0, 3),
        ("code-ROME", 0, 5),
        X,
    ],
    "contact-formation": [("type-contact", 0, 1), ("coordonnees", 1, 1), X],
    "contact-session": [("type-contact", 0, 1), ("coordonnees", 1, 1), X],
    "contact-organisme": [("type-contact", 0, 1), ("coordonnees", 1, 1), X],
    "contact-formateur": [("type-contact", 0, 1), ("coordonnees", 1, 1), X],
    "certification": [
        ("code-RNCP", 0, 1),
        ("code-CERTIFINFO", 0, 1),
        ("code-RS", 0, 1),
        ("code-CPF", 0, 1),
        ("reference-code-FORMACODE", 0, 1),
        X,
    ],
    "reference-certification": [
        ("reference-code-RNCP", 0, 1),
        ("reference-code-CERTIFINFO", 0, 1),
        ("reference-code-RS", 0, 1),
        X,
    ],
    "code-type-formation": [("code-CPF", 0, 1), ("code-ELU", 0, 1), X],
    "action": [
        ("rythme-formation", 1, 1),
        ("code-public-vise", 1, 10),
        ("info-public-vise", 0, 1),
        ("niveau-entree-obligatoire", 1, 1),
        ("modalites-alternance", 1, 1),
        ("modalites-enseignement", 1, 1),
        ("conditions-specifiques", 1, 1),
        ("prise-en-charge-frais-possible", 1, 1),
        ("lieu-de-formation", 0, UNBOUNDED),
        ("modalites-entrees-sorties", 1, 1),
        ("url-action", 0, 1),
        ("duree-cycle", 0, 1),
        ("session", 1, UNBOUNDED),
        ("adresse-information", 0, 1),
        ("date-information", 0, 3),
        ("restauration", 0, 1),
        ("hebergement", 0, 1),
        ("transport", 0, 1),
        ("acces-handicapes", 0, 1),
        ("langue-formation", 0, 5),
        ("modalites-recrutement", 0, 1),
        ("modalites-pedagogiques", 0, 1),
        ("code-modalite-pedagogique", 0, 5),
        ("equipement", 0, UNBOUNDED),
        ("frais-restants", 0, 1),
        ("code-perimetre-recrutement", 0, 1),
        ("infos-perimetre-recrutement", 0, 1),
        ("prix-horaire-TTC", 0, 1),
        ("prix-total-TTC", 0, 1),
        ("duree-indicative", 0, 1),
        ("nombre-heures-centre", 0, 1),
        ("nombre-heures-entreprise", 0, 1),
        ("nombre-heures-total", 0, 1),
        ("detail-conditions-prise-en-charge", 0, 1),
        ("conventionnement", 0, 1),
        ("duree-conventionnee", 0, 1),
        ("organisme-formateur", 0, UNBOUNDED),
        ("organisme-financeur", 0, 8),
        ("enseignement", 0, UNBOUNDED),
        X,
    ],
    "organisme-formation-responsable": [
        ("numero-activite", 1, 1),
        ("SIRET-organisme-formation", 1, 1),
        ("nom-organisme", 1, 1),
        ("raison-sociale", 1, 1),
        ("coordonnees-organisme", 1, 1),
        ("contact-organisme", 1, UNBOUNDED),
        ("renseignements-specifiques", 0, 1),
        ("potentiel", 0, 1),
        ("code-UAI-organisme-formation", 0, 1),
        X,
    ],
    "potentiel": [("code-FORMACODE", 1, 25), X],
    "organisme-formateur": [
        ("SIRET-formateur", 1, 1),
        ("raison-sociale-formateur", 1, 1),
        ("contact-formateur", 0, UNBOUNDED),
        ("potentiel", 0, 1),
        ("code-UAI-formateur", 0, 1),
        ("reference-certification", 0, 5),
        X,
    ],
    "url-formation": [("urlweb", 1, 3), X],
    "url-action": [("urlweb", 1, 3), X],
    "url-session": [("urlweb", 1, 3), X],
    "web": [("urlweb", 1, 3), X],
    "lieu-de-formation": [
        ("SIRET-lieu-formation", 0, 1),
        ("code-UAI-lieu-formation", 0, 1),
        ("coordonnees", 1, 1),
        X,
    ],
    "recrutement": [
        ("modalite-recrutement", 1, 1),
        ("code-perimetre-recrutement", 0, 1),
        ("infos-perimetre-recrutement", 0, 1),
        ("a-distance", 0, 1),
        ("adresse", 0, 1),
        ("urlweb", 0, 1),
        ("nb-places", 0, 1),
        ("periode", 0, 1),
        ("heure-debut", 0, 1),
        ("heure-fin", 0, 1),
        ("commentaire", 0, 1),
        X,
    ],
    "enseignement": [
        ("libelle-enseignement", 1, 1),
        ("type-enseignement", 1, 1),
        ("obligatoire", 1, 1),
        ("commentaire", 0, 1),
        X,
    ],
    "equipement": [
        ("type-equipement", 1, 1),
        ("cout-indicatif-equipement", 0, 1),
        ("commentaire", 0, 1),
        X,
    ],
    "rythme-alternance": [
        ("unite-rythme-alternance", 1, 1),
        ("unites-entreprise", 1, 1),
        ("unites-centre", 1, 1),
        X,
    ],
    "alternance": [("type-alternance", 1, 1), ("rythme-alternance", 0, 1), X],
    "cycle": [
        ("type-cycle", 1, 1),
        ("annee-cycle", 0, UNBOUNDED),
        ("effectif-minimal", 0, 1),
        ("capacite-simultanee", 0, 1),
        ("capacite-cumulee", 0, 1),
        ("alternance", 0, 1),
        X,
    ],
    "session": [
        ("periode", 1, 1),
        ("adresse-inscription", 1, 1),
        ("modalites-inscription", 0, 1),
        ("periode-inscription", 0, 1),
        ("etat-recrutement", 0, 1),
        ("recrutement", 0, UNBOUNDED),
        ("url-session", 0, 1),
        ("contact-session", 0, UNBOUNDED),
        ("reference-certification", 0, 5),
        ("blocs-competences", 0, UNBOUNDED),
        ("cycle", 0, UNBOUNDED),
        X,
    ],
    "adresse-inscription": [("adresse", 1, 1), X],
    "adresse-information": [("adresse", 1, 1), X],
    "date-information": [("date", 1, 1), X],
    "SIRET-organisme-formation": [("SIRET", 1, 1), X],
    "SIRET-lieu-formation": [("SIRET", 1, 1), X],
    "SIRET-formateur": [("SIRET", 1, 1), X],
    "code-UAI-organisme-formation": [("code-UAI", 1, 1), X],
    "code-UAI-lieu-formation": [("code-UAI", 1, 1), X],
    "code-UAI-formateur": [("code-UAI", 1, 1), X],
    "coordonnees-organisme": [("coordonnees", 1, 1), X],
    "organisme-financeur": [("code-financeur", 1, 1), ("nb-places-financees", 0, 1), X],
    "blocs-competences": [
        ("validation-blocs", 1, 1),
        ("reference-certification", 1, 1),
        ("bloc-competences", 1, UNBOUNDED),
        X,
    ],
    "bloc-competences": [("libelle-bloc", 1, 1), ("code-bloc", 1, 1), X],
    "sous-modules": [("sous-module", 1, UNBOUNDED), X],
    "modules-prerequis": [("reference-module", 1, UNBOUNDED), X],
    "sous-module": [("reference-module", 1, 1), ("type-module", 1, 1), X],
    "periode": [("debut", 1, 1), ("fin", 1, 1), X],
    "periode-inscription": [("periode", 1, 1)],
    "coordonnees": [
        ("civilite", 0, 1),
        ("nom", 0, 1),
        ("prenom", 0, 1),
        ("ligne", 0, 3),
        ("adresse", 0, 1),
        ("telfixe", 0, 1),
        ("portable", 0, 1),
        ("fax", 0, 1),
        ("courriel", 0, 1),
        ("web", 0, 1),
        X,
    ],
    "adresse": [
        ("denomination", 0, 1),
        ("ligne", 1, 4),
        ("codepostal", 1, 1),
        ("ville", 1, 1),
        ("departement", 0, 1),
        ("code-INSEE-commune", 0, 1),
        ("code-INSEE-canton", 0, 1),
        ("region", 0, 1),
        ("pays", 0, 1),
        ("geolocalisation", 0, 1),
        X,
    ],
    "geolocalisation": [("latitude", 1, 1), ("longitude", 1, 1), X],
    "telfixe": [("numtel", 1, 3), X],
    "portable": [("numtel", 1, 3), X],
    "fax": [("numtel", 1, 3), X],
}


def text(minimum: int | None, maximum: int | None) -> tuple:
    return ("string", minimum, maximum)


def enum(*values: int | str) -> tuple:
    return ("enum", tuple(str(value) for value in values))


LONG = ("long",)
DATE8 = ("date8",)
BOOL = enum(0, 1)
SIMPLE: dict[str, tuple] = {
    "intitule-formation": text(1, 255),
    "nom-organisme": text(1, 250),
    "objectif-formation": text(1, 3000),
    "resultats-attendus": text(1, 3000),
    "contenu-formation": text(1, 3000),
    "certifiante": BOOL,
    "rythme-formation": text(1, 3000),
    "duree-indicative": text(None, 150),
    "parcours-de-formation": enum(1, 2, 3, 4),
    "objectif-general-formation": enum(1, 6, 7, 8, 5, 9, 2, 3, 4),
    "code-niveau-entree": enum(*range(0, 9), *range(11, 19)),
    "code-niveau-sortie": enum(*range(0, 9), *range(11, 19)),
    "niveau-entree-obligatoire": BOOL,
    "modalites-alternance": text(1, 3000),
    "modalites-enseignement": enum(0, 1, 2),
    "conditions-specifiques": text(1, 3000),
    "code-modalite-pedagogique": text(5, 5),
    "prise-en-charge-frais-possible": BOOL,
    "frais-restants": text(None, 200),
    "langue-formation": text(2, 2),
    "nb-places": LONG,
    "a-distance": BOOL,
    "type-equipement": enum(*range(0, 12)),
    "cout-indicatif-equipement": LONG,
    "obligatoire": BOOL,
    "modalite-recrutement": enum(*range(0, 10)),
    "libelle-enseignement": text(1, 255),
    "type-enseignement": enum(*range(1, 11)),
    "modalites-entrees-sorties": BOOL,
    "effectif-minimal": LONG,
    "capacite-simultanee": LONG,
    "capacite-cumulee": LONG,
    "type-alternance": enum(0, 1, 2),
    "unite-rythme-alternance": enum(0, 1, 2, 3, 4),
    "unites-entreprise": LONG,
    "unites-centre": LONG,
    "type-cycle": BOOL,
    "duree-cycle": LONG,
    "annee-cycle": LONG,
    "numero-activite": text(11, 11),
    "raison-sociale": text(1, 250),
    "type-contact": enum(*range(0, 15)),
    "renseignements-specifiques": text(None, 3000),
    "nb-places-financees": LONG,
    "modalites-recrutement": text(None, 3000),
    "modalites-pedagogiques": text(None, 200),
    "raison-sociale-formateur": text(None, 250),
    "code-perimetre-recrutement": enum(*range(0, 7)),
    "infos-perimetre-recrutement": text(None, 50),
    "prix-horaire-TTC": text(1, 6),
    "prix-total-TTC": text(1, 10),
    "nombre-heures-centre": LONG,
    "nombre-heures-entreprise": LONG,
    "nombre-heures-total": LONG,
    "detail-conditions-prise-en-charge": text(1, 600),
    "conventionnement": BOOL,
    "duree-conventionnee": LONG,
    "code-financeur": enum(
        11, 12, 13, 2, 3, 4, 5, 6, 7, 8, 9, 15, 10, 0, 14, 16, 17, 18, 19, 20, 1
    ),
    "restauration": text(1, 250),
    "hebergement": text(1, 250),
    "transport": text(1, 250),
    "acces-handicapes": text(1, 250),
    "positionnement": enum(1, 2),
    "etat-recrutement": enum(1, 2, 3),
    "identifiant-module": text(1, 3000),
    "reference-module": text(1, 3000),
    "type-module": enum(0, 1, 2),
    "reference-code-FORMACODE": text(5, 5),
    "reference-code-CERTIFINFO": text(1, 10),
    "reference-code-RNCP": text(1, 10),
    "reference-code-RS": text(1, 10),
    "libelle-bloc": text(1, 500),
    "code-bloc": text(8, 40),
    "validation-blocs": enum(0, 1, 2),
    "code-NSF": text(3, 3),
    "code-FORMACODE": text(5, 5),
    "code-ROME": text(5, 5),
    "code-public-vise": text(5, 5),
    "info-public-vise": text(1, 250),
    "code-RNCP": text(1, 10),
    "code-CERTIFINFO": text(1, 10),
    "code-UAI": text(8, 8),
    "code-RS": text(3, 10),
    "code-CPF": text(4, 10),
    "code-ELU": text(4, 10),
    "SIRET": text(14, 14),
    "ligne": text(1, 50),
    "denomination": text(1, 255),
    "prenom": text(1, 50),
    "civilite": text(1, 50),
    "nom": text(1, 50),
    "codepostal": text(5, 5),
    "code-INSEE-commune": text(5, 5),
    "code-INSEE-canton": text(4, 5),
    "ville": text(1, 50),
    "departement": text(2, 3),
    "region": text(2, 2),
    "pays": text(2, 2),
    "latitude": text(None, 30),
    "longitude": text(None, 30),
    "courriel": text(3, 160),
    "urlweb": text(3, 400),
    "commentaire": text(1, 500),
    "numtel": text(1, 25),
    "modalites-inscription": text(1, 255),
    "debut": DATE8,
    "fin": DATE8,
    "heure-debut": text(2, 5),
    "heure-fin": text(2, 5),
    "date": DATE8,
}
# Elements whose attribute group also has datemaj/datecrea (or href/file), as in LHEO.
DATED = {"lheo", "formation", "action", "session"}
LINKED = {"formation", "organisme-formation-responsable"}
COMMON_ATTRIBUTES = [
    ("numero", "xs:string"),
    ("info", "xs:string"),
    ("ref", "xs:string"),
    ("id", "xs:ID"),
    ("idref", "xs:IDREF"),
    ("tag", "xs:string"),
]
STAMPS = [
    ("horodatage-creation", "xs:dateTime"),
    ("horodatage-modification", "xs:dateTime"),
    ("horodatage-export", "xs:dateTime"),
    ("uri", "xs:anyURI"),
]


def _attributes(name: str) -> list[str]:
    attributes = [("href", "xs:string"), ("file", "xs:string")] if name in LINKED else []
    attributes += COMMON_ATTRIBUTES
    if name in DATED:
        attributes += [("datemaj", "xs:string"), ("datecrea", "xs:string")]
    attributes += STAMPS
    lines = [f'  <xs:attributeGroup name="{name}-attributes">']
    lines += [f'    <xs:attribute name="{a}" type="{t}"/>' for a, t in attributes]
    lines.append("  </xs:attributeGroup>")
    return lines


def _occurs(value: int) -> str:
    return "unbounded" if value == UNBOUNDED else str(value)


def _simple(name: str, spec: tuple) -> list[str]:
    lines = [f'  <xs:simpleType name="{name}-subtype">']
    kind = spec[0]
    if kind == "long":
        lines.append('    <xs:restriction base="xs:long"/>')
    elif kind == "date8":
        lines += [
            '    <xs:restriction base="xs:token">',
            '      <xs:length value="8"/>',
            '      <xs:pattern value="[0-9][0-9][0-9][0-9][019][0-9][01239][0-9]"/>',
            "    </xs:restriction>",
        ]
    elif kind == "enum":
        lines.append('    <xs:restriction base="xs:token">')
        lines += [f"      <xs:enumeration value={quoteattr(v)}/>" for v in spec[1]]
        lines.append("    </xs:restriction>")
    else:
        _, minimum, maximum = spec
        lines.append('    <xs:restriction base="xs:string">')
        if minimum is not None:
            lines.append(f'      <xs:minLength value="{minimum}"/>')
        if maximum is not None:
            lines.append(f'      <xs:maxLength value="{maximum}"/>')
        lines.append("    </xs:restriction>")
    lines.append("  </xs:simpleType>")
    lines += [
        f'  <xs:complexType name="{name}-type">',
        "    <xs:simpleContent>",
        f'      <xs:extension base="lheo:{name}-subtype">',
        f'        <xs:attributeGroup ref="lheo:{name}-attributes"/>',
        "      </xs:extension>",
        "    </xs:simpleContent>",
        "  </xs:complexType>",
    ]
    return lines


def _complex(name: str, children: list[tuple[str, int, int]]) -> list[str]:
    lines = [f'  <xs:complexType name="{name}-subtype">', "    <xs:sequence>"]
    lines += [
        f'      <xs:element ref="lheo:{child}" minOccurs="{low}" maxOccurs="{_occurs(high)}"/>'
        for child, low, high in children
    ]
    lines += ["    </xs:sequence>", "  </xs:complexType>"]
    lines += [
        f'  <xs:complexType name="{name}-type">',
        "    <xs:complexContent>",
        f'      <xs:extension base="lheo:{name}-subtype">',
        f'        <xs:attributeGroup ref="lheo:{name}-attributes"/>',
        "      </xs:extension>",
        "    </xs:complexContent>",
        "  </xs:complexType>",
    ]
    return lines


def build() -> str:
    referenced = {child for children in COMPLEX.values() for child, _, _ in children}
    missing = referenced - set(COMPLEX) - set(SIMPLE) - {"extras"}
    if missing:
        raise SystemExit(f"elements without a definition: {sorted(missing)}")
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        "<!-- LHEO 2.3, generated by dora/offers/lheo/schema/build_xsd.py: see PROVENANCE.md -->",
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" '
        f'targetNamespace="{NAMESPACE}" xmlns:lheo="{NAMESPACE}" '
        'elementFormDefault="qualified">',
    ]
    for name, children in COMPLEX.items():
        lines += _attributes(name) + _complex(name, children)
        lines.append(f'  <xs:element name="{name}" type="lheo:{name}-type"/>')
    for name, spec in SIMPLE.items():
        lines += _attributes(name) + _simple(name, spec)
        lines.append(f'  <xs:element name="{name}" type="lheo:{name}-type"/>')
    # extras / extra: LHEO's open extension point (any content inside `extra`).
    lines += [
        *_attributes("extras"),
        '  <xs:complexType name="extras-type">',
        "    <xs:complexContent>",
        '      <xs:extension base="lheo:extras-subtype">',
        '        <xs:attributeGroup ref="lheo:extras-attributes"/>',
        "      </xs:extension>",
        "    </xs:complexContent>",
        "  </xs:complexType>",
        '  <xs:complexType name="extras-subtype">',
        '    <xs:choice minOccurs="0" maxOccurs="unbounded">',
        '      <xs:element ref="lheo:extras"/>',
        '      <xs:element ref="lheo:extra"/>',
        "    </xs:choice>",
        "  </xs:complexType>",
        '  <xs:element name="extras" type="lheo:extras-type"/>',
    ]
    lines += [
        *_attributes("extra"),
        '  <xs:complexType name="extra-type">',
        "    <xs:complexContent>",
        '      <xs:extension base="xs:anyType">',
        '        <xs:attributeGroup ref="lheo:extra-attributes"/>',
        "      </xs:extension>",
        "    </xs:complexContent>",
        "  </xs:complexType>",
        '  <xs:element name="extra" type="lheo:extra-type"/>',
        "</xs:schema>",
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    OUT.write_text(build(), encoding="utf-8")
    print(f"{OUT} written")

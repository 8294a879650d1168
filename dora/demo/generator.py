"""Deterministic generation of demo structures and services, without a database.

Services are generated in chunks of SERVICES_PER_CHUNK, each with STRUCTURES_PER_CHUNK
structures; everything in chunk `c` depends only on (seed, c) and the reference date, never on
how many services were asked for. So `--services 30000` after `--services 20000` generates the
same first 20,000 services and only adds the others, and ids are stable:
`demo--svc-0000001` is always the same service for a given seed.

Random draws are vectorised with numpy (one PCG64 stream per chunk and purpose); the per-row
work is plain Python building tuples in the COPY column order (no pydantic, no ORM in the hot
path). `records()` turns the same tuples into data·inclusion dicts for validation.

Communes are drawn by population from `geodata.reference` (Paris, Lyon and Marseille through
their arrondissements, so that their services spread over the city), structures get an address
point a few hundred metres from the commune's point, and their services inherit it.
"""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from typing import Any

import numpy as np
from stdnum import luhn

from dora.core.opening_week import week_mask
from dora.demo import content
from geodata import reference
from geodata.text import normalise_name

SERVICES_PER_CHUNK = 4000
STRUCTURES_PER_CHUNK = 1000
MAX_SERVICES = 9_999_999  # ids have 7 digits
DEFAULT_SEED = 1
DEFAULT_PREFIX = "demo"
DEFAULT_SOURCE = "dora-demo"
HISTORY_DAYS = 3 * 365  # date_maj spread over the last three years

# Columns written by COPY, in the order of the generated tuples.
STRUCTURE_COLUMNS = (
    "id",
    "source",
    "nom",
    "date_maj",
    "description",
    "siret",
    "commune",
    "code_postal",
    "code_insee",
    "adresse",
    "complement_adresse",
    "longitude",
    "latitude",
    "location",
    "location_precision",
    "telephone",
    "courriel",
    "site_web",
    "horaires_accueil",
    "reseaux_porteurs",
    "moderation",
)
SERVICE_COLUMNS = (
    "id",
    "source",
    "structure_id",
    "nom",
    "description",
    "date_maj",
    "type",
    "thematiques",
    "frais",
    "frais_precisions",
    "publics",
    "conditions_acces",
    "modes_accueil",
    "zone_eligibilite",
    "contact_nom_prenom",
    "lien_mobilisation",
    "modes_mobilisation",
    "mobilisable_par",
    "mobilisation_precisions",
    "volume_horaire_hebdomadaire",
    "nombre_semaines",
    "commune",
    "code_postal",
    "code_insee",
    "adresse",
    "complement_adresse",
    "longitude",
    "latitude",
    "location",
    "location_precision",
    "telephone",
    "courriel",
    "horaires_accueil",
    "statut",
    # dora.core.opening_week of horaires_accueil (bulk COPY: no ORM hook runs).
    "opening_week",
)
# Our columns that are not part of the data·inclusion schema.
OWN_COLUMNS = frozenset({"location", "location_precision", "moderation", "statut", "opening_week"})

# Paris, Lyon, Marseille are drawn through their arrondissements.
_PLM = frozenset({"75056", "69123", "13055"})
# Fictional numbers reserved by ARCEP for audiovisual works, by region (E.164).
_PHONE_PREFIXES = {
    "11": "+3319900",
    "24": "+3326191",
    "28": "+3326191",
    "52": "+3326191",
    "53": "+3326191",
    "27": "+3335301",
    "32": "+3335301",
    "44": "+3335301",
    "84": "+3346571",
    "93": "+3346571",
    "94": "+3346571",
    "75": "+3353649",
    "76": "+3353649",
}
_MOBILE_PREFIX = "+3363998"
_VOWELS = frozenset("AEIOUYÂÊÎÔÛÉÈËÏÜŒaeiouy")
_METRES_PER_DEGREE = 111_320.0
_PREFIX = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


@dataclass(frozen=True)
class DemoSet:
    """Which demo data: same seed, prefix and reference date → the same rows, byte for byte
    (with the same numpy release: numpy does not promise identical streams across releases of
    its Generator methods). `reference_date` defaults to today: dates are relative to it."""

    seed: int = DEFAULT_SEED
    prefix: str = DEFAULT_PREFIX
    source: str = DEFAULT_SOURCE
    reference_date: date = field(default_factory=date.today)

    def __post_init__(self) -> None:
        # The prefix goes into ids written by COPY as is, and into LIKE patterns.
        if not _PREFIX.fullmatch(self.prefix):
            raise ValueError(f"préfixe d’identifiant invalide : {self.prefix!r}")
        if self.seed < 0:
            raise ValueError(f"la graine doit être positive ou nulle : {self.seed}")

    def service_id(self, number: int) -> str:
        return f"{self.prefix}--svc-{number:07d}"

    def structure_id(self, number: int) -> str:
        return f"{self.prefix}--str-{number:06d}"

    @property
    def service_id_prefix(self) -> str:
        return f"{self.prefix}--svc-"

    @property
    def structure_id_prefix(self) -> str:
        return f"{self.prefix}--str-"


def chunk_count(services: int) -> int:
    return -(-services // SERVICES_PER_CHUNK)


def services_in_chunk(chunk: int, services: int) -> int:
    """How many of chunk `chunk`'s services belong to a set of `services` services."""
    return max(0, min(SERVICES_PER_CHUNK, services - chunk * SERVICES_PER_CHUNK))


# -- reference data, prepared once per process ----------------------------------------------


@dataclass(frozen=True)
class _Commune:
    code: str
    nom: str
    de: str
    a: str
    slug: str
    departement: str
    departement_nom: str
    region: str
    epci: str | None
    phone_prefix: str
    size: int  # 0: < 2,000 inhabitants, 1: < 20,000, 2: more


@dataclass(frozen=True)
class _Place:
    """Where a structure can be: a commune, or an arrondissement of Paris, Lyon, Marseille."""

    commune: _Commune
    codes_postaux: tuple[str, ...]
    longitude: float
    latitude: float
    # Jitter radius: larger in big towns so that their services do not pile up on one point.
    radius: float


@dataclass(frozen=True)
class _Tables:
    places: tuple[_Place, ...]
    place_cdf: np.ndarray
    kinds: tuple[content.StructureKind, ...]
    kind_cdf_by_size: tuple[list[float], list[float], list[float]]
    templates: tuple[content.ServiceTemplate, ...]
    # Per kind: template indexes and their cumulative weights.
    kind_templates: tuple[tuple[list[int], list[float]], ...]
    kind_zone_cdf: tuple[list[float], ...]
    region_departements: dict[str, list[str]]


def _de(nom: str) -> str:
    if nom.startswith("Le "):
        return "du " + nom[3:]
    if nom.startswith("Les "):
        return "des " + nom[4:]
    if nom[0] in _VOWELS and not nom.startswith(("L'", "L’")):
        return "d’" + nom
    return "de " + nom


def _a(nom: str) -> str:
    if nom.startswith("Le "):
        return "au " + nom[3:]
    if nom.startswith("Les "):
        return "aux " + nom[4:]
    return "à " + nom


def _size(population: int) -> int:
    return 0 if population < 2000 else 1 if population < 20000 else 2


def _cdf(weights: list[float]) -> list[float]:
    total = float(sum(weights))
    running, result = 0.0, []
    for weight in weights:
        running += weight
        result.append(running / total)
    result[-1] = 1.0
    return result


@cache
def _tables() -> _Tables:
    departement_names = {d.code: d.nom for d in reference.departements()}
    communes: dict[str, _Commune] = {}
    places: list[_Place] = []
    weights: list[int] = []
    for item in reference.communes():
        commune = _Commune(
            code=item.code,
            nom=item.nom,
            de=_de(item.nom),
            a=_a(item.nom),
            slug=normalise_name(item.nom).replace(" ", "-"),
            departement=item.departement,
            departement_nom=departement_names[item.departement],
            region=item.region,
            epci=item.epci,
            phone_prefix=_PHONE_PREFIXES.get(item.region, _MOBILE_PREFIX),
            size=_size(item.population),
        )
        communes[item.code] = commune
        if item.code in _PLM or item.population <= 0:
            continue
        places.append(_place(commune, item.codes_postaux, item.longitude, item.latitude, 0))
        weights.append(item.population)
    for arrondissement in reference.arrondissements_municipaux():
        places.append(
            _place(
                communes[arrondissement.commune],
                arrondissement.codes_postaux,
                arrondissement.longitude,
                arrondissement.latitude,
                arrondissement.population,
            )
        )
        weights.append(arrondissement.population)
    cumulative = np.cumsum(np.asarray(weights, dtype=np.float64))
    kinds = content.STRUCTURE_KINDS
    templates = content.SERVICE_TEMPLATES
    index = {template.key: i for i, template in enumerate(templates)}
    region_departements: dict[str, list[str]] = {}
    for departement in reference.departements():
        region_departements.setdefault(departement.region, []).append(departement.code)
    return _Tables(
        places=tuple(places),
        place_cdf=cumulative / cumulative[-1],
        kinds=kinds,
        kind_cdf_by_size=tuple(  # type: ignore[arg-type]
            _cdf([kind.presence[size] for kind in kinds]) for size in range(3)
        ),
        templates=templates,
        kind_templates=tuple(
            ([index[key] for key in kind.services], _cdf(list(kind.services.values())))
            for kind in kinds
        ),
        kind_zone_cdf=tuple(_cdf(list(kind.zones)) for kind in kinds),
        region_departements={k: sorted(v) for k, v in region_departements.items()},
    )


def _place(
    commune: _Commune, codes_postaux: tuple[str, ...], lon: float, lat: float, population: int
) -> _Place:
    # Arrondissements are dense: spread over up to ~1 km; communes: 150 m to 800 m.
    if population:
        radius = min(1000.0, 200.0 + 2.0 * math.sqrt(population))
    else:
        radius = 150.0 + 250.0 * commune.size
    return _Place(commune, codes_postaux, lon, lat, radius)


# -- generation -------------------------------------------------------------------------------


@dataclass(frozen=True)
class StructureDraft:
    """A generated structure and what its services need from it."""

    number: int
    row: tuple[Any, ...]  # STRUCTURE_COLUMNS, or just (id,) when generated without rows
    kind: int
    place: _Place
    first_service: int  # index of its first service within the chunk
    service_count: int
    longitude: float
    latitude: float
    adresse: str
    complement: str | None
    code_postal: str
    telephone: str
    domaine: str
    horaires: str
    forms: dict[str, str]

    @property
    def commune(self) -> _Commune:
        return self.place.commune


def _jitter(lon: float, lat: float, radius: float, u_angle: float, u_radius: float):
    # sqrt: uniform over the disc rather than crowded at its centre.
    distance = radius * math.sqrt(u_radius)
    angle = 2 * math.pi * u_angle
    dlat = distance * math.sin(angle) / _METRES_PER_DEGREE
    dlon = distance * math.cos(angle) / (_METRES_PER_DEGREE * math.cos(math.radians(lat)))
    return round(lon + dlon, 6), round(lat + dlat, 6)


def _siret(u_siren: float, u_nic: float) -> str:
    siren = str(10_000_000 + int(u_siren * 89_999_999))
    siren += luhn.calc_check_digit(siren)
    establishment = siren + f"{1 + int(u_nic * 300):04d}"
    return establishment + luhn.calc_check_digit(establishment)


def _pick(options: tuple[str, ...] | list[str], u: float) -> str:
    return options[int(u * len(options))]


@cache
def _iso_dates(reference_date: date) -> tuple[str, ...]:
    return tuple(
        (reference_date - timedelta(days=days)).isoformat() for days in range(HISTORY_DAYS + 1)
    )


def _date(dates: tuple[str, ...], u: float) -> str:
    # Squared: recent updates are more frequent than old ones, yet about 40 % are over a year.
    return dates[int(u * u * HISTORY_DAYS)]


def generate_structures(demo: DemoSet, chunk: int, *, rows: bool = True) -> list[StructureDraft]:
    """The STRUCTURES_PER_CHUNK structures of chunk `chunk`, each with its share of services.

    `rows=False` skips what only the structure table needs (name, SIRET, description…): the
    services phase generates the structures again for what their services inherit.
    """
    tables = _tables()
    rng = np.random.default_rng([demo.seed, chunk, 0])
    cuts = np.sort(rng.choice(np.arange(1, SERVICES_PER_CHUNK), STRUCTURES_PER_CHUNK - 1, False))
    bounds = [0, *cuts.tolist(), SERVICES_PER_CHUNK]
    place_indexes = np.searchsorted(tables.place_cdf, rng.random(STRUCTURES_PER_CHUNK)).tolist()
    draws = rng.random((STRUCTURES_PER_CHUNK, 16)).tolist()
    dates = _iso_dates(demo.reference_date)
    last_place = len(tables.places) - 1
    last_kind = len(tables.kinds) - 1
    drafts = []
    for j in range(STRUCTURES_PER_CHUNK):
        u = draws[j]
        place = tables.places[min(place_indexes[j], last_place)]
        commune = place.commune
        kind_index = min(
            bisect.bisect_right(tables.kind_cdf_by_size[commune.size], u[0]), last_kind
        )
        kind = tables.kinds[kind_index]
        number = chunk * STRUCTURES_PER_CHUNK + j + 1
        forms = {
            "commune": commune.nom,
            "de_commune": commune.de,
            "a_commune": commune.a,
            "departement": commune.departement_nom,
            "assoc": _pick(content.ASSOCIATIONS, u[1]),
        }
        lon, lat = _jitter(place.longitude, place.latitude, place.radius, u[3], u[4])
        adresse = f"{1 + int(u[5] * 120)} {_pick(content.VOIES, u[6])}"
        complement = _pick(content.COMPLEMENTS, u[7] / 0.2) if u[7] < 0.2 else None
        code_postal = _pick(place.codes_postaux, u[8]) if place.codes_postaux else None
        telephone = f"{commune.phone_prefix}{int(u[9] * 10000):04d}"
        label = f"{kind.domaine}-{commune.slug}"[:63].rstrip("-")
        domaine = f"{label}.example.org"
        horaires = _pick(kind.horaires, u[10])
        structure_id = demo.structure_id(number)
        row: tuple[Any, ...] = (structure_id,)
        if rows:
            row = (
                structure_id,
                demo.source,
                _pick(kind.noms, u[2]).format(**forms)[:150],
                _date(dates, u[11]),
                kind.description.format(**forms),
                _siret(u[12], u[13]),
                commune.nom,
                code_postal,
                commune.code,
                adresse,
                complement,
                lon,
                lat,
                f"SRID=4326;POINT({lon} {lat})",
                "adresse",
                telephone,
                f"contact@{domaine}",
                f"https://{domaine}",
                horaires,
                list(kind.reseaux_porteurs) if kind.reseaux_porteurs else None,
                "validee",
            )
        drafts.append(
            StructureDraft(
                number=number,
                row=row,
                kind=kind_index,
                place=place,
                first_service=bounds[j],
                service_count=bounds[j + 1] - bounds[j],
                longitude=lon,
                latitude=lat,
                adresse=adresse,
                complement=complement,
                code_postal=code_postal,
                telephone=telephone,
                domaine=domaine,
                horaires=horaires,
                forms=forms,
            )
        )
    return drafts


def generate_services(
    demo: DemoSet, chunk: int, structures: list[StructureDraft], limit: int = SERVICES_PER_CHUNK
) -> Iterator[tuple[Any, ...]]:
    """The services of chunk `chunk` (the first `limit` of them), as SERVICE_COLUMNS tuples."""
    tables = _tables()
    rng = np.random.default_rng([demo.seed, chunk, 1])
    draws = rng.random((SERVICES_PER_CHUNK, 34)).tolist()
    dates = _iso_dates(demo.reference_date)
    templates = tables.templates
    first_number = chunk * SERVICES_PER_CHUNK + 1
    for structure in structures:
        if structure.first_service >= limit:
            break
        candidates, cdf = tables.kind_templates[structure.kind]
        kind = tables.kinds[structure.kind]
        used: set[int] = set()
        end = min(structure.first_service + structure.service_count, limit)
        for position in range(structure.first_service, end):
            u = draws[position]
            choice = min(bisect.bisect_right(cdf, u[0]), len(candidates) - 1)
            # Several services of one structure are different services.
            for _ in range(len(candidates)):
                if candidates[choice] not in used:
                    break
                choice = (choice + 1) % len(candidates)
            used.add(candidates[choice])
            template = templates[candidates[choice]]
            yield _service_row(
                demo, first_number + position, structure, kind, template, u, dates, tables
            )


def _zone(
    kind: content.StructureKind, zone_cdf: list[float], commune: _Commune, u: float, remote: bool
) -> list[str] | None:
    level = content.ZONE_LEVELS[min(bisect.bisect_right(zone_cdf, u), 5)]
    if remote and level in ("commune", "epci", "aucune"):
        # A remote service is rarely limited to one commune: spread its draw instead.
        spread = (u * 7919) % 1.0
        level = "france" if spread < 0.4 else "departement" if spread < 0.85 else level
    if level == "commune":
        return [commune.code]
    if level == "epci":
        return [commune.epci] if commune.epci else [commune.departement]
    if level == "departement":
        return [commune.departement]
    if level == "region":
        return list(_tables().region_departements[commune.region])
    if level == "france":
        return ["france"]
    return None


def _cyclic(options: tuple[str, ...], u_start: float, count: int) -> list[str]:
    start = int(u_start * len(options))
    return sorted({options[(start + i) % len(options)] for i in range(count)})


def _service_row(
    demo: DemoSet,
    number: int,
    structure: StructureDraft,
    kind: content.StructureKind,
    template: content.ServiceTemplate,
    u: list[float],
    dates: tuple[str, ...],
    tables: _Tables,
) -> tuple[Any, ...]:
    commune = structure.commune
    nom = _pick(template.noms, u[1])
    if u[2] < 0.15:
        nom = f"{nom} – {commune.nom}"
    description = (
        template.description.format(**structure.forms) + "\n\n" + _pick(content.PRATIQUE, u[3])
    )

    thematiques = list(template.thematiques)
    if template.autres_thematiques and u[4] < 0.35:
        thematiques.append(_pick(template.autres_thematiques, u[5]))
    thematiques = sorted(set(thematiques))

    if kind.publics_imposes:
        publics = set(kind.publics_imposes)
        if template.publics and u[6] < 0.3:
            publics.add(_pick(template.publics, u[7]))
        publics.discard("tous-publics")
        publics_list = sorted(publics)
    elif u[6] < template.tous_publics or not template.publics:
        publics_list = ["tous-publics"]
    else:
        count = 1 + int(u[7] * min(3, len(template.publics)))
        publics_list = _cyclic(template.publics, u[8], count)

    if u[9] < 0.03:
        frais, frais_precisions = None, None
    elif u[9] < 0.03 + 0.97 * template.payant:
        frais = "payant"
        frais_precisions = (
            _pick(template.frais_precisions, u[10])
            if template.frais_precisions
            else "Participation financière selon les ressources."
        )
    else:
        frais, frais_precisions = "gratuit", None

    if u[11] < template.a_distance:
        modes_accueil = ["a-distance"]
    elif u[11] < template.a_distance + template.hybride:
        modes_accueil = ["a-distance", "en-presentiel"]
    else:
        modes_accueil = ["en-presentiel"]
    remote_only = modes_accueil == ["a-distance"]
    zone = _zone(kind, tables.kind_zone_cdf[structure.kind], commune, u[12], remote_only)

    modes = template.modes_mobilisation
    modes_mobilisation = _cyclic(modes, u[13], 1 + int(u[14] * min(3, len(modes))))
    if u[15] < template.professionnels_seuls:
        mobilisable_par = ["professionnels"]
    elif u[15] < template.professionnels_seuls + template.usagers_seuls:
        mobilisable_par = ["usagers"]
    else:
        mobilisable_par = ["professionnels", "usagers"]
    lien_mobilisation = (
        f"https://{structure.domaine}/services/{template.key}"
        if "utiliser-lien-mobilisation" in modes_mobilisation
        else None
    )
    courriel = (
        f"contact@{structure.domaine}"
        if "envoyer-un-courriel" in modes_mobilisation or u[16] < 0.5
        else None
    )
    telephone = structure.telephone if "telephoner" in modes_mobilisation or u[16] < 0.8 else None
    mobilisation_precisions = (
        " ".join(content.MOBILISATION_PRECISIONS[m] for m in modes_mobilisation[:2])
        if u[17] < 0.6
        else None
    )
    contact = (
        f"{_pick(content.PRENOMS, u[18])} {_pick(content.NOMS_DE_FAMILLE, u[19])}"
        if u[20] < 0.35
        else None
    )
    if template.conditions_acces:
        conditions = _pick(template.conditions_acces, u[21]) if u[22] < 0.8 else None
    else:
        conditions = _pick(content.CONDITIONS_COMMUNES, u[21]) if u[22] < 0.4 else None

    volume = semaines = None
    if template.volume_horaire and u[23] < 0.85:
        low, high = template.volume_horaire
        volume = float(low + round((high - low) * u[24] * 2) / 2)
    if template.nombre_semaines and u[23] < 0.85:
        low_weeks, high_weeks = template.nombre_semaines
        semaines = low_weeks + int((high_weeks - low_weeks + 1) * u[25])

    if template.horaires and u[26] < 0.7:
        horaires = _pick(template.horaires, u[27])
    else:
        horaires = structure.horaires if u[26] < 0.85 else None

    if remote_only:
        adresse = complement = longitude = latitude = location = precision = None
    elif u[28] < 0.75:
        adresse, complement = structure.adresse, structure.complement
        longitude, latitude = structure.longitude, structure.latitude
    else:
        # An antenna elsewhere in the same commune.
        place = structure.place
        adresse = f"{1 + int(u[29] * 120)} {_pick(content.VOIES, u[30])}"
        complement = None
        longitude, latitude = _jitter(place.longitude, place.latitude, place.radius, u[32], u[33])
    if not remote_only:
        location = f"SRID=4326;POINT({longitude} {latitude})"
        precision = "adresse"

    return (
        demo.service_id(number),
        demo.source,
        structure.row[0],
        nom,
        description,
        _date(dates, u[31]),
        template.type,
        thematiques,
        frais,
        frais_precisions,
        publics_list,
        conditions,
        modes_accueil,
        zone,
        contact,
        lien_mobilisation,
        modes_mobilisation,
        mobilisable_par,
        mobilisation_precisions,
        volume,
        semaines,
        commune.nom,
        structure.code_postal,
        commune.code,
        adresse,
        complement,
        longitude,
        latitude,
        location,
        precision,
        telephone,
        courriel,
        horaires,
        "publie",
        week_mask(horaires),
    )


# -- records, for validation and tests ------------------------------------------------------


def record(columns: tuple[str, ...], row: tuple[Any, ...]) -> dict[str, Any]:
    """A generated row as a data·inclusion record (our own columns left out)."""
    return {
        name: value for name, value in zip(columns, row, strict=True) if name not in OWN_COLUMNS
    }


def generate(demo: DemoSet, services: int) -> Iterator[tuple[list[StructureDraft], list[tuple]]]:
    """Every chunk of a set of `services` services: (structures with services, service rows).
    Convenient for tests and small sets; `operations.seed` streams instead."""
    for chunk in range(chunk_count(services)):
        limit = services_in_chunk(chunk, services)
        structures = generate_structures(demo, chunk)
        rows = list(generate_services(demo, chunk, structures, limit))
        yield [s for s in structures if s.first_service < limit], rows

"""Give every commune a point, from GeoNames when possible, else a coarser honest fallback.

Used by `geodata.build` only. Precisions, from best to coarsest:
- `commune`: a GeoNames place matched on normalised name (or the name of a former commune merged
  into it) within the commune's région (GeoNames admin1 code) and in or near its département
  polygon; homonyms are settled globally, and matches far from both their postal-code and
  EPCI neighbours are dropped;
- `code-postal`: the point of the most populated matched commune sharing a postal code;
- `epci`: the mean point of the matched members of its EPCI (same département first);
- `departement`: the chef-lieu's point, else a point inside the département polygon.

Leave-one-out on the matched communes gives the typical error of the fallbacks: about 5 km
(90 % under 10 km) for `code-postal`, 8 km (90 % under 16 km) for `epci`.
"""

from __future__ import annotations

import math
import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from shapely.geometry import Point as ShapelyPoint
from shapely.geometry.base import BaseGeometry
from shapely.ops import nearest_points

from geodata.sources import Cog, CogArrondissement, CogCommune, Place
from geodata.text import normalise_name

# Natural Earth borders are coarse: a whole bank of the Rance (Dinard, Pleurtuit) falls in the
# wrong département, so a place may lie up to this far outside its département's polygon.
DEPARTEMENT_TOLERANCE_KM = 12.0
# A matched point this far from every matched commune sharing its postal codes and from every
# matched member of its EPCI is taken for a homonym (see CommuneLocator._drop_outliers).
OUTLIER_KM = 25.0

# Kinds of match, best first.
MATCH_NAME, MATCH_ALTERNATE, MATCH_FORMER_SEAT, MATCH_FORMER_COMMUNE, MATCH_SAME_ADMIN1 = range(5)
MATCH_KIND_NAMES = (
    "name",
    "alternate-name",
    "former-seat-name",
    "former-commune-name",
    "mayotte-village",
)


@dataclass(frozen=True)
class Located:
    longitude: float
    latitude: float
    precision: str
    # Why this point: a GeoNames id, or the code of the commune / EPCI / département used.
    origin: str


@dataclass(frozen=True)
class _Candidate:
    score: tuple[int, int, float, int]
    commune: str
    place: Place


def distance_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance (haversine), good enough to compare places."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))


class CommuneLocator:
    def __init__(self, cog: Cog, polygons: dict[str, BaseGeometry], places: list[Place]) -> None:
        self.cog = cog
        self.communes = {commune.code: commune for commune in cog.communes}
        self.departements = {departement.code: departement for departement in cog.departements}
        self.polygons = polygons
        self.places = places
        self.epci_of = {member: epci.code for epci in cog.epcis for member in epci.membres}
        self.rejected_outliers: list[str] = []
        self.match_kinds: Counter[str] = Counter()

    # -- matching ---------------------------------------------------------------------------

    def locate_all(self) -> dict[str, Located]:
        matched = self._match_geonames()
        self._drop_outliers(matched)
        located: dict[str, Located] = dict(matched)
        self._fill_from_postal_codes(located, matched)
        self._fill_from_epcis(located, matched)
        self._fill_from_departements(located, matched)
        return dict(sorted(located.items()))

    def _match_geonames(self) -> dict[str, Located]:
        """Pair communes and places globally, best scores first, each used at most once.

        A global greedy assignment settles homonyms: the place goes to the commune it fits
        best (by name kind, then distance to the département, then population), and the other
        homonym falls back to a coarser point instead of stealing it.
        """
        candidates = sorted(self._candidates(), key=lambda item: (item.score, item.commune))
        matched: dict[str, Located] = {}
        used_places: set[int] = set()
        for candidate in candidates:
            if candidate.commune in matched or candidate.place.geonameid in used_places:
                continue
            used_places.add(candidate.place.geonameid)
            place = candidate.place
            matched[candidate.commune] = Located(
                place.longitude, place.latitude, "commune", f"geonames:{place.geonameid}"
            )
            self.match_kinds[MATCH_KIND_NAMES[candidate.score[0]]] += 1
        return matched

    def _candidates(self) -> Iterable[_Candidate]:
        by_name: dict[tuple[str, str], list[Place]] = defaultdict(list)
        by_alternate: dict[tuple[str, str], list[Place]] = defaultdict(list)
        by_admin1: dict[str, list[Place]] = defaultdict(list)
        for place in self.places:
            by_name[place.region, place.key].append(place)
            for key in place.alternate_keys:
                by_alternate[place.region, key].append(place)
            by_admin1[place.admin1].append(place)
        for commune in self.communes.values():
            for kind, places in self._places_named_like(commune, by_name, by_alternate):
                for place in places:
                    candidate = self._candidate(commune, place, kind)
                    if candidate is not None:
                        yield candidate
            # In Mayotte, GeoNames admin1 codes are the INSEE codes of the communes themselves,
            # so any of its villages is a point of the commune.
            for place in by_admin1.get(commune.code, ()):
                candidate = self._candidate(commune, place, MATCH_SAME_ADMIN1)
                if candidate is not None:
                    yield candidate

    def _places_named_like(
        self,
        commune: CogCommune,
        by_name: dict[tuple[str, str], list[Place]],
        by_alternate: dict[tuple[str, str], list[Place]],
    ) -> Iterable[tuple[int, list[Place]]]:
        def key(name: str) -> tuple[str, str]:
            return (commune.region, normalise_name(name))

        yield MATCH_NAME, by_name.get(key(commune.nom), [])
        yield MATCH_ALTERNATE, by_alternate.get(key(commune.nom), [])
        seat = self.cog.former_seat.get(commune.code)
        if seat:
            yield MATCH_FORMER_SEAT, by_name.get(key(seat), [])
            yield MATCH_FORMER_SEAT, by_alternate.get(key(seat), [])
        for name in self.cog.former_names.get(commune.code, ()):
            yield MATCH_FORMER_COMMUNE, by_name.get(key(name), [])

    def _candidate(self, commune: CogCommune, place: Place, kind: int) -> _Candidate | None:
        if not self._plausible(commune, place):
            return None
        outside_km = self._distance_to_departement(commune.departement, place)
        if outside_km > DEPARTEMENT_TOLERANCE_KM:
            return None
        # Natural Earth borders are a few km off: nearby distances are not meaningful.
        distance_rank = 0 if outside_km < 2 else math.ceil(outside_km)
        return _Candidate(
            score=(kind, distance_rank, _population_gap(commune, place), place.geonameid),
            commune=commune.code,
            place=place,
        )

    @cache  # noqa: B019 - one locator per build, the cache dies with it
    def _distance_to_departement(self, departement: str, place: Place) -> float:
        point = ShapelyPoint(place.longitude, place.latitude)
        polygon = self.polygons[departement]
        if polygon.contains(point):
            return 0.0
        nearest, _ = nearest_points(polygon, point)
        return distance_km(nearest.x, nearest.y, place.longitude, place.latitude)

    @staticmethod
    def _plausible(commune: CogCommune, place: Place) -> bool:
        # In Mayotte, GeoNames admin1 codes are commune codes: a homonym elsewhere is not it.
        if re.fullmatch(r"976\d\d", place.admin1):
            return place.admin1 == commune.code
        return True

    def _drop_outliers(self, matched: dict[str, Located]) -> None:
        """Drop matches that are far from every neighbour by postal code *and* by EPCI.

        A commune shares its postal codes and its EPCI with nearby communes. A match far from
        all of both is almost surely a homonymous hamlet of another commune (Saint-Samson,
        Calvados, matched to Saint-Samson-de-Bonfossé, Manche). Requiring both signals keeps
        the real communes of huge EPCIs (Guyane, Pays basque) and of unique postal codes.
        """
        postal_neighbours: dict[str, set[str]] = defaultdict(set)
        epci_neighbours: dict[str, set[str]] = defaultdict(set)
        for code in matched:
            for postal_code in self.communes[code].codes_postaux:
                postal_neighbours[postal_code].add(code)
            if code in self.epci_of:
                epci_neighbours[self.epci_of[code]].add(code)
        outliers = []
        for code, point in matched.items():
            commune = self.communes[code]
            by_postal_code = set().union(
                *(postal_neighbours[postal_code] for postal_code in commune.codes_postaux)
            )
            by_epci = epci_neighbours.get(self.epci_of.get(code, ""), set())
            if _far_from_all(point, by_postal_code - {code}, matched) and _far_from_all(
                point, by_epci - {code}, matched
            ):
                outliers.append(code)
        for code in outliers:
            del matched[code]
        self.rejected_outliers = sorted(outliers)

    # -- fallbacks --------------------------------------------------------------------------

    def _fill_from_postal_codes(
        self, located: dict[str, Located], matched: dict[str, Located]
    ) -> None:
        communes_by_postal_code: dict[str, list[CogCommune]] = defaultdict(list)
        for code in matched:
            commune = self.communes[code]
            for postal_code in commune.codes_postaux:
                communes_by_postal_code[postal_code].append(commune)
        for commune in self.communes.values():
            if commune.code in located:
                continue
            neighbours = {
                neighbour.code: neighbour
                for postal_code in commune.codes_postaux
                for neighbour in communes_by_postal_code.get(postal_code, ())
            }
            if not neighbours:
                continue
            # The most populated commune of a postal code usually hosts its distribution office,
            # so it is the natural centre of that postal area.
            best = min(neighbours.values(), key=lambda other: (-other.population, other.code))
            point = matched[best.code]
            located[commune.code] = Located(
                point.longitude, point.latitude, "code-postal", f"commune:{best.code}"
            )

    def _fill_from_epcis(self, located: dict[str, Located], matched: dict[str, Located]) -> None:
        for epci in self.cog.epcis:
            for code in epci.membres:
                if code in located:
                    continue
                departement = self.communes[code].departement
                points = [matched[other] for other in epci.membres if other in matched]
                # Some EPCI straddle départements: the members on the same side are closer.
                same_side = [
                    matched[other]
                    for other in epci.membres
                    if other in matched and self.communes[other].departement == departement
                ]
                if same_side or points:
                    located[code] = Located(
                        statistics.fmean(point.longitude for point in same_side or points),
                        statistics.fmean(point.latitude for point in same_side or points),
                        "epci",
                        f"epci:{epci.code}",
                    )

    def _fill_from_departements(
        self, located: dict[str, Located], matched: dict[str, Located]
    ) -> None:
        for commune in self.communes.values():
            if commune.code in located:
                continue
            departement = self.departements[commune.departement]
            seat = matched.get(departement.chef_lieu)
            if seat is not None:
                located[commune.code] = Located(
                    seat.longitude, seat.latitude, "departement", f"commune:{departement.chef_lieu}"
                )
            else:
                inside = self.polygons[commune.departement].representative_point()
                located[commune.code] = Located(
                    inside.x, inside.y, "departement", f"departement:{departement.code}"
                )


def _far_from_all(point: Located, others: set[str], matched: dict[str, Located]) -> bool:
    """True when there are neighbours to compare with and all lie beyond OUTLIER_KM."""
    if not others:
        return False
    return all(
        distance_km(point.longitude, point.latitude, matched[o].longitude, matched[o].latitude)
        > OUTLIER_KM
        for o in others
    )


def _population_gap(commune: CogCommune, place: Place) -> float:
    """How unlike the two populations are (0 = same); breaks ties between homonyms."""
    return round(abs(math.log((place.population + 1) / (commune.population + 1))), 6)


_ARRONDISSEMENT_PLACE = re.compile(r"^(paris|lyon|marseille) 0?(\d{1,2})(?: |e |er |$)")
_PARENT_NAME = {"75056": "paris", "69123": "lyon", "13055": "marseille"}


def locate_arrondissements(
    arrondissements: list[CogArrondissement],
    communes: dict[str, Located],
    places: list[Place],
) -> dict[str, Located]:
    """Points of the arrondissements municipaux: GeoNames has most of them as "Paris 10 …"."""
    by_number: dict[tuple[str, int], list[Place]] = defaultdict(list)
    for place in places:
        found = _ARRONDISSEMENT_PLACE.match(place.key)
        if found:
            by_number[found.group(1), int(found.group(2))].append(place)
    located: dict[str, Located] = {}
    for arrondissement in sorted(arrondissements, key=lambda item: item.code):
        number = _arrondissement_number(arrondissement)
        candidates = by_number.get((_PARENT_NAME[arrondissement.commune], number), [])
        if candidates:
            place = min(candidates, key=_arrondissement_preference)
            located[arrondissement.code] = Located(
                place.longitude, place.latitude, "arrondissement", f"geonames:{place.geonameid}"
            )
        else:
            parent = communes[arrondissement.commune]
            located[arrondissement.code] = Located(
                parent.longitude,
                parent.latitude,
                "commune-parente",
                f"commune:{arrondissement.commune}",
            )
    return located


def _arrondissement_preference(place: Place) -> tuple[int, int, int]:
    # GeoNames has both "Paris 12 Reuilly" (all twenty, central points) and a few duplicates such
    # as "Paris 12e Arrondissement" (placed in the Bois de Vincennes): prefer the systematic
    # zero-padded series, which exists for the three cities.
    systematic = 0 if re.match(r"^[a-z]+ \d\d( |$)", place.key) else 1
    return (systematic, -place.population, place.geonameid)


def _arrondissement_number(arrondissement: CogArrondissement) -> int:
    # From the name ("Lyon 1er Arrondissement"): codes are not regular (69381 is Lyon 1er).
    found = re.search(r"\d+", arrondissement.nom)
    if found is None:
        raise SystemExit(f"no number in arrondissement name {arrondissement.nom!r}")
    return int(found.group())


def precision_counts(located: dict[str, Located], order: Iterable[str]) -> dict[str, int]:
    counts = Counter(point.precision for point in located.values())
    return {precision: counts.get(precision, 0) for precision in order}

"""Reads for the publishing side: services of a structure in every status, history,
freshness, and the territory picker of the eligibility zone."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, literal, select
from sqlalchemy.orm import Session

from dora.catalogue.models import FREQUENCE_MAJ_DAYS, Service, Statut, Structure
from dora.publishing.models import ServiceChange
from dora.territories.models import ArrondissementMunicipal, Commune, Departement, Epci, Region
from dora.territories.queries import FRANCE_CODES
from geodata import resolve
from geodata.text import normalise_name


def get_service(session: Session, service_id: str) -> Service | None:
    """A service in any status (members see their drafts and archives)."""
    return session.get(Service, service_id)


def services_of(session: Session, structure_ids: Collection[str]) -> list[Service]:
    """Every service of these structures, drafts and archives included, by name."""
    if not structure_ids:
        return []
    statement = (
        select(Service)
        .where(Service.structure_id.in_(list(structure_ids)))
        .order_by(Service.structure_id, Service.nom, Service.id)
    )
    return list(session.scalars(statement))


def history(session: Session, service_id: str, limit: int = 200) -> list[ServiceChange]:
    """Most recent first."""
    statement = (
        select(ServiceChange)
        .where(ServiceChange.service_id == service_id)
        .order_by(ServiceChange.id.desc())
        .limit(limit)
    )
    return list(session.scalars(statement))


def changes_since(session: Session, service_id: str, version: int) -> list[ServiceChange]:
    """Changes saved after `version`, oldest first (what happened while a form was open)."""
    statement = (
        select(ServiceChange)
        .where(ServiceChange.service_id == service_id, ServiceChange.version > version)
        .order_by(ServiceChange.id)
    )
    return list(session.scalars(statement))


# Freshness ---------------------------------------------------------------------------------


def _due_date():
    """The date before which a service's `date_maj` makes it stale, per its frequency."""
    days = case(
        *[(Service.frequence_maj == str(freq), n) for freq, n in FREQUENCE_MAJ_DAYS.items()],
        else_=365,
    )
    return func.current_date() - days


def stale_condition():
    """Services that are still offered (draft or published) and past their update frequency."""
    return Service.statut.in_([Statut.BROUILLON, Statut.PUBLIE]) & (Service.date_maj < _due_date())


def is_stale(service: Service, today: date | None = None) -> bool:
    today = today or date.today()
    if service.statut == Statut.ARCHIVE:
        return False
    days = FREQUENCE_MAJ_DAYS.get(service.frequence_maj, 365)  # type: ignore[call-overload]
    return (today - service.date_maj).days > days


@dataclass(frozen=True)
class StaleService:
    id: str
    nom: str
    date_maj: date
    statut: str


def stale_services(session: Session, structure_ids: Collection[str]) -> list[StaleService]:
    """Stale services of these structures, oldest update first (what dashboards list)."""
    if not structure_ids:
        return []
    statement = (
        select(Service.id, Service.nom, Service.date_maj, Service.statut)
        .where(Service.structure_id.in_(list(structure_ids)), stale_condition())
        .order_by(Service.date_maj, Service.nom, Service.id)
    )
    return [StaleService(*row) for row in session.execute(statement)]


@dataclass(frozen=True)
class StaleGroup:
    structure_id: str
    structure_nom: str
    services: tuple[tuple[str, str, date], ...]  # (id, nom, date_maj)


def stale_published_by_structure(session: Session) -> list[StaleGroup]:
    """Published stale services grouped by structure: what `dora notify stale` reminds of.

    One query; drafts are left out since nobody relies on them yet.
    """
    rows = session.execute(
        select(Structure.id, Structure.nom, Service.id, Service.nom, Service.date_maj)
        .join(Service, Service.structure_id == Structure.id)
        .where(Service.statut == Statut.PUBLIE, Service.date_maj < _due_date())
        .order_by(Structure.id, Service.date_maj, Service.nom)
    )
    names: dict[str, str] = {}
    services: dict[str, list[tuple[str, str, date]]] = {}
    for structure_id, structure_nom, service_id, service_nom, date_maj in rows:
        names[structure_id] = structure_nom
        services.setdefault(structure_id, []).append((service_id, service_nom, date_maj))
    return [StaleGroup(sid, names[sid], tuple(entries)) for sid, entries in services.items()]


# Territories of the eligibility zone ---------------------------------------------------------


@dataclass(frozen=True)
class Territory:
    code: str
    nom: str
    type: str  # commune, epci, departement, region, pays
    libelle: str  # what the picker shows
    # The codes that go into zone_eligibilite: the schema has no région codes ("list the
    # départements of the région"), so a région stands for its départements.
    codes: tuple[str, ...] = ()

    @property
    def zone_codes(self) -> tuple[str, ...]:
        return self.codes or (self.code,)


TERRITORY_TYPES = ("pays", "region", "departement", "epci", "commune")
FRANCE = Territory("france", "France", "pays", "Toute la France")
_DIGITS = re.compile(r"\d+")
_TYPE_ORDER = {kind: i for i, kind in enumerate(TERRITORY_TYPES)}
_FUZZY = 3


def _territory(kind: str, code: str, nom: str, codes: tuple[str, ...] = ()) -> Territory:
    if kind == "region":
        return Territory(code, nom, kind, f"{nom} (région : ses {len(codes)} départements)", codes)
    if kind == "departement":
        return Territory(code, nom, kind, f"{nom} ({code}, département)")
    if kind == "epci":
        return Territory(code, nom, kind, f"{nom} (intercommunalité)")
    return Territory(code, nom, kind, nom)


def _match_rank(nom: str, name: str) -> int:
    """0 exact name, 1 name starts with the query, 2 a word starts with it, 3 close spelling."""
    return _match_rank_normalised(normalise_name(nom), name)


def _match_rank_normalised(normalised: str, name: str) -> int:
    if normalised == name:
        return 0
    if normalised.startswith(name):
        return 1
    if f" {name}" in f" {normalised}":
        return 2
    return _FUZZY


@dataclass(frozen=True)
class _Named:
    territory: Territory
    normalised: str


# Régions, départements and EPCI (1,400 rows) with their comparison names, read once per
# loaded geodata version: the autocomplete then matches them in memory on every keystroke.
_larger_cache: dict[str, tuple[_Named, ...]] = {}


def _larger_territories(session: Session) -> tuple[_Named, ...]:
    from geodata.load import loaded_version

    version = loaded_version(session.connection()) or ""
    if version not in _larger_cache:
        region_departements: dict[str, list[str]] = {}
        for code, region in session.execute(
            select(Departement.code, Departement.region_code).order_by(Departement.code)
        ):
            region_departements.setdefault(region, []).append(code)
        named: list[_Named] = []
        for model, kind in ((Region, "region"), (Departement, "departement"), (Epci, "epci")):
            for code, nom in session.execute(select(model.code, model.nom).order_by(model.nom)):
                codes = tuple(region_departements.get(code, ())) if kind == "region" else ()
                named.append(_Named(_territory(kind, code, nom, codes), normalise_name(nom)))
        _larger_cache.clear()
        _larger_cache[version] = tuple(named)
    return _larger_cache[version]


_CODE_LIKE = re.compile(r"\d{2,9}|2[ab]|france", re.IGNORECASE)


def search_territories(session: Session, q: str, limit: int = 20) -> list[Territory]:
    """Territories for the eligibility zone picker: by code or by name.

    A code (département, EPCI SIREN, INSEE code of a commune, `france`) comes first. Names
    then rank exact before prefix before word matches, and for equal matches the larger
    territory first (France, région, département, EPCI, commune by population). Close
    spellings (typos) are offered only when nothing else matches.
    """
    q = q.strip()
    name = normalise_name(q)
    if not name:
        return []
    ranked: list[tuple[int, int, int, Territory]] = []

    def add(rank: int, items: Sequence[Territory]) -> None:
        for item in items:
            ranked.append((rank, _TYPE_ORDER[item.type], len(ranked), item))

    if _CODE_LIKE.fullmatch(q):
        add(-1, list(territories_by_code(session, {q, q.upper()} - FRANCE_CODES).values()))
    if q.lower() in FRANCE_CODES or ("france".startswith(name) and len(name) >= 2):
        add(-1 if q.lower() in FRANCE_CODES else 1, [FRANCE])
    if len(name) >= 2 and not _DIGITS.fullmatch(q):
        for named in _larger_territories(session):
            rank = _match_rank_normalised(named.normalised, name)
            if rank < _FUZZY:
                add(rank, [named.territory])
    for commune in resolve.search_communes(session, q, limit=limit):
        postal = commune.codes_postaux[0] if commune.codes_postaux else commune.code
        territory = Territory(commune.code, commune.nom, "commune", f"{commune.nom} ({postal})")
        rank = 2 if _DIGITS.fullmatch(q) else _match_rank(commune.nom, name)
        add(rank, [territory])
    ranked.sort(key=lambda entry: entry[:3])
    if any(rank < _FUZZY for rank, *_ in ranked):
        ranked = [entry for entry in ranked if entry[0] < _FUZZY]
    elif len(name) >= 3:
        # Nothing close enough among communes either: try typos on the larger territories.
        add_fuzzy = _fuzzy_larger(session, name)
        ranked = [(_FUZZY, _TYPE_ORDER[t.type], i, t) for i, t in enumerate(add_fuzzy)] + ranked
    found: list[Territory] = []
    for *_, territory in ranked:
        if len(found) < limit and all(territory.code != f.code for f in found):
            found.append(territory)
    return found


def _fuzzy_larger(session: Session, name: str) -> list[Territory]:
    from difflib import SequenceMatcher

    scored = []
    for named in _larger_territories(session):
        ratio = SequenceMatcher(None, named.normalised, name).ratio()
        if ratio >= 0.85:
            scored.append((-ratio, named.territory.nom, named.territory))
    return [territory for *_, territory in sorted(scored)]


def territories_by_code(session: Session, codes: Collection[str]) -> dict[str, Territory]:
    """The known territories among `codes` (unknown codes are simply absent).

    A two- or three-character code is a département (zone_eligibilite holds no région codes).
    """
    wanted = set(codes)
    known: dict[str, Territory] = {}
    for code in wanted & FRANCE_CODES:
        known[code] = Territory(code, FRANCE.nom, FRANCE.type, FRANCE.libelle)
    rest = wanted - FRANCE_CODES
    if not rest:
        return known
    statements = [
        select(literal("departement"), Departement.code, Departement.nom).where(
            Departement.code.in_(rest)
        ),
        select(literal("epci"), Epci.code, Epci.nom).where(Epci.code.in_(rest)),
        select(literal("commune"), Commune.code, Commune.nom).where(Commune.code.in_(rest)),
        select(literal("commune"), ArrondissementMunicipal.code, ArrondissementMunicipal.nom).where(
            ArrondissementMunicipal.code.in_(rest)
        ),
    ]
    for statement in statements:
        for kind, code, nom in session.execute(statement):
            if code in known:
                continue
            territory = _territory(kind, code, nom)
            if kind == "commune":
                territory = Territory(code, nom, kind, f"{nom} ({code})")
            known[code] = territory
    return known


# Reminders -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    user_id: int
    email: str


def structure_admins(
    session: Session, structure_ids: Collection[str]
) -> dict[str, list[Recipient]]:
    """Verified admins of each structure (who receive the freshness reminders)."""
    from dora.accounts.models import Membership, Role, User

    if not structure_ids:
        return {}
    rows = session.execute(
        select(Membership.structure_id, User.id, User.email)
        .join(User, User.id == Membership.user_id)
        .where(
            Membership.structure_id.in_(list(structure_ids)),
            Membership.role == Role.ADMIN,
            User.email_verified_at.is_not(None),
        )
        .order_by(Membership.structure_id, User.id)
    )
    admins: dict[str, list[Recipient]] = {}
    for structure_id, user_id, email in rows:
        admins.setdefault(structure_id, []).append(Recipient(user_id, email))
    return admins


def notified(session: Session, periode: str) -> set[tuple[str, int]]:
    """(structure_id, user_id) already reminded for this period."""
    from dora.publishing.models import StaleNotification

    rows = session.execute(
        select(StaleNotification.structure_id, StaleNotification.user_id).where(
            StaleNotification.periode == periode
        )
    )
    return {(structure_id, user_id) for structure_id, user_id in rows}

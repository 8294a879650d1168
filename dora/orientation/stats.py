"""The numbers territories want, from referral facts only (no personal column is read, so
they survive the purge):

- **total**: referrals received (by a service, a structure, the services of a département) or
  sent (by a prescriber structure, the prescriber structures of a département);
- **acceptance rate**: accepted among closed referrals (accepted, refused, expired);
- **median time to first answer**: from sending to the receiving side's first decision or
  message, over the referrals that had one;
- **share unanswered after 8 days**: among referrals sent at least 8 days ago, those with no
  answer within their first 8 days.

Shown to structure admins on their structures and services, to territory managers on their
départements (staff: every département), and as counts in /api/v1/orientations/statistiques.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import Row, text
from sqlalchemy.orm import Session

from dora.accounts.models import User
from dora.accounts.permissions import is_staff, is_verified

UNANSWERED_DAYS = 8

_FIGURES = f"""
    count(*) AS total,
    count(*) FILTER (WHERE statut = 'acceptee') AS acceptees,
    count(*) FILTER (WHERE statut = 'refusee') AS refusees,
    count(*) FILTER (WHERE statut = 'expiree') AS expirees,
    count(*) FILTER (WHERE statut IN ('nouvelle', 'en-cours')) AS en_attente,
    percentile_cont(0.5) WITHIN GROUP (
        ORDER BY extract(epoch FROM first_answer_at - created_at)) AS median_seconds,
    count(*) FILTER (WHERE created_at <= now() - interval '{UNANSWERED_DAYS} days') AS mature,
    count(*) FILTER (
        WHERE created_at <= now() - interval '{UNANSWERED_DAYS} days'
          AND (first_answer_at IS NULL
               OR first_answer_at > created_at + interval '{UNANSWERED_DAYS} days')
    ) AS unanswered
"""


@dataclass(frozen=True)
class Figures:
    total: int = 0
    acceptees: int = 0
    refusees: int = 0
    expirees: int = 0
    en_attente: int = 0
    median_seconds: float | None = None
    mature: int = 0
    unanswered: int = 0

    @property
    def taux_acceptation(self) -> float | None:
        closed = self.acceptees + self.refusees + self.expirees
        return self.acceptees / closed if closed else None

    @property
    def delai_median_heures(self) -> float | None:
        return None if self.median_seconds is None else self.median_seconds / 3600

    @property
    def part_sans_reponse(self) -> float | None:
        return self.unanswered / self.mature if self.mature else None

    def to_json(self) -> dict:
        return {
            "total": self.total,
            "acceptees": self.acceptees,
            "refusees": self.refusees,
            "expirees": self.expirees,
            "en_attente": self.en_attente,
            "taux_acceptation": _round(self.taux_acceptation),
            "delai_median_premiere_reponse_heures": _round(self.delai_median_heures, 1),
            f"part_sans_reponse_{UNANSWERED_DAYS}_jours": _round(self.part_sans_reponse),
        }


def _round(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)


def _figures(row: Row) -> Figures:
    return Figures(
        total=row.total,
        acceptees=row.acceptees,
        refusees=row.refusees,
        expirees=row.expirees,
        en_attente=row.en_attente,
        median_seconds=float(row.median_seconds) if row.median_seconds is not None else None,
        mature=row.mature,
        unanswered=row.unanswered,
    )


def grouped(session: Session, key: str, where: str, params: dict) -> dict[str, Figures]:
    """Figures per value of the column `key` (one of ours), over the rows matching `where`."""
    rows = session.execute(
        text(f"SELECT {key} AS key, {_FIGURES} FROM orientation WHERE {where} GROUP BY {key}"),
        params,
    )
    return {row.key: _figures(row) for row in rows}


def total(session: Session, where: str = "true", params: dict | None = None) -> Figures:
    row = session.execute(
        text(f"SELECT {_FIGURES} FROM orientation WHERE {where}"), params or {}
    ).one()
    return _figures(row)


# Who sees what -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    structure_ids: tuple[str, ...] = ()  # structures the user administers
    departements: tuple[str, ...] = ()  # départements they manage
    everywhere: bool = False  # staff

    @property
    def empty(self) -> bool:
        return not (self.structure_ids or self.departements or self.everywhere)


def scope_of(user: User) -> Scope:
    if not is_verified(user):
        return Scope()
    return Scope(
        structure_ids=tuple(sorted(m.structure_id for m in user.memberships if m.is_admin)),
        departements=tuple(sorted(user.departement_codes)),
        everywhere=is_staff(user),
    )


@dataclass(frozen=True)
class ServiceLine:
    service_id: str
    nom: str
    recues: Figures


@dataclass(frozen=True)
class StructureReport:
    structure_id: str
    nom: str
    recues: Figures
    envoyees: Figures
    services: list[ServiceLine] = field(default_factory=list)


@dataclass(frozen=True)
class DepartementLine:
    code: str
    nom: str
    recues: Figures
    envoyees: Figures


@dataclass(frozen=True)
class Report:
    structures: list[StructureReport]
    departements: list[DepartementLine]
    france: Figures | None


def structure_reports(session: Session, structure_ids: Sequence[str]) -> list[StructureReport]:
    if not structure_ids:
        return []
    ids = {"ids": list(structure_ids)}
    received = grouped(session, "structure_id", "structure_id = ANY(:ids)", ids)
    sent = grouped(session, "prescriber_structure_id", "prescriber_structure_id = ANY(:ids)", ids)
    by_service = grouped(session, "service_id", "structure_id = ANY(:ids)", ids)
    services = session.execute(
        text(
            """SELECT s.id, s.nom, s.structure_id FROM service AS s
               WHERE s.structure_id = ANY(:ids) ORDER BY s.nom, s.id"""
        ),
        ids,
    ).all()
    names = dict(
        session.execute(text("SELECT id, nom FROM structure WHERE id = ANY(:ids)"), ids).all()
    )
    reports = []
    for structure_id in structure_ids:
        lines = [
            ServiceLine(s.id, s.nom, by_service.get(s.id, Figures()))
            for s in services
            if s.structure_id == structure_id
        ]
        reports.append(
            StructureReport(
                structure_id=structure_id,
                nom=names.get(structure_id, structure_id),
                recues=received.get(structure_id, Figures()),
                envoyees=sent.get(structure_id, Figures()),
                services=sorted(lines, key=lambda line: -line.recues.total),
            )
        )
    return sorted(reports, key=lambda r: r.nom.lower())


def departement_lines(session: Session, codes: Sequence[str] | None) -> list[DepartementLine]:
    """Per département (all of them when `codes` is None)."""
    if codes is None:
        where, params = "departement_code IS NOT NULL", {}
        sent_where = "prescriber_departement_code IS NOT NULL"
        names = dict(session.execute(text("SELECT code, nom FROM departement")).all())
    else:
        params = {"codes": list(codes)}
        where = "departement_code = ANY(:codes)"
        sent_where = "prescriber_departement_code = ANY(:codes)"
        names = dict(
            session.execute(
                text("SELECT code, nom FROM departement WHERE code = ANY(:codes)"), params
            ).all()
        )
    received = grouped(session, "departement_code", where, params)
    sent = grouped(session, "prescriber_departement_code", sent_where, params)
    wanted = sorted(codes) if codes is not None else sorted(set(received) | set(sent))
    return [
        DepartementLine(
            code=code,
            nom=names.get(code, code),
            recues=received.get(code, Figures()),
            envoyees=sent.get(code, Figures()),
        )
        for code in wanted
    ]


# The national view reads every referral (0.5 s at 100,000, see `dora bench
# orientation.statistics`): computed at most every five minutes per process; the open API
# answers it without an account.
NATIONAL_TTL_SECONDS = 300
_national: dict[str, tuple[float, tuple[Figures, list[DepartementLine]]]] = {}


def national(session: Session) -> tuple[Figures, list[DepartementLine]]:
    """France's figures and every département's, at most five minutes old."""
    now = time.monotonic()
    cached = _national.get("france")
    if cached and now - cached[0] < NATIONAL_TTL_SECONDS:
        return cached[1]
    value = (total(session), departement_lines(session, None))
    _national["france"] = (now, value)
    return value


def forget_national() -> None:
    _national.clear()


def report(session: Session, scope: Scope) -> Report:
    france, every_departement = national(session) if scope.everywhere else (None, [])
    departements = (
        every_departement
        if scope.everywhere
        else departement_lines(session, scope.departements)
        if scope.departements
        else []
    )
    return Report(
        structures=structure_reports(session, scope.structure_ids),
        departements=departements,
        france=france,
    )

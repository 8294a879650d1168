"""Demo referrals, so that `make run` shows the inboxes filled (`dora demo seed` calls
`seed`; `dora demo clear` calls `clear`).

Two demo accounts (verified; never created when DORA_ENV=production):
- a prescriber, member of a demo CCAS, who sent every referral;
- a member of the demo structure that has the most public services, which received most.
About thirty referrals in every status (new, in progress, accepted, refused, expired), with
their history; two go to a structure without members (the secret-link path). People are
invented, e-mail addresses use example.org, phone numbers the range kept for fiction. No
e-mail is sent. Idempotent: a second run finds the referrals and does nothing.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session

from dora.accounts import security
from dora.accounts.models import Membership, User
from dora.catalogue.models import Service
from dora.orientation import access, eligibility
from dora.orientation.models import (
    EventKind,
    MotifRefus,
    Orientation,
    OrientationEvent,
    Statut,
)
from dora.orientation.operations import departement_of

PRESCRIBER_EMAIL = "prescripteur.demo@example.org"
MEMBER_EMAIL = "accueil.demo@example.org"
PASSWORD = "demo-orientation-dora"
SEED = 11
PEOPLE = [
    ("Camille", "Martin"),
    ("Dominique", "Bernard"),
    ("Sacha", "Petit"),
    ("Alix", "Robert"),
    ("Noa", "Richard"),
    ("Yanis", "Durand"),
    ("Inès", "Moreau"),
    ("Lou", "Laurent"),
    ("Karim", "Simon"),
    ("Maëlle", "Michel"),
    ("Jordan", "Lefebvre"),
    ("Aïcha", "Garcia"),
]
SITUATIONS = [["jeunes"], ["demandeurs-emploi"], ["familles", "femmes"], ["seniors"], []]
MESSAGES = [
    "Sans véhicule depuis deux mois, elle doit rejoindre une formation à 15 km.",
    "Il cherche un accompagnement vers l’emploi après une longue maladie.",
    "Famille monoparentale, besoin d’une solution de garde pour reprendre un emploi.",
    "Souhaite être aidée pour ses démarches en ligne (CAF, France Travail).",
]
# (status, how many, age in days) — ages spread so that delays and reminders show.
PLAN = [
    (Statut.NOUVELLE, 6, (0, 6)),
    (Statut.EN_COURS, 6, (1, 12)),
    (Statut.ACCEPTEE, 8, (3, 60)),
    (Statut.REFUSEE, 5, (3, 60)),
    (Statut.EXPIREE, 3, (35, 70)),
]


@dataclass(frozen=True)
class DemoReport:
    created: int
    skipped: bool = False
    reason: str = ""

    def __str__(self) -> str:
        if self.reason:
            return f"Orientations de démonstration : {self.reason}"
        if self.skipped:
            return "Orientations de démonstration : déjà présentes."
        return (
            f"Orientations de démonstration : {self.created} créées. Comptes : {PRESCRIBER_EMAIL} "
            f"(prescripteur) et {MEMBER_EMAIL} (structure qui reçoit), mot de passe « {PASSWORD} »."
        )


def _user(session: Session, email: str, nom: str) -> User:
    user = session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(
            email=email,
            password_hash=security.hash_password(PASSWORD),
            nom_complet=nom,
            email_verified_at=datetime.now(UTC),
        )
        session.add(user)
        session.flush()
    return user


def _join(session: Session, user: User, structure_id: str, role: str) -> None:
    if user.role_in(structure_id) is None:
        session.add(Membership(user_id=user.id, structure_id=structure_id, role=role))
        session.flush()
        session.expire(user, ["memberships"])


def _pick(session: Session, sql: str, **params) -> str | None:
    return session.scalar(text(sql), params)


PUBLIC_DEMO_SERVICES = """
    FROM service AS s JOIN structure AS st ON st.id = s.structure_id
    WHERE s.source = 'dora-demo' AND s.statut = 'publie' AND st.moderation = 'validee'
      AND s.suspendu_du IS NULL
"""


def seed(session: Session) -> DemoReport:
    if current_app.config.get("DORA_ENV") == "production":
        return DemoReport(0, reason="pas de comptes de démonstration en production.")
    existing = session.scalar(select(User).where(User.email == PRESCRIBER_EMAIL))
    if existing is not None:
        if session.scalar(
            select(Orientation.id)
            .where(Orientation.prescriber_id == existing.id, Orientation.structure_id.is_not(None))
            .limit(1)
        ):
            return DemoReport(0, skipped=True)
        # The demo structures were deleted (seed --reset): start again.
        clear(session)
    # Eligibility is read from the search index: build what the services' bulk write queued
    # (the command would do it at its end, after us).
    from dora.extensions import db
    from dora.search import sync

    sync.build_pending(db.engine)
    receiving_id = _pick(
        session,
        f"SELECT s.structure_id {PUBLIC_DEMO_SERVICES} "
        "GROUP BY s.structure_id ORDER BY count(*) DESC, s.structure_id LIMIT 1",
    )
    if receiving_id is None:
        return DemoReport(0, reason="aucun service de démonstration (lancez d’abord le seed).")
    prescriber_structure_id = _pick(
        session,
        "SELECT id FROM structure WHERE source = 'dora-demo' AND nom ILIKE 'CCAS%' "
        "AND id <> :r ORDER BY id LIMIT 1",
        r=receiving_id,
    ) or _pick(
        session,
        "SELECT id FROM structure WHERE source = 'dora-demo' AND id <> :r ORDER BY id LIMIT 1",
        r=receiving_id,
    )
    orphan_service_id = _pick(
        session,
        f"SELECT s.id {PUBLIC_DEMO_SERVICES} AND s.courriel IS NOT NULL "
        "AND s.structure_id NOT IN (:r, :p) "
        "AND NOT EXISTS (SELECT 1 FROM structure_membership AS m "
        "WHERE m.structure_id = s.structure_id) "
        "ORDER BY s.id LIMIT 1",
        r=receiving_id,
        p=prescriber_structure_id,
    )
    prescriber = _user(session, PRESCRIBER_EMAIL, "Claire Prescriptrice")
    member = _user(session, MEMBER_EMAIL, "Alex Accueil")
    _join(session, prescriber, prescriber_structure_id, "membre")
    _join(session, member, receiving_id, "admin")
    services = list(
        session.scalars(
            select(Service)
            .where(Service.structure_id == receiving_id, Service.statut == "publie")
            .order_by(Service.id)
            .limit(6)
        )
    )
    orphan = session.get(Service, orphan_service_id) if orphan_service_id else None
    rng = random.Random(SEED)
    now = datetime.now(UTC)
    created = 0
    for statut, count, (youngest, oldest) in PLAN:
        for _ in range(count):
            service = services[created % len(services)]
            age = timedelta(days=rng.uniform(youngest, oldest))
            _referral(session, rng, service, prescriber, member, statut, now - age, now)
            created += 1
    if orphan is not None:
        for statut in (Statut.NOUVELLE, Statut.REFUSEE):
            _referral(session, rng, orphan, prescriber, None, statut, now - timedelta(days=2), now)
            created += 1
    session.flush()
    return DemoReport(created)


def _referral(
    session: Session,
    rng: random.Random,
    service: Service,
    prescriber: User,
    member: User | None,
    statut: Statut,
    sent_at: datetime,
    now: datetime,
) -> None:
    prenom, nom = rng.choice(PEOPLE)
    commune = service.code_insee or service.structure.code_insee or "93066"
    commune_nom = service.commune or service.structure.commune
    if rng.random() < 0.15:  # some live elsewhere: the « hors zone » case shows
        commune, commune_nom = "69123", "Lyon"
    prescriber_structure = prescriber.memberships[0].structure
    orientation = Orientation(
        submission_key=uuid.uuid4(),
        service_id=service.id,
        structure_id=service.structure_id,
        service_nom=service.nom,
        structure_nom=service.structure.nom,
        departement_code=departement_of(
            session, service.code_insee or service.structure.code_insee
        ),
        prescriber_id=prescriber.id,
        prescriber_structure_id=prescriber_structure.id,
        prescriber_departement_code=departement_of(session, prescriber_structure.code_insee),
        prescripteur_nom=prescriber.nom_complet,
        prescripteur_organisation=prescriber_structure.nom,
        personne_prenom=prenom,
        personne_nom=nom,
        personne_email=f"{_ascii(prenom)}.{_ascii(nom)}@example.org",
        personne_telephone=f"06 39 98 {rng.randrange(100):02d} {rng.randrange(100):02d}",
        personne_contact=["telephone"],
        personne_disponibilites=rng.choice(["Le matin", "En fin d’après-midi", None]),
        personne_commune_code=commune,
        personne_commune_nom=commune_nom,
        situation=rng.choice(SITUATIONS) or None,
        criteres=[{"libelle": "Résider dans le département", "rempli": True}],
        message=rng.choice(MESSAGES),
        consentement_at=sent_at,
        eligible=eligibility.is_eligible(session, service, commune),
        statut=statut,
        created_at=sent_at,
        status_changed_at=sent_at,
    )
    session.add(orientation)
    session.flush()
    actor = (
        f"{member.nom_complet} ({service.structure.nom})"
        if member
        else f"Lien sécurisé envoyé à {service.courriel}"
    )
    sender = f"{orientation.prescripteur_nom} ({orientation.prescripteur_organisation})"
    events = [(EventKind.CREATION, sent_at, Statut.NOUVELLE, prescriber, sender)]
    if member is None:
        _, orientation.token_hash = access.new_token()  # the token itself is not kept
        orientation.courriel_structure = service.courriel
        orientation.token_expires_at = sent_at + access.LINK_VALIDITY
    # An answer a few hours to days later, never in the future.
    answered = min(sent_at + timedelta(hours=rng.uniform(2, 90)), now - timedelta(minutes=20))
    answered = max(answered, sent_at + timedelta(minutes=90))
    if statut != Statut.NOUVELLE and statut != Statut.EXPIREE:
        events.append(
            (EventKind.OUVERTURE, answered - timedelta(hours=1), Statut.EN_COURS, member, actor)
        )
        orientation.status_changed_at = answered - timedelta(hours=1)
    if statut == Statut.ACCEPTEE:
        orientation.prochaine_etape = "Rendez-vous d’accueil avec une conseillère"
        orientation.date_rendez_vous = (answered + timedelta(days=7)).date()
        events.append((EventKind.ACCEPTATION, answered, statut, member, actor))
    elif statut == Statut.REFUSEE:
        orientation.motif_refus = rng.choice(list(MotifRefus)[:3]).value
        events.append((EventKind.REFUS, answered, statut, member, actor))
    elif statut == Statut.EXPIREE:
        answered = None
        expired_at = sent_at + timedelta(days=30)
        events.append((EventKind.EXPIRATION, expired_at, statut, None, "dora"))
        orientation.status_changed_at = expired_at
    if statut in (Statut.ACCEPTEE, Statut.REFUSEE):
        orientation.first_answer_at = orientation.decided_at = answered
        orientation.status_changed_at = answered
        orientation.decided_by_id = member.id if member else None
    for kind, at, after, user, label in events:
        session.add(
            OrientationEvent(
                orientation_id=orientation.id,
                at=at,
                kind=kind,
                actor_user_id=user.id if user else None,
                actor_label=label,
                statut=after,
            )
        )


def _ascii(name: str) -> str:
    import unicodedata

    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()


def clear(session: Session) -> int:
    """Delete the demo referrals and the two demo accounts."""
    users = select(User.id).where(User.email.in_([PRESCRIBER_EMAIL, MEMBER_EMAIL]))
    result = session.execute(delete(Orientation).where(Orientation.prescriber_id.in_(users)))
    session.execute(delete(User).where(User.email.in_([PRESCRIBER_EMAIL, MEMBER_EMAIL])))
    return result.rowcount or 0

"""Writes on referrals. They flush, never commit: the request (or the command) commits once,
and the e-mails queued here leave only then (dora.accounts.emails.send_after_commit).

Each change is recorded as an `OrientationEvent` (when, who, the status after), and every
read of personal data as an `OrientationAccess` row (`log_reads`).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import delete, insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dora.accounts.models import User
from dora.catalogue.models import Service
from dora.core.transactions import Refusal
from dora.orientation import access, eligibility, emails, queries, storage
from dora.orientation.access import Reader, Side
from dora.orientation.models import (
    OPEN_STATUTS,
    ContactPreference,
    Destinataire,
    EventKind,
    MotifRefus,
    Objet,
    Orientation,
    OrientationAccess,
    OrientationAttachment,
    OrientationEvent,
    Statut,
    Via,
)
from geodata import resolve

SYSTEM_LABEL = "dora"


class OrientationError(Refusal):
    """A refused change of a referral (French message, and the form field concerned)."""


def now() -> datetime:
    return datetime.now(UTC)


# Creation ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    prenom: str
    nom: str
    commune_code: str
    commune_nom: str
    email: str | None = None
    telephone: str | None = None
    contact: Sequence[str] = ()
    disponibilites: str | None = None


@dataclass(frozen=True)
class Prescriber:
    """Who sends, as they introduce themselves (their account gives the e-mail address)."""

    nom: str
    structure_id: str | None = None  # one of their structures, or None
    organisation: str | None = None  # required without a structure
    telephone: str | None = None


@dataclass(frozen=True)
class NewOrientation:
    submission_key: uuid.UUID
    person: Person
    prescriber: Prescriber
    message: str
    consent: bool
    situation: Sequence[str] = ()
    situation_autre: str | None = None
    # (condition as shown, met?) for each condition of the service.
    criteres: Sequence[tuple[str, bool]] = ()
    criteres_precisions: str | None = None
    files: Sequence[storage.CheckedFile] = field(default_factory=tuple)


def create(
    session: Session, user: User, service: Service, data: NewOrientation
) -> tuple[Orientation, bool]:
    """Send a referral; returns it and whether it is new (False: this form was already sent,
    the first referral is returned and nothing else is written)."""
    existing = queries.by_submission_key(session, data.submission_key)
    if existing is not None:
        return _same_sender(existing, user), False
    _check_new(session, user, service, data)
    receiving_members = queries.member_emails(session, service.structure_id)
    link_address = None if receiving_members else queries.contact_address(service)
    orientation = _build(session, user, service, data)
    try:
        with session.begin_nested():
            session.add(orientation)
            session.flush()
    except IntegrityError:
        # The same form sent twice at once: the other request's referral won.
        existing = queries.by_submission_key(session, data.submission_key)
        if existing is None:
            raise
        return _same_sender(existing, user), False
    _record(session, orientation, EventKind.CREATION, user, _prescriber_label(orientation))
    # Nothing can refuse any more: the files are written now (deleted again on rollback).
    for checked in data.files:
        session.add(
            OrientationAttachment(
                orientation_id=orientation.id,
                nom_fichier=checked.nom_fichier,
                content_type=checked.content_type,
                taille=len(checked.data),
                sha256=checked.sha256,
                storage_key=storage.write(session, checked),
            )
        )
    if receiving_members:
        for address in receiving_members:
            emails.new_for_member(orientation, address)
    else:
        token = _new_link(orientation, link_address)
        emails.new_with_link(orientation, token)
    if orientation.personne_email:
        emails.sent_to_person(orientation, service)
    session.flush()
    return orientation, True


def _same_sender(orientation: Orientation, user: User) -> Orientation:
    if orientation.prescriber_id != user.id:
        raise OrientationError("Ce formulaire a déjà été utilisé : rechargez la page.")
    return orientation


def _check_new(session: Session, user: User, service: Service, data: NewOrientation) -> None:
    if not service.is_public():
        raise OrientationError(
            "Ce service n’est plus proposé : il ne peut pas recevoir d’orientation."
        )
    if not data.consent:
        raise OrientationError(
            "Cochez cette case : la personne doit avoir accepté que ses informations soient "
            "transmises.",
            field="consentement",
        )
    if len(data.files) > storage.MAX_FILES:
        raise OrientationError(
            f"{storage.MAX_FILES} pièces jointes au plus.", field="pieces_jointes"
        )
    structure_id = data.prescriber.structure_id
    if structure_id and user.role_in(structure_id) is None:
        raise OrientationError(
            "Vous ne faites pas partie de cette structure.", field="prescripteur_structure"
        )
    if not structure_id and not (data.prescriber.organisation or "").strip():
        raise OrientationError(
            "Sans structure sur dora, indiquez votre organisation.",
            field="prescripteur_organisation",
        )
    if not queries.can_receive(session, service):
        raise OrientationError(
            "Ce service ne peut pas recevoir d’orientation sur dora : sa structure n’a ni "
            "membre ni adresse e-mail. Contactez-le directement."
        )


def departement_of(session: Session, code_insee: str | None) -> str | None:
    """The département of a commune (arrondissements and former codes accepted)."""
    codes = resolve.territory_codes(session, code_insee) if code_insee else None
    return codes.departement if codes else None


def _build(session: Session, user: User, service: Service, data: NewOrientation) -> Orientation:
    person, prescriber = data.person, data.prescriber
    prescriber_structure = (
        queries.structure(session, prescriber.structure_id) if prescriber.structure_id else None
    )
    at = now()
    return Orientation(
        submission_key=data.submission_key,
        service_id=service.id,
        structure_id=service.structure_id,
        service_nom=service.nom,
        structure_nom=service.structure.nom,
        departement_code=departement_of(
            session, service.code_insee or service.structure.code_insee
        ),
        prescriber_id=user.id,
        prescriber_structure_id=prescriber_structure.id if prescriber_structure else None,
        prescriber_departement_code=(
            departement_of(session, prescriber_structure.code_insee)
            if prescriber_structure
            else None
        ),
        prescripteur_nom=prescriber.nom.strip(),
        prescripteur_organisation=(
            prescriber_structure.nom
            if prescriber_structure
            else (prescriber.organisation or "").strip()
        ),
        prescripteur_telephone=_blank_none(prescriber.telephone),
        personne_prenom=person.prenom.strip(),
        personne_nom=person.nom.strip(),
        personne_email=_blank_none(person.email),
        personne_telephone=_blank_none(person.telephone),
        personne_contact=[ContactPreference(c).value for c in person.contact] or None,
        personne_disponibilites=_blank_none(person.disponibilites),
        personne_commune_code=person.commune_code,
        personne_commune_nom=person.commune_nom,
        situation=sorted(set(data.situation)) or None,
        situation_autre=_blank_none(data.situation_autre),
        criteres=[{"libelle": label, "rempli": bool(met)} for label, met in data.criteres] or None,
        criteres_precisions=_blank_none(data.criteres_precisions),
        message=data.message.strip(),
        consentement_at=at,
        eligible=eligibility.is_eligible(session, service, person.commune_code),
        statut=Statut.NOUVELLE,
        created_at=at,
        status_changed_at=at,
    )


def _blank_none(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _new_link(orientation: Orientation, address: str | None) -> str:
    if not address:  # can_receive said there is one
        raise OrientationError("Aucune adresse où envoyer le lien sécurisé.")
    token, token_hash = access.new_token()
    orientation.courriel_structure = address
    orientation.token_hash = token_hash
    orientation.token_expires_at = now() + access.LINK_VALIDITY
    return token


# Events and reads -----------------------------------------------------------------------------


def _prescriber_label(orientation: Orientation) -> str:
    if orientation.prescripteur_organisation:
        return f"{orientation.prescripteur_nom} ({orientation.prescripteur_organisation})"
    return orientation.prescripteur_nom or "Prescripteur"


def reader_label(orientation: Orientation, reader: Reader) -> str:
    """Who acted, in words, for the history."""
    if reader.via == Via.LIEN:
        return f"Lien sécurisé envoyé à {orientation.courriel_structure}"
    assert reader.user is not None
    if reader.side == Side.STRUCTURE:
        return f"{reader.user.display_name} ({orientation.structure_nom})"
    return _prescriber_label(orientation)


def _record(
    session: Session,
    orientation: Orientation,
    kind: EventKind,
    user: User | None,
    label: str,
    *,
    destinataire: str | None = None,
    contenu: str | None = None,
) -> OrientationEvent:
    event = OrientationEvent(
        orientation_id=orientation.id,
        at=now(),
        kind=kind,
        actor_user_id=user.id if user else None,
        actor_label=label,
        statut=orientation.statut,
        destinataire=destinataire,
        contenu=contenu,
    )
    session.add(event)
    return event


def _lock(session: Session, orientation: Orientation) -> None:
    """Re-read the referral under a row lock: of two answers at once, the second sees the
    first (and is refused) instead of overwriting it."""
    session.refresh(orientation, with_for_update=True)


def _set_statut(orientation: Orientation, statut: Statut) -> None:
    orientation.statut = statut
    orientation.status_changed_at = now()


def log_reads(
    session: Session,
    orientation_ids: Sequence[int],
    reader_via: Via,
    user_id: int | None,
    objet: Objet,
) -> None:
    """One access row per referral whose personal data were shown (one statement)."""
    if not orientation_ids:
        return
    at = now()
    session.execute(
        insert(OrientationAccess),
        [
            {"orientation_id": oid, "at": at, "user_id": user_id, "via": reader_via, "objet": objet}
            for oid in orientation_ids
        ],
    )


def open_by(session: Session, orientation: Orientation, reader: Reader) -> None:
    """The referral is shown to `reader`: logged; a first look by the structure moves it from
    « nouvelle » to « en cours » (the prescriber is told)."""
    if not orientation.is_purged:
        log_reads(session, [orientation.id], reader.via, reader.user_id, Objet.FICHE)
    if reader.side == Side.STRUCTURE and orientation.statut == Statut.NOUVELLE:
        _lock(session, orientation)
    if reader.side == Side.STRUCTURE and orientation.statut == Statut.NOUVELLE:
        _set_statut(orientation, Statut.EN_COURS)
        _record(
            session,
            orientation,
            EventKind.OUVERTURE,
            reader.user,
            reader_label(orientation, reader),
        )
        emails.status_to_prescriber(orientation)
    session.flush()


# Answers of the receiving structure -----------------------------------------------------------


def _check_can_answer(orientation: Orientation, reader: Reader) -> None:
    if reader.side != Side.STRUCTURE:
        raise OrientationError("Seule la structure qui reçoit l’orientation peut y répondre.")
    if orientation.is_purged:
        raise OrientationError("Le contenu de cette orientation a été effacé.")


def _check_open(orientation: Orientation) -> None:
    if orientation.statut not in OPEN_STATUTS:
        raise OrientationError("Cette orientation a déjà reçu une réponse (ou a expiré).")


def _answered(orientation: Orientation) -> None:
    if orientation.first_answer_at is None:
        orientation.first_answer_at = now()


def accept(
    session: Session,
    orientation: Orientation,
    reader: Reader,
    prochaine_etape: str,
    date_rendez_vous: date | None,
) -> None:
    _lock(session, orientation)
    _check_can_answer(orientation, reader)
    _check_open(orientation)
    prochaine_etape = (prochaine_etape or "").strip()
    if not prochaine_etape:
        raise OrientationError(
            "Indiquez la prochaine étape pour la personne.", field="prochaine_etape"
        )
    if date_rendez_vous is not None and date_rendez_vous < now().date():
        raise OrientationError("Cette date est passée.", field="date_rendez_vous")
    _set_statut(orientation, Statut.ACCEPTEE)
    _answered(orientation)
    orientation.decided_at = now()
    orientation.decided_by_id = reader.user_id
    orientation.prochaine_etape = prochaine_etape
    orientation.date_rendez_vous = date_rendez_vous
    _record(
        session, orientation, EventKind.ACCEPTATION, reader.user, reader_label(orientation, reader)
    )
    emails.status_to_prescriber(orientation)
    if orientation.personne_email:
        emails.accepted_to_person(orientation, queries.service_of(session, orientation))
    session.flush()


def refuse(
    session: Session,
    orientation: Orientation,
    reader: Reader,
    motif: str,
    precision: str | None,
) -> None:
    _lock(session, orientation)
    _check_can_answer(orientation, reader)
    _check_open(orientation)
    try:
        motif = MotifRefus(motif)
    except ValueError:
        raise OrientationError("Choisissez un motif de refus.", field="motif") from None
    precision = _blank_none(precision)
    if motif == MotifRefus.AUTRE and not precision:
        raise OrientationError("Précisez le motif du refus.", field="precision")
    _set_statut(orientation, Statut.REFUSEE)
    _answered(orientation)
    orientation.decided_at = now()
    orientation.decided_by_id = reader.user_id
    orientation.motif_refus = motif
    orientation.motif_refus_precision = precision
    _record(session, orientation, EventKind.REFUS, reader.user, reader_label(orientation, reader))
    emails.status_to_prescriber(orientation)
    session.flush()


def write_message(
    session: Session, orientation: Orientation, reader: Reader, destinataire: str, texte: str
) -> None:
    """The structure writes to the prescriber or to the person (by e-mail, kept in the
    history)."""
    _lock(session, orientation)
    _check_can_answer(orientation, reader)
    try:
        destinataire = Destinataire(destinataire)
    except ValueError:
        raise OrientationError("Choisissez à qui écrire.", field="destinataire") from None
    texte = (texte or "").strip()
    if not texte:
        raise OrientationError("Écrivez votre message.", field="texte")
    if destinataire == Destinataire.PERSONNE and not orientation.personne_email:
        raise OrientationError(
            "La personne n’a pas donné d’adresse e-mail : appelez-la, ou écrivez au prescripteur.",
            field="destinataire",
        )
    if destinataire == Destinataire.PRESCRIPTEUR and queries.prescriber_email(orientation) is None:
        raise OrientationError("Le compte du prescripteur n’existe plus.", field="destinataire")
    _answered(orientation)
    if orientation.statut == Statut.NOUVELLE:
        _set_statut(orientation, Statut.EN_COURS)
    _record(
        session,
        orientation,
        EventKind.MESSAGE,
        reader.user,
        reader_label(orientation, reader),
        destinataire=destinataire,
        contenu=texte,
    )
    reply_to = reader.user.email if reader.user else orientation.courriel_structure
    emails.message(
        orientation, destinataire, texte, reply_to, queries.service_of(session, orientation)
    )
    session.flush()


# The secret link ------------------------------------------------------------------------------


def renew_link(session: Session, orientation: Orientation) -> None:
    """A fresh link to the structure's address (the old one dies). Asked from an expired link:
    whoever asks, the link goes only to the address the referral was sent to."""
    _lock(session, orientation)
    if orientation.courriel_structure is None or orientation.is_purged:
        raise OrientationError("Cette orientation n’a pas de lien sécurisé à renouveler.")
    if not orientation.is_open:
        raise OrientationError("Cette orientation est close : son lien n’est plus renouvelé.")
    token = _new_link(orientation, orientation.courriel_structure)
    _record(session, orientation, EventKind.LIEN_RENOUVELE, None, SYSTEM_LABEL)
    emails.new_with_link(orientation, token, renewed=True)
    session.flush()


# Scheduled: reminders, expiry, purge -----------------------------------------------------------


def remind(session: Session, orientation: Orientation) -> bool:
    """Remind the receiving structure of an unanswered referral (once). False when there was
    nothing to do."""
    _lock(session, orientation)
    if not orientation.is_open or orientation.reminded_at is not None:
        return False
    members = queries.member_emails(session, orientation.structure_id)
    if not members and not orientation.courriel_structure:
        return False  # nobody left to remind (members gone): it will expire, its prescriber told
    orientation.reminded_at = now()
    _record(session, orientation, EventKind.RELANCE, None, SYSTEM_LABEL)
    if members:
        for address in members:
            emails.reminder(orientation, address, token=None)
    elif orientation.courriel_structure:
        # The first link may have expired: the reminder carries a fresh one.
        token = _new_link(orientation, orientation.courriel_structure)
        emails.reminder(orientation, orientation.courriel_structure, token=token)
    session.flush()
    return True


def expire(session: Session, orientation: Orientation) -> bool:
    """No decision in time: the referral closes and the prescriber is told. False when it
    was answered meanwhile."""
    _lock(session, orientation)
    if not orientation.is_open:
        return False
    _set_statut(orientation, Statut.EXPIREE)
    # A link to a closed referral has nothing left to do.
    orientation.token_expires_at = None
    _record(session, orientation, EventKind.EXPIRATION, None, SYSTEM_LABEL)
    emails.status_to_prescriber(orientation)
    session.flush()
    return True


PERSONAL_COLUMNS = (
    "prescripteur_nom",
    "prescripteur_organisation",
    "prescripteur_telephone",
    "personne_prenom",
    "personne_nom",
    "personne_email",
    "personne_telephone",
    "personne_contact",
    "personne_disponibilites",
    "personne_commune_code",
    "personne_commune_nom",
    "situation",
    "situation_autre",
    "criteres",
    "criteres_precisions",
    "message",
    "prochaine_etape",
    "date_rendez_vous",
    "motif_refus_precision",
    "courriel_structure",
    "token_hash",
    "token_expires_at",
)


def purge(session: Session, orientation: Orientation) -> list[str]:
    """Erase the referral's personal data (keeps status, dates, codes: the counts). Returns
    the storage keys of its files, to delete once this is committed."""
    if orientation.is_purged:
        return []
    for column in PERSONAL_COLUMNS:
        setattr(orientation, column, None)
    keys = [attachment.storage_key for attachment in orientation.attachments]
    orientation.attachments.clear()
    for event in orientation.events:
        event.contenu = None
    orientation.purged_at = now()
    _record(session, orientation, EventKind.EFFACEMENT, None, SYSTEM_LABEL)
    session.flush()
    return keys


def delete_access_log_before(session: Session, cutoff: datetime) -> int:
    """Reads logged before `cutoff` (ORIENTATION_ACCESS_LOG_DAYS) are forgotten."""
    result = session.execute(delete(OrientationAccess).where(OrientationAccess.at < cutoff))
    return result.rowcount or 0

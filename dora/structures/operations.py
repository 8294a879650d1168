"""Writes on structures, memberships, join requests, invitations and moderation.

They flush, never commit; e-mails are queued to leave after the commit. Callers check the
permission (dora.accounts.permissions) before calling; operations check the domain rules
(the last admin stays, one open request per person, …) and raise OperationError.
"""

from __future__ import annotations

import uuid
from datetime import date

from flask import url_for
from geoalchemy2.elements import WKTElement
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dora.accounts import emails, security
from dora.accounts.models import (
    ROLE_LABELS,
    Invitation,
    JoinRequest,
    Membership,
    RequestStatus,
    Role,
    StructureModerationEvent,
    User,
)
from dora.accounts.operations import OperationError, normalise_email, now
from dora.catalogue.models import Moderation, Structure
from dora.structures import queries
from dora.structures.siret import InvalidSiret, clean_siret
from geodata import resolve

STRUCTURE_SOURCE = "dora"
EDITABLE_FIELDS = (
    "nom",
    "description",
    "adresse",
    "complement_adresse",
    "telephone",
    "courriel",
    "site_web",
)


# Structures -------------------------------------------------------------------------------


def check_siret(session: Session, raw: str, *, exclude_id: str | None = None) -> str:
    try:
        value = clean_siret(raw)
    except InvalidSiret as error:
        raise OperationError(str(error), field="siret") from None
    existing = queries.structure_by_siret(session, value)
    if existing is not None and existing.id != exclude_id:
        raise OperationError(
            f"La structure « {existing.nom} » a déjà ce SIRET sur dora : demandez plutôt à la "
            "rejoindre.",
            field="siret",
        )
    return value


def resolve_commune(
    session: Session, code_postal: str, commune: str, code_insee: str | None = None
) -> tuple[resolve.Commune, resolve.Location]:
    """The commune and point of an address (code postal + commune, or the picked INSEE code).

    The commune is resolved as everywhere (geodata.resolve.resolve_typed_commune); an
    address also needs its postal code to be one of that commune's."""
    code_postal = (code_postal or "").replace(" ", "")
    if not code_postal.isdigit() or len(code_postal) != 5:
        raise OperationError("Le code postal compte 5 chiffres (ex. 93200).", field="code_postal")
    resolved = resolve.resolve_typed_commune(
        session, commune, code_postal=code_postal, code_insee=code_insee
    )
    found = resolved.commune
    if found is None:
        raise OperationError(
            resolved.message or f"Commune introuvable : « {commune} ».", field="commune"
        )
    # The point: in Paris, Lyon and Marseille the postal code tells the arrondissement.
    location = resolve.locate(session, code_postal=code_postal, commune=found.nom)
    if location is None or location.code_insee != found.code:
        if not code_insee and code_postal not in found.codes_postaux:
            there = resolve.resolve_typed_commune(session, "", code_postal=code_postal).likeliest
            hint = f" Vouliez-vous dire « {there.nom} » ?" if there else ""
            raise OperationError(
                f"« {commune} » n’est pas une commune du code postal {code_postal}.{hint}",
                field="commune",
            )
        location = resolve.locate(session, code_insee=found.code)
    assert location is not None
    return found, location


def _place(structure: Structure, commune: resolve.Commune, location: resolve.Location) -> None:
    structure.commune = commune.nom
    structure.code_insee = commune.code
    structure.location = WKTElement(f"POINT({location.longitude} {location.latitude})", srid=4326)
    structure.location_precision = location.precision


def create_structure(
    session: Session,
    creator: User,
    *,
    nom: str,
    siret: str,
    code_postal: str,
    commune: str,
    code_insee: str | None = None,
    **fields: str | None,
) -> Structure:
    """A new structure waiting for moderation, with its creator as admin."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unexpected fields: {sorted(unknown)}")
    nom = (nom or "").strip()
    if not nom:
        raise OperationError("Indiquez le nom de la structure.", field="nom")
    siret_value = check_siret(session, siret)
    found, location = resolve_commune(session, code_postal, commune, code_insee)
    structure = Structure(
        id=str(uuid.uuid4()),
        source=STRUCTURE_SOURCE,
        nom=nom,
        siret=siret_value,
        date_maj=date.today(),
        code_postal=code_postal.replace(" ", ""),
        moderation=Moderation.EN_ATTENTE,
        **{key: (value or "").strip() or None for key, value in fields.items()},
    )
    _place(structure, found, location)
    session.add(structure)
    session.flush()
    session.add(Membership(user_id=creator.id, structure_id=structure.id, role=Role.ADMIN))
    session.add(
        StructureModerationEvent(
            structure_id=structure.id, decision=Moderation.EN_ATTENTE, decided_by_id=creator.id
        )
    )
    session.flush()
    session.expire(creator, ["memberships"])
    _notify_moderators(session, structure, "accounts/emails/structure_to_moderate.txt")
    return structure


def update_structure(
    session: Session,
    structure: Structure,
    *,
    code_postal: str,
    commune: str,
    code_insee: str | None = None,
    **fields: str | None,
) -> Structure:
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unexpected fields: {sorted(unknown)}")
    if "nom" in fields and not (fields["nom"] or "").strip():
        raise OperationError("Indiquez le nom de la structure.", field="nom")
    found, location = resolve_commune(session, code_postal, commune, code_insee)
    for key, value in fields.items():
        setattr(structure, key, (value or "").strip() or None)
    structure.code_postal = code_postal.replace(" ", "")
    if found.code != structure.code_insee:
        _place(structure, found, location)
    structure.date_maj = date.today()
    session.flush()
    return structure


# Join requests ----------------------------------------------------------------------------


def request_join(
    session: Session, user: User, structure: Structure, message: str = ""
) -> JoinRequest:
    if user.role_in(structure.id) is not None:
        raise OperationError("Vous êtes déjà membre de cette structure.")
    if queries.open_join_request(session, user.id, structure.id) is not None:
        raise OperationError("Votre demande pour cette structure attend déjà une réponse.")
    join_request = JoinRequest(
        user_id=user.id, structure_id=structure.id, message=(message or "").strip() or None
    )
    session.add(join_request)
    session.flush()
    recipients = queries.admin_emails(session, structure.id)
    if not recipients:  # nobody in the structure yet: its moderators let people in
        recipients = queries.moderator_emails(session, structure)
    for address in recipients:
        emails.send_after_commit(
            emails.build(
                address,
                f"Demande pour rejoindre {structure.nom} sur dora",
                "accounts/emails/join_request.txt",
                structure=structure,
                requester=user,
                message=join_request.message,
                url=url_for(
                    "structures.structure_dashboard", structure_id=structure.id, _external=True
                ),
            )
        )
    return join_request


def cancel_join_request(session: Session, join_request: JoinRequest) -> None:
    _require_open(join_request.statut)
    join_request.statut = RequestStatus.ANNULEE
    join_request.decided_at = now()
    session.flush()


def decide_join_request(
    session: Session, actor: User, join_request: JoinRequest, *, accept: bool
) -> Membership | None:
    """Accept (the requester becomes a member, or admin if the structure has none) or refuse."""
    _require_open(join_request.statut)
    join_request.statut = RequestStatus.ACCEPTEE if accept else RequestStatus.REFUSEE
    join_request.decided_at = now()
    join_request.decided_by_id = actor.id
    structure = join_request.structure
    membership = None
    if accept:
        role = Role.ADMIN if not queries.admin_memberships(session, structure.id) else Role.MEMBRE
        membership = _add_member(session, join_request.user, structure, role)
    session.flush()
    emails.send_after_commit(
        emails.build(
            join_request.user.email,
            f"Votre demande pour rejoindre {structure.nom}",
            "accounts/emails/join_request_decision.txt",
            structure=structure,
            accepted=accept,
            role=ROLE_LABELS[Role(membership.role)] if membership else None,
            url=url_for("accounts.dashboard", _external=True),
        )
    )
    return membership


def _require_open(statut: str) -> None:
    if statut != RequestStatus.EN_ATTENTE:
        raise OperationError("Cette demande a déjà reçu une réponse.")


def _add_member(session: Session, user: User, structure: Structure, role: Role) -> Membership:
    existing = session.scalar(
        select(Membership).where(
            Membership.user_id == user.id, Membership.structure_id == structure.id
        )
    )
    if existing is not None:
        if role == Role.ADMIN:
            existing.role = Role.ADMIN
        return existing
    membership = Membership(user_id=user.id, structure_id=structure.id, role=role)
    session.add(membership)
    session.flush()
    session.expire(user, ["memberships"])
    # A pending request of the same person is answered by this membership.
    pending = queries.open_join_request(session, user.id, structure.id)
    if pending is not None:
        pending.statut = RequestStatus.ACCEPTEE
        pending.decided_at = now()
    return membership


# Invitations ------------------------------------------------------------------------------


def invite(
    session: Session, actor: User, structure: Structure, email: str, role: str = Role.MEMBRE
) -> Invitation:
    """Invite an address (it may have no account yet); inviting again re-sends the link."""
    address = normalise_email(email)
    try:
        role = Role(role)
    except ValueError:
        raise OperationError(
            "Rôle inconnu : choisissez Membre ou Administrateur·rice.", field="role"
        ) from None
    if address in queries.member_emails(session, structure.id):
        raise OperationError(f"{address} est déjà membre de la structure.", field="email")
    invitation = queries.open_invitation(session, structure.id, address)
    if invitation is None:
        invitation = Invitation(
            structure_id=structure.id, email=address, role=role, invited_by_id=actor.id
        )
        session.add(invitation)
    else:
        invitation.role = role
        invitation.invited_by_id = actor.id
        invitation.created_at = now()
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:  # the same invitation created at the same time: one is enough
        raise OperationError(f"{address} vient d’être invité·e.", field="email") from None
    token = security.make_token("invitation", {"i": invitation.id, "e": address})
    emails.send_after_commit(
        emails.build(
            address,
            f"Invitation à rejoindre {structure.nom} sur dora",
            "accounts/emails/invitation.txt",
            structure=structure,
            inviter=actor,
            role=ROLE_LABELS[role],
            url=url_for("structures.invitation", token=token, _external=True),
            days=security.INVITATION_MAX_AGE // 86400,
        )
    )
    return invitation


def invitation_from_token(session: Session, token: str) -> Invitation:
    """The open invitation of a link (raises security.InvalidLink otherwise)."""
    payload = security.read_token("invitation", token, security.INVITATION_MAX_AGE)
    invitation_id = payload.get("i")
    invitation = session.get(Invitation, invitation_id) if isinstance(invitation_id, int) else None
    if (
        invitation is None
        or invitation.email != payload.get("e")
        or invitation.statut != RequestStatus.EN_ATTENTE
    ):
        raise security.InvalidLink()
    return invitation


def accept_invitation(session: Session, user: User, invitation: Invitation) -> Membership:
    if invitation.statut != RequestStatus.EN_ATTENTE:
        raise OperationError("Cette invitation a déjà servi ou a été annulée.")
    if user.email != invitation.email:
        raise OperationError(
            f"Cette invitation est adressée à {invitation.email} : connectez-vous avec ce compte."
        )
    invitation.statut = RequestStatus.ACCEPTEE
    invitation.decided_at = now()
    membership = _add_member(session, user, invitation.structure, Role(invitation.role))
    session.flush()
    return membership


def register_from_invitation(
    session: Session, invitation: Invitation, password: str, nom_complet: str | None
) -> User:
    """An account for the invited address, verified (the link came to it), and the membership."""
    from dora.accounts.operations import create_user

    user = create_user(session, invitation.email, password, nom_complet=nom_complet, verified=True)
    accept_invitation(session, user, invitation)
    return user


def cancel_invitation(session: Session, invitation: Invitation) -> None:
    _require_open(invitation.statut)
    invitation.statut = RequestStatus.ANNULEE
    invitation.decided_at = now()
    session.flush()


# Members ----------------------------------------------------------------------------------


def _lock_admins(session: Session, structure_id: str) -> list[Membership]:
    # Locked so that two admins demoting each other at once cannot leave the structure without
    # any: the second transaction waits, then sees one admin left.
    return list(
        session.scalars(
            select(Membership)
            .where(Membership.structure_id == structure_id, Membership.role == Role.ADMIN)
            .order_by(Membership.id)
            .with_for_update()
        )
    )


LAST_ADMIN = (
    "{who} le ou la seule administrateur·rice de la structure : nommez d’abord un autre "
    "administrateur·rice."
)


def change_role(session: Session, membership: Membership, role: str) -> Membership:
    try:
        new_role = Role(role)
    except ValueError:
        raise OperationError(
            "Rôle inconnu : choisissez Membre ou Administrateur·rice.", field="role"
        ) from None
    if new_role == Role.MEMBRE and membership.role == Role.ADMIN:
        admins = _lock_admins(session, membership.structure_id)
        if [m.id for m in admins] == [membership.id]:
            raise OperationError(LAST_ADMIN.format(who=f"{membership.user.display_name} est"))
    membership.role = new_role
    session.flush()
    return membership


def remove_member(session: Session, membership: Membership, *, leaving: bool = False) -> None:
    if membership.role == Role.ADMIN:
        admins = _lock_admins(session, membership.structure_id)
        if [m.id for m in admins] == [membership.id]:
            who = "Vous êtes" if leaving else f"{membership.user.display_name} est"
            raise OperationError(LAST_ADMIN.format(who=who))
    user = membership.user
    session.delete(membership)
    session.flush()
    session.expire(user, ["memberships"])


# Moderation -------------------------------------------------------------------------------


def moderate(
    session: Session, actor: User, structure: Structure, decision: str, motif: str = ""
) -> StructureModerationEvent:
    """Validate or refuse a structure (a reason is required to refuse); admins are told."""
    if decision not in (Moderation.VALIDEE, Moderation.REFUSEE):
        raise OperationError("Choisissez « Valider » ou « Refuser ».", field="decision")
    motif = (motif or "").strip()
    if decision == Moderation.REFUSEE and not motif:
        raise OperationError(
            "Indiquez le motif du refus : il est envoyé aux administrateurs de la structure.",
            field="motif",
        )
    session.refresh(structure, with_for_update=True)
    structure.moderation = decision
    structure.moderation_motif = motif or None
    event = StructureModerationEvent(
        structure_id=structure.id, decision=decision, motif=motif or None, decided_by_id=actor.id
    )
    session.add(event)
    session.flush()
    for address in queries.admin_emails(session, structure.id):
        emails.send_after_commit(
            emails.build(
                address,
                f"{structure.nom} : "
                + ("structure validée" if decision == Moderation.VALIDEE else "structure refusée"),
                "accounts/emails/moderation_decision.txt",
                structure=structure,
                validated=decision == Moderation.VALIDEE,
                motif=motif,
                url=url_for(
                    "structures.structure_dashboard", structure_id=structure.id, _external=True
                ),
            )
        )
    return event


def resubmit(session: Session, actor: User, structure: Structure) -> None:
    """A refused structure, corrected by its admins, goes back to the moderation queue."""
    if structure.moderation != Moderation.REFUSEE:
        raise OperationError("Seule une structure refusée peut être soumise à nouveau.")
    structure.moderation = Moderation.EN_ATTENTE
    session.add(
        StructureModerationEvent(
            structure_id=structure.id, decision=Moderation.EN_ATTENTE, decided_by_id=actor.id
        )
    )
    session.flush()
    _notify_moderators(session, structure, "accounts/emails/structure_to_moderate.txt")


def _notify_moderators(session: Session, structure: Structure, template: str) -> None:
    for address in queries.moderator_emails(session, structure):
        emails.send_after_commit(
            emails.build(
                address,
                f"Structure à valider : {structure.nom}",
                template,
                structure=structure,
                url=url_for(
                    "structures.moderation_detail", structure_id=structure.id, _external=True
                ),
            )
        )

"""Writes of the publishing side. Each operation flushes and never commits: the request or
the CLI command commits once. Every change of a service is written to its history.

Search needs nothing from here: the search feature's outbox captures catalogue writes in
the same transaction (database triggers on `service`).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from geoalchemy2.elements import WKTElement
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from dora import vocabulary
from dora.catalogue.models import Moderation, Service, Statut, Structure
from dora.core.transactions import Refusal
from dora.publishing import fields, queries
from dora.publishing.models import Action, ServiceChange
from geodata import resolve

SOURCE = "dora"
MAX_NAME_LENGTH = 150


class PublishingError(Refusal):
    """An operation refused for a reason the user can act on (French message)."""


class NotPublishable(PublishingError):
    """Fields that a published service needs are missing: `missing` is [(field, message)]."""

    def __init__(self, missing: list[tuple[str, str]]) -> None:
        super().__init__(
            "Pour publier ce service, complétez : "
            + " ; ".join(message for _, message in missing)
            + "."
        )
        self.missing = missing


class StructureNotValidated(PublishingError):
    pass


class InvalidTransition(PublishingError):
    pass


class ConcurrentChange(PublishingError):
    """Someone saved the service between our read and our write (status actions)."""


@dataclass
class EditConflict(Exception):
    """The service changed since the form was loaded: nothing was saved.

    `base` is the service as the form was loaded (rebuilt from the history), `theirs` as
    it is now in the database, `yours` as submitted. `changes` are the history rows in between.
    """

    service: Service
    base_version: int
    base: dict[str, Any]
    theirs: dict[str, Any]
    yours: dict[str, Any]
    changes: list[ServiceChange] = field(default_factory=list)
    # False when some versions in between are not in the history (an import): then no
    # side can be presumed unchanged and every differing field needs an explicit choice.
    complete_history: bool = True

    @property
    def changed_by_them(self) -> set[str]:
        return {f for f in fields.EDITABLE_FIELDS if self.base.get(f) != self.theirs.get(f)}

    @property
    def changed_by_you(self) -> set[str]:
        return {f for f in fields.EDITABLE_FIELDS if self.base.get(f) != self.yours.get(f)}

    @property
    def differing(self) -> list[str]:
        """Fields whose saved value and submitted value differ, in form order."""
        return [f for f in fields.EDITABLE_FIELDS if self.theirs.get(f) != self.yours.get(f)]

    def default_choice(self, name: str) -> str | None:
        """'leur' or 'mien' when only one side changed the field; None when both did."""
        if not self.complete_history:
            return None
        mine, theirs = name in self.changed_by_you, name in self.changed_by_them
        if mine and not theirs:
            return "mien"
        if theirs and not mine:
            return "leur"
        return None


@dataclass(frozen=True)
class Author:
    """Who makes a change: their account id (None for the CLI) and how to name them."""

    user_id: int | None
    label: str


# Publication rules -------------------------------------------------------------------------


def missing_for_publication(values: Mapping[str, Any]) -> list[tuple[str, str]]:
    """What a service (in snapshot form) lacks to be published: [(field, message)].

    A published service must be usable by a professional: a name, a description, what it is
    about (thématiques), for whom (publics), how to mobilise it (with the contact each mode
    needs), where (an address for an on-site service, or remote) and for which territory.
    """
    missing: list[tuple[str, str]] = []

    def need(name: str, message: str) -> None:
        if not values.get(name):
            missing.append((name, message))

    need("nom", "le nom du service")
    need("description", "la description")
    need("thematiques", "au moins une thématique")
    need("publics", "au moins un public")
    need("modes_mobilisation", "au moins un mode de mobilisation (comment mobiliser le service)")
    modes = values.get("modes_mobilisation") or []
    if "envoyer-un-courriel" in modes:
        need("courriel", "le courriel (mode de mobilisation « Envoyer un courriel »)")
    if "telephoner" in modes:
        need("telephone", "le téléphone (mode de mobilisation « Téléphoner »)")
    if "utiliser-lien-mobilisation" in modes:
        need(
            "lien_mobilisation",
            "le lien de mobilisation (mode « Utiliser le lien de mobilisation »)",
        )
    accueil = values.get("modes_accueil") or []
    if not accueil:
        missing.append(
            ("modes_accueil", "le mode d’accueil : en présentiel (avec une adresse) ou à distance")
        )
    elif vocabulary.EN_PRESENTIEL in accueil and not values.get("code_insee"):
        missing.append(("commune", "la commune du lieu d’accueil (service en présentiel)"))
    need("zone_eligibilite", "la zone d’éligibilité (communes, territoires ou toute la France)")
    return missing


def _check_publishable(service: Service, values: Mapping[str, Any]) -> None:
    missing = missing_for_publication(values)
    if missing:
        raise NotPublishable(missing)
    if service.structure.moderation != Moderation.VALIDEE:
        raise StructureNotValidated(
            "La structure n’est pas encore validée par un gestionnaire de territoire : "
            "ses services ne peuvent pas être publiés avant sa validation."
        )


# Helpers -------------------------------------------------------------------------------------


def _record(
    session: Session,
    service: Service,
    author: Author,
    action: Action,
    before: Mapping[str, Any],
    *,
    source_service_id: str | None = None,
) -> ServiceChange:
    change = ServiceChange(
        service_id=service.id,
        user_id=author.user_id,
        author=author.label,
        action=action.value,
        changes=fields.diff(before, fields.snapshot(service)),
        version=service.version,
        source_service_id=source_service_id,
    )
    session.add(change)
    session.flush()
    return change


def _flush(session: Session) -> None:
    try:
        session.flush()
    except StaleDataError:
        raise ConcurrentChange(
            "Ce service vient d’être modifié par quelqu’un d’autre : rechargez la page et "
            "recommencez."
        ) from None


def _apply(session: Session, service: Service, values: Mapping[str, Any]) -> None:
    # The location is looked up before any attribute changes, so that no autoflush can
    # write a half-applied service.
    location, precision = _location_for(session, {**fields.snapshot(service), **values})
    for name in fields.EDITABLE_FIELDS:
        if name in values:
            setattr(service, name, fields.to_model_value(name, values[name]))
    service.location, service.location_precision = location, precision


def _location_for(session: Session, values: Mapping[str, Any]) -> tuple[Any, str | None]:
    """The point to store: the given coordinates, else the commune's reference point."""
    latitude, longitude = values.get("latitude"), values.get("longitude")
    if latitude is not None and longitude is not None:
        return WKTElement(f"POINT({longitude} {latitude})", srid=4326), "adresse"
    if not values.get("code_insee"):
        return None, None
    found = resolve.locate(
        session, values["code_insee"], values.get("code_postal"), values.get("commune")
    )
    if found is None:
        return None, None
    return WKTElement(f"POINT({found.longitude} {found.latitude})", srid=4326), found.precision


def new_service_id() -> str:
    # Random, so that no service can be reached by guessing its identifier.
    return str(uuid.uuid4())


# Operations --------------------------------------------------------------------------------------


def create_service(
    session: Session, structure: Structure, values: Mapping[str, Any], *, author: Author
) -> Service:
    """A new draft of `structure` from editor values (snapshot form)."""
    service = Service(
        id=new_service_id(),
        source=SOURCE,
        structure_id=structure.id,
        nom=values.get("nom") or "",
        description=values.get("description") or "",
        date_maj=date.today(),
        statut=Statut.BROUILLON,
    )
    _apply(session, service, values)
    service.description = service.description or ""
    session.add(service)
    session.flush()
    _record(session, service, author, Action.CREATION, {})
    return service


def update_service(
    session: Session,
    service: Service,
    values: Mapping[str, Any],
    *,
    expected_version: int,
    author: Author,
) -> ServiceChange | None:
    """Save editor values over `service`, loaded by the user at `expected_version`.

    Raises EditConflict (nothing written) if someone changed the service's fields since;
    NotPublishable if the service is published and the values lack what publication
    requires. Returns the history row, or None when nothing changed.
    """
    submitted = {k: v for k, v in fields.normalise(values).items() if k in fields.EDITABLE_FIELDS}
    yours = {**fields.snapshot(service, fields.EDITABLE_FIELDS), **submitted}
    if service.version != expected_version and edited_since(session, service, expected_version):
        raise build_conflict(session, service, expected_version, yours)
    before = fields.snapshot(service)
    if service.statut == Statut.PUBLIE:
        missing = missing_for_publication(yours)
        if missing:
            raise NotPublishable(missing)
    if not fields.diff(before, {**before, **yours}):
        return None
    savepoint = session.begin_nested()
    _apply(session, service, yours)
    service.description = service.description or ""
    service.date_maj = date.today()
    try:
        session.flush()
    except StaleDataError:
        # Saved by someone else between our read and our UPDATE (which checks the version).
        savepoint.rollback()
        session.refresh(service)
        raise build_conflict(session, service, expected_version, yours) from None
    savepoint.commit()
    return _record(session, service, author, Action.MODIFICATION, before)


def edited_since(session: Session, service: Service, version: int) -> bool:
    """Whether the service may have changed in a way the form would overwrite.

    Status changes and « toujours à jour » confirmations move the version too, but they
    cannot be overwritten by the editor form, so they are no reason for a conflict screen.
    Any version not explained by our history (an import, a script) counts as an edit.
    """
    changes = queries.changes_since(session, service.id, version)
    if not _history_covers(changes, version, service.version):
        return True
    editable = set(fields.EDITABLE_FIELDS)
    return any(editable & change.changes.keys() for change in changes)


def _history_covers(changes: list[ServiceChange], since: int, current: int) -> bool:
    if since > current:
        return False
    return set(range(since + 1, current + 1)) <= {change.version for change in changes}


def build_conflict(
    session: Session, service: Service, base_version: int, yours: Mapping[str, Any]
) -> EditConflict:
    """The conflict between the service as saved and `yours` (snapshot form), submitted
    from a form loaded at `base_version`."""
    yours = {**fields.snapshot(service, fields.EDITABLE_FIELDS), **fields.normalise(yours)}
    theirs = fields.snapshot(service, fields.EDITABLE_FIELDS)
    changes = queries.changes_since(session, service.id, base_version)
    base = dict(theirs)
    # Walk back from the current values: each field's value before its first later change.
    for change in reversed(changes):
        for name, values in change.changes.items():
            if name in base:
                base[name] = values["avant"]
    return EditConflict(
        service=service,
        base_version=base_version,
        base=base,
        theirs=theirs,
        yours=yours,
        changes=changes,
        complete_history=_history_covers(changes, base_version, service.version),
    )


def merge_choices(conflict: EditConflict, choices: Mapping[str, str]) -> dict[str, Any]:
    """The values to save after the conflict screen: for each differing field, 'leur' keeps
    the saved value, 'mien' the submitted one. Raises KeyError naming a field left undecided."""
    merged = dict(conflict.yours)
    for name in conflict.differing:
        choice = choices.get(name) or conflict.default_choice(name)
        if choice == "leur":
            merged[name] = conflict.theirs.get(name)
        elif choice != "mien":
            raise KeyError(name)
    return merged


def publish(session: Session, service: Service, *, author: Author) -> None:
    if service.statut == Statut.PUBLIE:
        return
    if service.statut == Statut.ARCHIVE:
        raise InvalidTransition("Un service archivé doit d’abord être remis en brouillon.")
    before = fields.snapshot(service)
    _check_publishable(service, before)
    service.statut = Statut.PUBLIE
    service.date_maj = date.today()
    _flush(session)
    _record(session, service, author, Action.PUBLICATION, before)


def unpublish(session: Session, service: Service, *, author: Author) -> None:
    if service.statut != Statut.PUBLIE:
        raise InvalidTransition("Seul un service publié peut être remis en brouillon.")
    before = fields.snapshot(service)
    service.statut = Statut.BROUILLON
    _flush(session)
    _record(session, service, author, Action.DEPUBLICATION, before)


def archive(session: Session, service: Service, *, author: Author) -> None:
    if service.statut == Statut.ARCHIVE:
        return
    before = fields.snapshot(service)
    service.statut = Statut.ARCHIVE
    service.suspendu_du = service.suspendu_au = None
    _flush(session)
    _record(session, service, author, Action.ARCHIVAGE, before)


def unarchive(session: Session, service: Service, *, author: Author) -> None:
    if service.statut != Statut.ARCHIVE:
        raise InvalidTransition("Ce service n’est pas archivé.")
    before = fields.snapshot(service)
    service.statut = Statut.BROUILLON
    _flush(session)
    _record(session, service, author, Action.DESARCHIVAGE, before)


def suspend(
    session: Session, service: Service, du: date, au: date | None, *, author: Author
) -> None:
    """Hide a published service from the public from `du` to `au` (open end: until resumed)."""
    if service.statut != Statut.PUBLIE:
        raise InvalidTransition("Seul un service publié peut être suspendu.")
    if au is not None and au < du:
        raise PublishingError("La date de fin de suspension doit suivre la date de début.")
    before = fields.snapshot(service)
    service.suspendu_du, service.suspendu_au = du, au
    _flush(session)
    _record(session, service, author, Action.SUSPENSION, before)


def resume(session: Session, service: Service, *, author: Author) -> None:
    if service.suspendu_du is None and service.suspendu_au is None:
        raise InvalidTransition("Ce service n’est pas suspendu.")
    before = fields.snapshot(service)
    service.suspendu_du = service.suspendu_au = None
    _flush(session)
    _record(session, service, author, Action.FIN_SUSPENSION, before)


def duplicate(session: Session, service: Service, *, author: Author) -> Service:
    """A draft copy in the same structure, named « Copie de … »."""
    values = fields.snapshot(service, fields.EDITABLE_FIELDS)
    values["nom"] = f"Copie de {service.nom}"[:MAX_NAME_LENGTH]
    copy = Service(
        id=new_service_id(),
        source=SOURCE,
        structure_id=service.structure_id,
        nom=values["nom"],
        description=service.description,
        date_maj=date.today(),
        statut=Statut.BROUILLON,
    )
    _apply(session, copy, values)
    session.add(copy)
    session.flush()
    _record(session, copy, author, Action.DUPLICATION, {}, source_service_id=service.id)
    return copy


def confirm_up_to_date(session: Session, service: Service, *, author: Author) -> None:
    """« Toujours à jour » : the information was checked today, nothing else changes."""
    if service.statut == Statut.ARCHIVE:
        raise InvalidTransition("Un service archivé n’a pas à être tenu à jour.")
    before = fields.snapshot(service)
    service.date_maj = date.today()
    _flush(session)
    _record(session, service, author, Action.CONFIRMATION, before)

"""The e-mails of a referral. Each says only what its recipient needs:

- the structure's members: that a referral arrived, from whom (a professional), with a link
  that needs their account — never the person's name;
- a structure without members: the same, with the secret link and its expiry;
- the prescriber: each status change of their referral, with the answer;
- the person (when they gave an address): where they were oriented, how and when they will
  be contacted, the service's contact details — no link that needs an account.

Subjects carry no personal data. Queued with `send_after_commit` (requests) — the commands
commit right after, so the same queue serves them.
"""

from __future__ import annotations

from email.message import EmailMessage

from flask import current_app, url_for

from dora.accounts import emails as mail
from dora.catalogue.models import Service
from dora.core.opening_hours_fr import french_opening_hours
from dora.orientation.models import (
    CONTACT_LABELS,
    MOTIF_LABELS,
    STATUT_LABELS,
    Destinataire,
    Orientation,
    Statut,
)

TEMPLATES = "orientation/emails/"


def _detail_url(orientation: Orientation) -> str:
    return url_for("orientation.detail", orientation_id=orientation.id, _external=True)


def _link_url(token: str) -> str:
    return url_for("orientation.open_link", token=token, _external=True)


def _queue(message: EmailMessage) -> None:
    mail.send_after_commit(message)


def _build(to: str, subject: str, template: str, **context) -> EmailMessage:
    # Names come from imported data: a line break would be refused in a header.
    subject = " ".join(subject.split())
    return mail.build(to, subject, TEMPLATES + template, **context)


def retention_label() -> str:
    days = current_app.config["ORIENTATION_RETENTION_DAYS"]
    return f"{round(days / 30.44)} mois" if days >= 60 else f"{days} jours"


def new_for_member(orientation: Orientation, address: str) -> None:
    _queue(
        _build(
            address,
            f"Nouvelle orientation vers « {orientation.service_nom} »",
            "new_member.txt",
            orientation=orientation,
            url=_detail_url(orientation),
        )
    )


def new_with_link(orientation: Orientation, token: str, *, renewed: bool = False) -> None:
    assert orientation.courriel_structure is not None
    subject = (
        f"Nouveau lien pour l’orientation vers « {orientation.service_nom} »"
        if renewed
        else f"Nouvelle orientation vers « {orientation.service_nom} »"
    )
    _queue(
        _build(
            orientation.courriel_structure,
            subject,
            "new_link.txt",
            orientation=orientation,
            url=_link_url(token),
            renewed=renewed,
        )
    )


def _contact(service: Service | None) -> dict:
    """The service's contact details for the person (its structure's when missing)."""
    if service is None:
        return {}
    structure = service.structure
    return {
        "adresse": service.adresse or structure.adresse,
        "code_postal": service.code_postal or structure.code_postal,
        "commune": service.commune or structure.commune,
        "telephone": service.telephone or structure.telephone,
        "courriel": service.courriel or structure.courriel,
        "horaires": _hours(service.horaires_accueil or structure.horaires_accueil),
        "page": url_for("catalogue.service_page", service_id=service.id, _external=True),
    }


def _hours(value: str | None) -> str | None:
    """Opening hours said in French when simple (« Du lundi au vendredi : 9 h – 12 h »),
    else as written."""
    lines = french_opening_hours(value)
    return " ; ".join(lines) if lines else value


def sent_to_person(orientation: Orientation, service: Service | None) -> None:
    _queue(
        _build(
            orientation.personne_email,
            f"Vous êtes orienté·e vers « {orientation.service_nom} »",
            "sent_person.txt",
            orientation=orientation,
            contact=_contact(service),
            contact_labels=[CONTACT_LABELS[c] for c in orientation.personne_contact or []],
            retention=retention_label(),
        )
    )


def accepted_to_person(orientation: Orientation, service: Service | None) -> None:
    _queue(
        _build(
            orientation.personne_email,
            f"Votre orientation vers « {orientation.service_nom} » est acceptée",
            "accepted_person.txt",
            orientation=orientation,
            contact=_contact(service),
        )
    )


def status_to_prescriber(orientation: Orientation) -> None:
    prescriber = orientation.prescriber
    if prescriber is None:
        return
    label = STATUT_LABELS[Statut(orientation.statut)].lower()
    _queue(
        _build(
            prescriber.email,
            f"Orientation n° {orientation.id} vers « {orientation.service_nom} » : {label}",
            "status_prescriber.txt",
            orientation=orientation,
            statut_label=label,
            motif_label=MOTIF_LABELS.get(orientation.motif_refus or "", ""),
            url=_detail_url(orientation),
        )
    )


def message(
    orientation: Orientation,
    destinataire: str,
    texte: str,
    reply_to: str | None,
    service: Service | None,
) -> None:
    if destinataire == Destinataire.PERSONNE:
        built = _build(
            orientation.personne_email,
            f"Un message de « {orientation.structure_nom} »",
            "message_person.txt",
            orientation=orientation,
            texte=texte,
            contact=_contact(service),
        )
    else:
        assert orientation.prescriber is not None
        built = _build(
            orientation.prescriber.email,
            f"Orientation n° {orientation.id} : un message de « {orientation.structure_nom} »",
            "message_prescriber.txt",
            orientation=orientation,
            texte=texte,
            url=_detail_url(orientation),
        )
    if reply_to:
        built["Reply-To"] = reply_to
    _queue(built)


def reminder(orientation: Orientation, address: str, token: str | None) -> None:
    _queue(
        _build(
            address,
            f"Rappel : une orientation vers « {orientation.service_nom} » attend votre réponse",
            "reminder.txt",
            orientation=orientation,
            url=_link_url(token) if token else _detail_url(orientation),
            by_link=token is not None,
        )
    )

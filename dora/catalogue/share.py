"""« Partager » a service: its address, and an e-mail with what a colleague needs to act.

The e-mail is a `mailto:` link (the professional's own mail client, nothing sent by us):
subject the service's name, body its essentials in plain text, the description as words
without Markdown marks.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from flask import url_for

from dora import vocabulary
from dora.catalogue.models import Service
from dora.core.markdown import markdown_excerpt
from dora.core.opening_hours_fr import french_opening_hours
from dora.core.template_helpers import format_phone

# Mail clients cut very long mailto links: the body stays well under 2,000 characters.
MAX_BODY = 1800


@dataclass(frozen=True)
class Share:
    url: str
    mailto: str
    body: str


def _address(service: Service) -> str:
    parts = [service.adresse, service.complement_adresse]
    town = " ".join(p for p in (service.code_postal, service.commune) if p)
    return ", ".join(p for p in (*parts, town) if p)


def share_texts(service: Service) -> Share:
    url = url_for("catalogue.service_page", service_id=service.id, _external=True)
    lines = [service.nom, f"Proposé par {service.structure.nom}", ""]
    if service.description:
        lines += [markdown_excerpt(service.description, 400), ""]
    address = _address(service) or _address(service.structure)
    if address and "en-presentiel" in (service.modes_accueil or ["en-presentiel"]):
        lines.append(f"Adresse : {address}")
    phone = service.telephone or service.structure.telephone
    if phone:
        lines.append(f"Téléphone : {format_phone(phone)}")
    email = service.courriel or service.structure.courriel
    if email:
        lines.append(f"Courriel : {email}")
    hours = service.horaires_accueil or service.structure.horaires_accueil
    if hours:
        said = french_opening_hours(hours)
        lines.append("Horaires : " + ("; ".join(said) if said else hours))
    if service.modes_mobilisation:
        modes = ", ".join(vocabulary.label(m) for m in service.modes_mobilisation)
        lines.append(f"Comment le mobiliser : {modes}")
    lines += ["", f"Fiche complète : {url}"]
    body = "\n".join(lines)
    if len(body) > MAX_BODY:
        body = (
            body[: MAX_BODY - len(url) - 20].rsplit("\n", 1)[0] + f"\n…\n\nFiche complète : {url}"
        )
    mailto = f"mailto:?subject={quote(service.nom)}&body={quote(body)}"
    return Share(url=url, mailto=mailto, body=body)

"""Authorisation cases of the orientation routes (harness: tests/accounts/authz.py).

A referral is sent by `other_member` (admin of the other structure, Paris) to a service of
`w.structure` (Saint-Denis). Only its two sides read it: the prescriber and the members and
admins of the receiving structure. Staff and territory managers do not (404, as anyone to
whom it is private); the prescriber may read but not answer (403). Anonymous visitors go to
the login page, unverified users to their dashboard. Reading personal data writes a line in
the access log, so allowed reads change the database and denied ones must not.
"""

from __future__ import annotations

import tempfile
import uuid
from datetime import timedelta

VERIFIED = {"verified", "other_member", "member", "admin", "other_manager", "manager", "staff"}
EVERYONE = {"anonymous", "unverified", *VERIFIED}
SIDES = {"other_member", "member", "admin"}
RECEIVING = {"member", "admin"}
PDF = b"%PDF-1.4\n%%EOF\n"


def _form(**overrides) -> dict:
    data = {
        "jeton_envoi": str(uuid.uuid4()),
        "personne_prenom": "Camille",
        "personne_nom": "Martin",
        "code_postal": "93200",
        "commune": "Saint-Denis",
        "code_insee": "93066",
        "message": "Une orientation pour les tests d’autorisation.",
        "prescripteur_nom": "Prescripteur de test",
        "prescripteur_structure": "",
        "prescripteur_organisation": "Mission locale",
        "consentement": "y",
    }
    data.update(overrides)
    return data


def _orientation(w, *, members: bool = True, attachment: bool = False):
    """A referral from other_member to a service of w.structure (or of a structure without
    members, reached by its secret link: returns the token too)."""
    from flask import current_app

    from dora.orientation import operations, storage

    if members:
        service = w.make_service(structure=w.structure)
    else:
        service = w.make_service(
            structure=w.make_structure(nom="Sans membre", code_insee="93066"),
            courriel="contact@sans-membre.fr",
        )
    files = []
    if attachment:
        # Test files go to a temporary folder, never under the project.
        current_app.config["ORIENTATION_STORAGE_DIR"] = tempfile.mkdtemp(prefix="dora-authz-")
        files = [storage.CheckedFile("cv.pdf", "application/pdf", PDF)]
    data = operations.NewOrientation(
        submission_key=uuid.uuid4(),
        person=operations.Person("Camille", "Martin", "93066", "Saint-Denis"),
        prescriber=operations.Prescriber("Prescripteur", organisation="Mission locale"),
        message="Pour les tests.",
        consent=True,
        files=files,
    )
    orientation, _ = operations.create(w.db, w.users["other_member"], service, data)
    return orientation


def _link(w):
    """A referral to a structure without members, and a fresh token of its link."""
    from dora.orientation import access

    orientation = _orientation(w, members=False)
    token, token_hash = access.new_token()
    orientation.token_hash = token_hash
    w.db.flush()
    return orientation, token


def register(matrix) -> None:
    matrix.exempt(
        "orientation.check_eligibility",
        "reads only (the service's eligibility for a commune): a POST keeps the commune out "
        "of URLs",
    )

    @matrix.case("orientation.new", allow=VERIFIED)
    def send(w):
        service = w.make_service(structure=w.structure)
        url = f"/services/{service.id}/orienter"
        return lambda client: client.post(url, data=_form())

    @matrix.case("orientation.accept", allow=RECEIVING)
    def accept(w):
        orientation = _orientation(w)
        url = f"/orientations/{orientation.id}/accepter"
        return lambda client: client.post(url, data={"prochaine_etape": "Rendez-vous"})

    @matrix.case("orientation.refuse", allow=RECEIVING)
    def refuse(w):
        orientation = _orientation(w)
        url = f"/orientations/{orientation.id}/refuser"
        return lambda client: client.post(url, data={"motif": "plus-de-places"})

    @matrix.case("orientation.write", allow=RECEIVING)
    def write(w):
        orientation = _orientation(w)
        url = f"/orientations/{orientation.id}/message"
        data = {"destinataire": "prescripteur", "texte": "Bonjour"}
        return lambda client: client.post(url, data=data)

    @matrix.case("orientation.renew_link", allow=EVERYONE)
    def renew_link(w):
        # Whoever holds an expired link may ask for a new one: it goes to the structure's
        # address only.
        orientation, token = _link(w)
        orientation.token_expires_at = orientation.created_at - timedelta(days=1)
        url = f"/orientations/lien/{token}/renouveler"
        return lambda client: client.post(url)

    # Reads of personal data: allowed ones are logged (a change), denied ones are not.

    @matrix.case("orientation.detail", allow=SIDES, method="GET", csrf=False)
    def detail(w):
        orientation = _orientation(w)
        return lambda client: client.get(f"/orientations/{orientation.id}")

    @matrix.case("orientation.download", allow=SIDES, method="GET", csrf=False)
    def download(w):
        orientation = _orientation(w, attachment=True)
        attachment = orientation.attachments[0]
        url = f"/orientations/{orientation.id}/pieces-jointes/{attachment.id}"
        return lambda client: client.get(url)

    @matrix.case(
        "orientation.detail",
        allow=EVERYONE,
        method="GET",
        csrf=False,
        label="orientation.detail:lien",
    )
    def detail_by_link(w):
        orientation, token = _link(w)

        def request(client):
            client.get(f"/orientations/lien/{token}")
            return client.get(f"/orientations/{orientation.id}")

        return request

    @matrix.case(
        "orientation.received", allow=VERIFIED, method="GET", csrf=False, expect_change=False
    )
    def received(w):
        _orientation(w)
        return lambda client: client.get("/mon-espace/orientations/recues")

    @matrix.case("orientation.sent", allow=VERIFIED, method="GET", csrf=False, expect_change=False)
    def sent(w):
        _orientation(w)
        return lambda client: client.get("/mon-espace/orientations")

    @matrix.case(
        "orientation.statistics",
        allow={"other_member", "admin", "other_manager", "manager", "staff"},
        method="GET",
        csrf=False,
        expect_change=False,
    )
    def statistics(w):
        return lambda client: client.get("/mon-espace/orientations/statistiques")

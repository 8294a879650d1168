"""The journey through the test client: the prescriber sends, the structure reads and
answers, the prescriber follows; each e-mail checked as the SMTP server received it."""

from __future__ import annotations

import re
from datetime import date, timedelta

from tests.orientation.helpers import PDF, upload


def _mails(mailbox) -> dict[str, list]:
    from dora.accounts import emails

    emails.wait_for_deliveries()
    found: dict[str, list] = {}
    for message in mailbox.messages:
        found.setdefault(message["To"], []).append(message)
    return found


def _body(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def test_the_service_page_offers_to_orient(client, receiving, login, prescriber):
    _, _, service = receiving
    page = client.get(f"/services/{service.id}").get_data(as_text=True)
    assert "Orienter une personne" in page
    assert f"/services/{service.id}/orienter" in page


def test_the_form_shows_the_services_conditions_as_a_checklist(
    client, receiving, login, prescriber
):
    _, _, service = receiving
    login(prescriber[0])
    page = client.get(f"/services/{service.id}/orienter").get_data(as_text=True)
    for condition in (
        "Fait partie du public : Jeunes",
        "Fait partie du public : Demandeurs d’emploi",
        "Avoir entre 16 et 25 ans",
        "se munir d’une pièce d’identité",
    ):
        assert condition in page
    # Each of the five steps, and the prescriber's structure chosen for them.
    assert page.count('class="section orientation-step"') == 5
    assert 'selected value="' in page or "selected" in page


def test_send_read_accept_and_follow(send, client, login, receiving, prescriber, mailbox):
    from dora.orientation.models import OrientationAccess

    _, member, _ = receiving
    user, _ = prescriber
    orientation = send(pieces_jointes=[upload(PDF, "cv camille.pdf")])
    assert orientation.statut == "nouvelle"
    assert orientation.eligible is True
    assert [c["rempli"] for c in orientation.criteres] == [True, False, True, False]
    assert orientation.attachments[0].content_type == "application/pdf"

    mails = _mails(mailbox)
    to_member = _body(mails["accueil@structure.fr"][0])
    # The structure learns who sends and where to read it, not whom it is about.
    assert "Claire Conseil (CCAS de Paris)" in to_member and "Camille" not in to_member
    assert f"/orientations/{orientation.id}" in to_member
    assert "Camille" not in mails["accueil@structure.fr"][0]["Subject"]
    to_person = _body(mails["camille.martin@exemple.fr"][0])
    assert "Atelier vélo" in to_person and "01 23 45 67 89" in to_person
    assert "velo@structure.fr" in to_person
    assert "/connexion" not in to_person and "/orientations/" not in to_person
    mailbox.clear()

    # The member opens it: « en cours », the prescriber is told; the read is logged.
    login(member)
    page = client.get(f"/orientations/{orientation.id}").get_data(as_text=True)
    assert "Camille Martin" in page and "cv camille.pdf" in page
    assert orientation.statut == "en-cours"
    reads = OrientationAccess.query.filter_by(orientation_id=orientation.id).all()
    assert [(r.user_id, r.via, r.objet) for r in reads][-1] == (member.id, "compte", "fiche")
    assert "consultée" in _body(_mails(mailbox)["conseillere@ccas.fr"][0])
    mailbox.clear()

    rendez_vous = date.today() + timedelta(days=3)
    response = client.post(
        f"/orientations/{orientation.id}/accepter",
        data={
            "prochaine_etape": "Rendez-vous d’accueil",
            "date_rendez_vous": rendez_vous.isoformat(),
        },
    )
    assert response.status_code == 302
    assert orientation.statut == "acceptee" and orientation.first_answer_at is not None
    mails = _mails(mailbox)
    to_prescriber = _body(mails["conseillere@ccas.fr"][0])
    assert "acceptée" in mails["conseillere@ccas.fr"][0]["Subject"]
    assert "Rendez-vous d’accueil" in to_prescriber
    assert "Rendez-vous d’accueil" in _body(mails["camille.martin@exemple.fr"][0])

    # The prescriber follows it in « Mes orientations ».
    login(user)
    listing = client.get("/mon-espace/orientations").get_data(as_text=True)
    assert "Camille M." in listing and "Acceptée" in listing and "répondu en" in listing
    detail = client.get(f"/orientations/{orientation.id}").get_data(as_text=True)
    assert "Orientation acceptée" in detail and "Accepter l’orientation" not in detail
    # The prescriber cannot answer in the structure's place.
    assert (
        client.post(f"/orientations/{orientation.id}/refuser", data={"motif": "autre"}).status_code
        == 403
    )


def test_refuse_with_a_reason(send, client, login, receiving, mailbox):
    _, member, _ = receiving
    orientation = send()
    mailbox.clear()
    login(member)
    response = client.post(f"/orientations/{orientation.id}/refuser", data={"motif": "autre"})
    assert "Précisez le motif du refus." in response.get_data(as_text=True)
    assert orientation.statut in {"nouvelle", "en-cours"}
    client.post(
        f"/orientations/{orientation.id}/refuser",
        data={"motif": "plus-de-places", "precision": "Complet jusqu’en mars"},
    )
    assert orientation.statut == "refusee" and orientation.motif_refus == "plus-de-places"
    body = _body(_mails(mailbox)["conseillere@ccas.fr"][-1])
    assert "Plus de places disponibles — Complet jusqu’en mars" in body
    # Closed: a second answer is refused.
    response = client.post(
        f"/orientations/{orientation.id}/accepter", data={"prochaine_etape": "Accueil"}
    )
    assert "déjà reçu une réponse" in response.get_data(as_text=True)
    assert orientation.statut == "refusee"


def test_messages_to_the_prescriber_and_the_person(send, client, login, receiving, mailbox):
    _, member, _ = receiving
    orientation = send()
    mailbox.clear()
    login(member)
    client.post(
        f"/orientations/{orientation.id}/message",
        data={"destinataire": "personne", "texte": "Pouvez-vous venir mardi à 10 h ?"},
    )
    client.post(
        f"/orientations/{orientation.id}/message",
        data={"destinataire": "prescripteur", "texte": "Avez-vous son CV ?"},
    )
    mails = _mails(mailbox)
    to_person = mails["camille.martin@exemple.fr"][-1]
    assert "Pouvez-vous venir mardi à 10 h ?" in _body(to_person)
    assert to_person["Reply-To"] == "accueil@structure.fr"
    assert "Avez-vous son CV ?" in _body(mails["conseillere@ccas.fr"][-1])
    assert orientation.first_answer_at is not None and orientation.statut == "en-cours"
    kinds = [(e.kind, e.destinataire) for e in orientation.events]
    assert ("message", "personne") in kinds and ("message", "prescripteur") in kinds
    page = client.get(f"/orientations/{orientation.id}").get_data(as_text=True)
    assert "Avez-vous son CV ?" in page and "Alex Accueil (Accueil solidaire)" in page


def test_received_inbox_by_status(send, client, login, receiving):
    _, member, _ = receiving
    first = send()
    send(personne_prenom="Dominique", personne_nom="Durand")
    login(member)
    client.get(f"/orientations/{first.id}")  # now « en cours »
    page = client.get("/mon-espace/orientations/recues?statut=nouvelle").get_data(as_text=True)
    assert "Dominique D." in page and "Camille M." not in page
    page = client.get("/mon-espace/orientations/recues").get_data(as_text=True)
    assert "À traiter (2)" in page and "Nouvelles (1)" in page and "En cours (1)" in page
    dashboard = client.get("/mon-espace").get_data(as_text=True)
    assert "Orientations reçues" in dashboard
    assert re.search(r"<strong>1</strong>\s*Nouvelle", dashboard)


def test_attachments_are_downloads_through_the_authorised_route_only(
    send, client, login, receiving, storage_dir
):
    from dora.orientation.models import OrientationAccess

    _, member, _ = receiving
    orientation = send(pieces_jointes=[upload(PDF, "CV de Camille.pdf")])
    attachment = orientation.attachments[0]
    url = f"/orientations/{orientation.id}/pieces-jointes/{attachment.id}"
    login(member)
    response = client.get(url)
    assert response.status_code == 200 and response.data == PDF
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "CV de Camille.pdf" in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response.headers["Cache-Control"]
    read = OrientationAccess.query.filter_by(orientation_id=orientation.id).all()[-1]
    assert (read.objet, read.user_id) == ("piece-jointe", member.id)
    # Not served from anywhere else, and an altered file is refused.
    assert client.get(f"/static/../var/{attachment.storage_key}").status_code == 404
    (storage_dir / attachment.storage_key).write_bytes(b"%PDF-altered")
    assert client.get(url).status_code == 410
    # Another referral's number in the URL does not reach this file.
    other = send()
    assert client.get(f"/orientations/{other.id}/pieces-jointes/{attachment.id}").status_code == 404


def test_no_personal_data_in_urls_or_subjects(send, client, login, receiving, mailbox):
    from dora.accounts import emails

    orientation = send()
    login(receiving[1])
    page = client.get(f"/orientations/{orientation.id}").get_data(as_text=True)
    links = re.findall(r'(?:href|action)="([^"]+)"', page)
    assert links and not [link for link in links if "Camille" in link or "Martin" in link]
    emails.wait_for_deliveries()
    assert all(
        "Camille" not in m["Subject"] and "Martin" not in m["Subject"] for m in mailbox.messages
    )


def test_lists_showing_names_log_each_read(send, client, login, receiving, prescriber):
    from dora.orientation.models import OrientationAccess

    first, second = send(), send(personne_prenom="Dominique")
    login(receiving[1])
    client.get("/mon-espace/orientations/recues")
    login(prescriber[0])
    client.get("/mon-espace/orientations")
    reads = OrientationAccess.query.filter_by(objet="liste").all()
    assert sorted((r.orientation_id, r.user_id) for r in reads) == sorted(
        [
            (first.id, receiving[1].id),
            (second.id, receiving[1].id),
            (first.id, prescriber[0].id),
            (second.id, prescriber[0].id),
        ]
    )


HOSTILE = '"><img src=x onerror=alert(1)></script><script>alert(2)</script>'


def test_hostile_text_is_escaped_everywhere_it_is_shown(send, client, login, receiving, prescriber):
    orientation = send(
        personne_prenom=HOSTILE[:80],
        personne_nom=HOSTILE[:80],
        personne_disponibilites=HOSTILE,
        situation_autre=HOSTILE,
        criteres_precisions=HOSTILE,
        message=HOSTILE,
        prescripteur_nom=HOSTILE[:120],
    )
    login(receiving[1])
    client.post(
        f"/orientations/{orientation.id}/message",
        data={"destinataire": "prescripteur", "texte": HOSTILE},
    )
    pages = [
        client.get(f"/orientations/{orientation.id}"),
        client.get("/mon-espace/orientations/recues"),
    ]
    login(prescriber[0])
    pages += [client.get(f"/orientations/{orientation.id}"), client.get("/mon-espace/orientations")]
    for response in pages:
        page = response.get_data(as_text=True)
        assert response.status_code == 200
        assert "<img src=x" not in page and "<script>alert" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in pages[0].get_data(as_text=True)


def test_odd_addresses_answer_404_not_500(client, login, receiving, send):
    orientation = send()
    login(receiving[1])
    huge = "9" * 30
    for url in (
        f"/orientations/{huge}",
        f"/orientations/{orientation.id}/pieces-jointes/{huge}",
        "/orientations/-1",
        "/orientations/abc",
        f"/orientations/{orientation.id}/pieces-jointes/1",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/orientations/{huge}/accepter").status_code == 404
    assert client.get("/mon-espace/orientations/recues?statut=nimporte&page=-3").status_code == 200
    assert client.get("/mon-espace/orientations/recues?structure=autre").status_code == 404


def test_answer_forms_say_what_is_wrong(send, client, login, receiving):
    orientation = send(personne_email="")
    login(receiving[1])
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    cases = [
        ("accepter", {"prochaine_etape": ""}, "Indiquez la prochaine étape pour la personne."),
        (
            "accepter",
            {"prochaine_etape": "RDV", "date_rendez_vous": yesterday},
            "Cette date est passée.",
        ),
        ("accepter", {"prochaine_etape": "RDV", "date_rendez_vous": "31/02"}, "date"),
        ("refuser", {}, "Choisissez un motif de refus."),
        ("refuser", {"motif": "inconnu"}, "n&#39;est pas un choix valide"),
        ("message", {"destinataire": "prescripteur", "texte": " "}, "Écrivez votre message."),
        ("message", {"destinataire": "personne", "texte": "Bonjour"}, "n’a pas donné d’adresse"),
    ]
    for action, data, message in cases:
        response = client.post(f"/orientations/{orientation.id}/{action}", data=data)
        page = response.get_data(as_text=True)
        assert response.status_code == 200, (action, data)
        errors = re.findall(r'class="field-error"[^>]*>([^<]+)<', page) + re.findall(
            r'class="notice notice--error"[^>]*>([^<]+)<', page
        )
        assert any(message.lower() in e.lower() for e in errors), (action, data, errors)
    assert orientation.statut == "en-cours" and orientation.first_answer_at is None

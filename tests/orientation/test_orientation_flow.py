"""The journey through the test client: send, the structure reads and answers, the
prescriber follows; e-mails checked as the SMTP server received them."""

from __future__ import annotations

from tests.orientation.helpers import PDF, form_data, upload


def _bodies(mailbox):
    from dora.accounts import emails

    emails.wait_for_deliveries()
    return {m["To"]: m.get_body(preferencelist=("plain",)).get_content() for m in mailbox.messages}


def test_send_then_accept(send, client, login, receiving, prescriber, mailbox, db_session):
    _, member, service = receiving
    orientation = send(pieces_jointes=[upload(PDF, "cv camille.pdf")])
    assert orientation.statut == "nouvelle"
    assert orientation.eligible is True
    assert [c["rempli"] for c in orientation.criteres] == [True, False, True, False]
    assert len(orientation.attachments) == 1
    bodies = _bodies(mailbox)
    assert "Camille" not in bodies["accueil@structure.fr"]
    assert "Atelier vélo" in bodies["accueil@structure.fr"]
    assert "velo@structure.fr" in bodies["camille.martin@exemple.fr"]

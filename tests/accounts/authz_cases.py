"""Authorisation cases of accounts and structures (see authz.py for the harness)."""

from __future__ import annotations

VERIFIED_ROLES = {
    "verified",
    "other_member",
    "member",
    "admin",
    "other_manager",
    "manager",
    "staff",
}
STRUCTURE_FORM = {
    "nom": "Nouvelle structure",
    "siret": "73282932000074",
    "adresse": "1 rue de la République",
    "code_postal": "93200",
    "commune": "Saint-Denis",
}


def register(matrix) -> None:
    # Public forms and session changes, tested in test_accounts_*.py.
    matrix.exempt("accounts.register", "public form: creates an unverified account")
    matrix.exempt("accounts.login", "public form: opens a session")
    matrix.exempt("accounts.logout", "ends the caller's own session, no data")
    matrix.exempt("accounts.forgot_password", "public form: e-mails a link, no data")
    matrix.exempt("accounts.reset_password", "authorised by its signed single-use link")
    matrix.exempt("accounts.resend_verification", "e-mails the caller's own link, no data")

    @matrix.case("accounts.logout_everywhere", allow={"unverified", *VERIFIED_ROLES})
    def logout_everywhere(w):
        return lambda client: client.post("/mon-espace/deconnexion-partout")

    @matrix.case("structures.create_structure", allow=VERIFIED_ROLES)
    def create_structure(w):
        return lambda client: client.post("/mon-espace/structures/nouvelle", data=STRUCTURE_FORM)

    @matrix.case(
        "structures.request_join",
        allow={"verified", "other_member", "other_manager", "manager", "staff"},
    )
    def request_join(w):
        url = f"/mon-espace/structures/{w.structure.id}/rejoindre"
        return lambda client: client.post(url, data={"message": "Bonjour"})

    @matrix.case("structures.request_join", allow=set(), label="request_join:refused")
    def request_join_refused_structure(w):
        structure = w.make_structure(moderation="refusee", code_insee="93066")
        return lambda client: client.post(f"/mon-espace/structures/{structure.id}/rejoindre")

    @matrix.case("structures.cancel_join_request", allow={"verified"})
    def cancel_join_request(w):
        request = w.join_request(user=w.users["verified"])
        return lambda client: client.post(f"/mon-espace/demandes/{request.id}/annuler")

    @matrix.case("structures.edit_structure", allow={"admin", "staff"})
    def edit_structure(w):
        url = f"/mon-espace/structures/{w.structure.id}/modifier"
        data = {**STRUCTURE_FORM, "nom": "Structure A renommée"}
        return lambda client: client.post(url, data=data)

    @matrix.case("structures.resubmit", allow={"admin", "staff"})
    def resubmit(w):
        w.structure.moderation = "refusee"
        url = f"/mon-espace/structures/{w.structure.id}/revalidation"
        return lambda client: client.post(url)

    @matrix.case("structures.decide_join_request", allow={"admin", "staff"})
    def accept_join_request(w):
        request = w.join_request()
        url = f"/mon-espace/structures/{w.structure.id}/demandes/{request.id}/accepter"
        return lambda client: client.post(url)

    @matrix.case(
        "structures.decide_join_request", allow={"manager", "staff"}, label="decide:no-admin"
    )
    def refuse_join_request_without_admin(w):
        structure = w.orphan_structure()
        request = w.join_request(structure=structure)
        url = f"/mon-espace/structures/{structure.id}/demandes/{request.id}/refuser"
        return lambda client: client.post(url)

    @matrix.case("structures.decide_join_request", allow=set(), label="decide:guessed-id")
    def accept_join_request_of_another_structure(w):
        # The request belongs to the other structure: the URL's structure does not own it.
        request = w.join_request(structure=w.other_structure)
        url = f"/mon-espace/structures/{w.structure.id}/demandes/{request.id}/accepter"
        return lambda client: client.post(url)

    @matrix.case("structures.invite", allow={"admin", "staff"})
    def invite(w):
        url = f"/mon-espace/structures/{w.structure.id}/invitations"
        return lambda client: client.post(url, data={"email": "new@exemple.fr", "role": "membre"})

    @matrix.case("structures.cancel_invitation", allow={"admin", "staff"})
    def cancel_invitation(w):
        invitation = w.invitation()
        url = f"/mon-espace/structures/{w.structure.id}/invitations/{invitation.id}/annuler"
        return lambda client: client.post(url)

    @matrix.case("structures.cancel_invitation", allow=set(), label="cancel_invitation:guessed-id")
    def cancel_invitation_of_another_structure(w):
        invitation = w.invitation(structure=w.other_structure)
        url = f"/mon-espace/structures/{w.structure.id}/invitations/{invitation.id}/annuler"
        return lambda client: client.post(url)

    @matrix.case("structures.change_role", allow={"admin", "staff"})
    def promote(w):
        target = w.new_member()
        url = f"/mon-espace/structures/{w.structure.id}/membres/{target.id}/role"
        return lambda client: client.post(url, data={"role": "admin"})

    @matrix.case("structures.change_role", allow=set(), label="change_role:guessed-id")
    def promote_member_of_another_structure(w):
        target = w.new_member(structure=w.other_structure)
        url = f"/mon-espace/structures/{w.structure.id}/membres/{target.id}/role"
        return lambda client: client.post(url, data={"role": "admin"})

    @matrix.case("structures.remove_member", allow={"admin", "staff"})
    def remove_member(w):
        target = w.new_member()
        url = f"/mon-espace/structures/{w.structure.id}/membres/{target.id}/retirer"
        return lambda client: client.post(url)

    @matrix.case("structures.remove_member", allow=set(), label="remove_member:guessed-id")
    def remove_member_of_another_structure(w):
        target = w.new_member(structure=w.other_structure)
        url = f"/mon-espace/structures/{w.structure.id}/membres/{target.id}/retirer"
        return lambda client: client.post(url)

    @matrix.case("structures.leave", allow={"member", "admin"})
    def leave(w):
        w.new_member(role="admin")  # so that the admin is not the last one
        return lambda client: client.post(f"/mon-espace/structures/{w.structure.id}/quitter")

    @matrix.case("structures.accept_invitation", allow={"verified"}, deny_status={302, 403, 404})
    def accept_invitation(w):
        invitation = w.invitation(email=w.users["verified"].email)
        token = w.token("invitation", {"i": invitation.id, "e": invitation.email})
        return lambda client: client.post(f"/invitations/{token}")

    @matrix.case("structures.register_from_invitation", allow={"anonymous"}, deny_status={302})
    def register_from_invitation(w):
        invitation = w.invitation(email="brand.new@exemple.fr")
        token = w.token("invitation", {"i": invitation.id, "e": invitation.email})
        data = {"password": "une phrase de passe", "password_confirm": "une phrase de passe"}
        return lambda client: client.post(f"/invitations/{token}/inscription", data=data)

    @matrix.case("structures.moderation_detail", allow={"manager", "staff"})
    def validate(w):
        structure = w.pending_structure()
        url = f"/moderation/structures/{structure.id}"
        return lambda client: client.post(url, data={"decision": "validee"})

    @matrix.case(
        "structures.moderation_detail", allow={"other_manager", "staff"}, label="moderate:75"
    )
    def refuse_in_paris(w):
        structure = w.pending_structure(code_insee="75056")
        url = f"/moderation/structures/{structure.id}"
        return lambda client: client.post(url, data={"decision": "refusee", "motif": "Doublon"})

    @matrix.case("structures.managers", allow={"staff"})
    def make_manager(w):
        return lambda client: client.post(
            "/moderation/gestionnaires",
            data={"email": "verified@exemple.fr", "departements": "93, 94"},
        )

    @matrix.case("structures.remove_manager", allow={"staff"})
    def remove_manager(w):
        manager = w.users["manager"]
        return lambda client: client.post(f"/moderation/gestionnaires/{manager.id}/retirer")

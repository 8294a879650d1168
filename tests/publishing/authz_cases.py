"""Authorisation cases of the publishing routes (harness: tests/accounts/authz.py).

Services of `w.structure` (Saint-Denis) may be changed by its members and admins and by
staff. A manager of its département sees the structure (403: not theirs to edit); everyone
else, the other structure's admin included, gets a 404, so service ids cannot be probed.
"""

from __future__ import annotations

from datetime import date, timedelta

EDITORS = {"member", "admin", "staff"}

SERVICE_FORM = {
    "nom": "Atelier CV",
    "description": "Un atelier pour rédiger son CV.",
    "thematiques": ["preparer-sa-candidature--organiser-ses-demarches-de-recherche-demploi"],
    "publics": ["tous-publics"],
    "modes_accueil": ["en-presentiel"],
    "code_postal": "93200",
    "commune": "Saint-Denis",
    "code_insee": "93066",
    "zone_eligibilite": ["93"],
    "modes_mobilisation": ["se-presenter"],
    "frequence_maj": "annuelle",
    "type": "",
    "frais": "",
}


def register(matrix) -> None:
    @matrix.case(
        "publishing.markdown_preview",
        allow={"verified", "other_member", "member", "admin", "other_manager", "manager", "staff"},
        expect_change=False,
    )
    def markdown_preview(w):
        return lambda client: client.post(
            "/mon-espace/apercu-description", data={"texte": "**gras** <script>x</script>"}
        )

    @matrix.case(
        "publishing.opening_hours_tool",
        allow={"verified", "other_member", "member", "admin", "other_manager", "manager", "staff"},
        expect_change=False,
    )
    def opening_hours_tool(w):
        return lambda client: client.post(
            "/mon-espace/horaires", data={"texte": "du lundi au vendredi de 9h à 17h"}
        )

    @matrix.case("publishing.create", allow=EDITORS)
    def create(w):
        url = f"/mon-espace/structures/{w.structure.id}/services/nouveau"
        return lambda client: client.post(url, data=SERVICE_FORM)

    @matrix.case("publishing.create", allow=EDITORS, label="publishing.create:publier")
    def create_and_publish(w):
        url = f"/mon-espace/structures/{w.structure.id}/services/nouveau"
        return lambda client: client.post(url, data={**SERVICE_FORM, "action": "publier"})

    @matrix.case("publishing.create", allow={"other_member", "staff"}, label="create:other")
    def create_in_other_structure(w):
        # The member of A cannot create in B by changing the id in the URL.
        url = f"/mon-espace/structures/{w.other_structure.id}/services/nouveau"
        return lambda client: client.post(url, data=SERVICE_FORM)

    @matrix.case("publishing.edit", allow=EDITORS)
    def edit(w):
        service = w.make_service(structure=w.structure)
        data = {**SERVICE_FORM, "nom": "Atelier CV renommé", "version": str(service.version)}
        return lambda client: client.post(f"/mes-services/{service.id}/modifier", data=data)

    @matrix.case("publishing.edit", allow=EDITORS, label="publishing.edit:conflit")
    def edit_after_conflict(w):
        service = w.make_service(structure=w.structure, nom="Atelier")
        data = {
            **SERVICE_FORM,
            "nom": "Mon nom",
            "version": str(service.version),
            "conflit_version": str(service.version),
            "choix_nom": "mien",
        }
        return lambda client: client.post(f"/mes-services/{service.id}/modifier", data=data)

    @matrix.case("publishing.publish", allow=EDITORS)
    def publish(w):
        service = w.make_service(
            structure=w.structure, statut="brouillon", modes_mobilisation=["se-presenter"]
        )
        return lambda client: client.post(f"/mes-services/{service.id}/publier")

    @matrix.case("publishing.unpublish", allow=EDITORS)
    def unpublish(w):
        service = w.make_service(structure=w.structure)
        return lambda client: client.post(f"/mes-services/{service.id}/depublier")

    @matrix.case("publishing.archive", allow=EDITORS)
    def archive(w):
        service = w.make_service(structure=w.structure)
        return lambda client: client.post(f"/mes-services/{service.id}/archiver")

    @matrix.case("publishing.unarchive", allow=EDITORS)
    def unarchive(w):
        service = w.make_service(structure=w.structure, statut="archive")
        return lambda client: client.post(f"/mes-services/{service.id}/desarchiver")

    @matrix.case("publishing.suspend", allow=EDITORS)
    def suspend(w):
        service = w.make_service(structure=w.structure)
        data = {"suspendu_du": date.today().isoformat(), "suspendu_au": ""}
        return lambda client: client.post(f"/mes-services/{service.id}/suspendre", data=data)

    @matrix.case("publishing.resume", allow=EDITORS)
    def resume(w):
        service = w.make_service(structure=w.structure, suspendu_du=date.today())
        return lambda client: client.post(f"/mes-services/{service.id}/reprendre")

    @matrix.case("publishing.duplicate", allow=EDITORS)
    def duplicate(w):
        service = w.make_service(structure=w.structure)
        return lambda client: client.post(f"/mes-services/{service.id}/dupliquer")

    @matrix.case("publishing.confirm", allow=EDITORS)
    def confirm(w):
        service = w.make_service(structure=w.structure, date_maj=date.today() - timedelta(days=400))
        return lambda client: client.post(f"/mes-services/{service.id}/toujours-a-jour")

    @matrix.case("publishing.confirm", allow={"other_member", "staff"}, label="confirm:other")
    def confirm_other_structure(w):
        # The other structure's service: its admin may, the member of A may not.
        service = w.make_service(
            structure=w.other_structure, date_maj=date.today() - timedelta(days=400)
        )
        return lambda client: client.post(f"/mes-services/{service.id}/toujours-a-jour")

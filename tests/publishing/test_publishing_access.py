"""Read access to the members' pages (writes are in the authorisation matrix, authz_cases.py):
a service or structure private to others is a 404, so ids cannot be probed."""

import pytest

from dora.publishing import operations
from tests.publishing.publishing_helpers import complete_values


@pytest.fixture
def draft(db_session, structure, member):
    return operations.create_service(
        db_session, structure, complete_values(), author=operations.Author(member.id, member.email)
    )


def _urls(draft, structure) -> list[str]:
    return [
        f"/mes-services/{draft.id}",
        f"/mes-services/{draft.id}/modifier",
        f"/mon-espace/structures/{structure.id}/services",
        f"/mon-espace/structures/{structure.id}/services/nouveau",
    ]


def test_members_admins_and_staff_open_every_page(
    client, draft, structure, member, admin, make_user, login
):
    for user in (member, admin, make_user(staff=True)):
        login(user)
        for url in _urls(draft, structure):
            assert client.get(url).status_code == 200, (user.email, url)


def test_anonymous_visitors_are_sent_to_the_login_page(client, draft, structure):
    for url in _urls(draft, structure):
        response = client.get(url)
        assert response.status_code == 302 and "/connexion" in response.headers["Location"]


def test_other_people_cannot_tell_a_draft_exists(
    client, draft, structure, make_user, membership, make_structure, make_manager, login
):
    stranger = make_user()
    membership(stranger, make_structure(code_insee="75056"), "admin")
    for user in (make_user(), stranger, make_manager("75")):
        login(user)
        for url in _urls(draft, structure):
            assert client.get(url).status_code == 404, (user.email, url)
    # Drafts are not on the public page either.
    assert client.get(f"/services/{draft.id}").status_code == 404


def test_the_manager_of_the_departement_sees_the_structure_but_cannot_edit(
    client, draft, structure, make_manager, login
):
    login(make_manager("93"))
    for url in _urls(draft, structure):
        assert client.get(url).status_code == 403, url


def test_an_unknown_id_is_a_404(client, member, login):
    login(member)
    assert client.get("/mes-services/00000000-0000-0000-0000-000000000000").status_code == 404
    assert client.get("/mon-espace/structures/inconnue/services").status_code == 404

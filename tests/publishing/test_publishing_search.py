"""Publishing feeds search: the search feature's outbox captures catalogue writes (database
triggers), so what the editor publishes, edits or withdraws is what /api/v1/search and
/recherche answer, in the same transaction."""

from datetime import date

import pytest

from dora.publishing import operations
from tests.publishing.publishing_helpers import complete_values


@pytest.fixture(autouse=True)
def _needs_search(app):
    if "search_api.search" not in app.view_functions:
        pytest.skip("la recherche (fonctionnalité search) n’est pas encore là")


def _found(client, q: str) -> list[str]:
    response = client.get("/api/v1/search", query_string={"q": q, "commune": "93066"})
    assert response.status_code == 200, response.get_json()
    return [item["nom"] for item in response.get_json()["items"]]


def test_published_edited_and_withdrawn_services_are_what_search_answers(
    client, db_session, structure, author
):
    service = operations.create_service(
        db_session, structure, complete_values(nom="Zyglophone solidaire"), author=author
    )
    assert _found(client, "zyglophone") == []  # a draft is not public

    operations.publish(db_session, service, author=author)
    assert _found(client, "zyglophone") == ["Zyglophone solidaire"]

    operations.update_service(
        db_session,
        service,
        complete_values(nom="Xylophone solidaire"),
        expected_version=service.version,
        author=author,
    )
    assert _found(client, "zyglophone") == []
    assert _found(client, "xylophone") == ["Xylophone solidaire"]

    operations.suspend(db_session, service, date.today(), None, author=author)
    assert _found(client, "xylophone") == []
    operations.resume(db_session, service, author=author)
    assert _found(client, "xylophone") == ["Xylophone solidaire"]

    operations.unpublish(db_session, service, author=author)
    assert _found(client, "xylophone") == []


def test_a_published_service_is_on_the_search_page_and_a_draft_is_not(
    app, client, db_session, structure, author
):
    if "search.search_page" not in app.view_functions:
        pytest.skip("la page /recherche n’est pas encore là")
    published = operations.create_service(
        db_session, structure, complete_values(nom="Zyglophone publié"), author=author
    )
    operations.publish(db_session, published, author=author)
    operations.create_service(
        db_session, structure, complete_values(nom="Zyglophone brouillon"), author=author
    )
    page = client.get("/recherche", query_string={"q": "zyglophone", "commune": "93066"})
    text = page.get_data(as_text=True)
    assert "Zyglophone publié" in text
    assert "Zyglophone brouillon" not in text

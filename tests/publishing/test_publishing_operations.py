from datetime import date, timedelta

import pytest
from geoalchemy2.shape import to_shape
from sqlalchemy import text

from dora.catalogue.models import Service
from dora.publishing import operations, queries
from dora.publishing.models import ServiceChange
from tests.publishing.publishing_helpers import complete_values


def _create(db_session, structure, author, **overrides) -> Service:
    return operations.create_service(
        db_session, structure, complete_values(**overrides), author=author
    )


def test_a_new_service_is_a_draft_placed_at_its_commune_with_a_creation_in_history(
    db_session, structure, author
):
    service = _create(db_session, structure, author)

    assert service.statut == "brouillon"
    assert service.source == "dora"
    assert len(service.id) == 36  # a random UUID: not guessable
    point = to_shape(service.location)
    assert (round(point.y, 1), round(point.x, 1)) == (48.9, 2.4)  # Saint-Denis
    assert service.location_precision == "commune"
    [change] = queries.history(db_session, service.id)
    assert change.action == "creation"
    assert change.author == "membre@tremplin.fr"
    assert change.changes["nom"] == {"avant": None, "apres": "Garage solidaire"}


def test_precise_coordinates_win_over_the_commune_point(db_session, structure, author):
    service = _create(db_session, structure, author, latitude=48.93, longitude=2.36)
    point = to_shape(service.location)
    assert (point.y, point.x) == (48.93, 2.36)
    assert service.location_precision == "adresse"


def test_an_edit_records_who_changed_which_fields_before_and_after(
    db_session, structure, author, make_user
):
    service = _create(db_session, structure, author)
    colleague = operations.Author(user_id=make_user().id, label="collegue@tremplin.fr")

    change = operations.update_service(
        db_session,
        service,
        complete_values(nom="Garage solidaire de Saint-Denis", publics=["jeunes", "femmes"]),
        expected_version=service.version,
        author=colleague,
    )

    assert change is not None
    assert change.action == "modification"
    assert change.author == "collegue@tremplin.fr"
    assert change.changes == {
        "nom": {"avant": "Garage solidaire", "apres": "Garage solidaire de Saint-Denis"},
        "publics": {"avant": ["demandeurs-emploi"], "apres": ["femmes", "jeunes"]},
    }
    assert change.version == service.version == 2


def test_saving_unchanged_values_writes_nothing(db_session, structure, author):
    service = _create(db_session, structure, author)
    result = operations.update_service(
        db_session, service, complete_values(), expected_version=1, author=author
    )
    assert result is None
    assert service.version == 1
    assert len(queries.history(db_session, service.id)) == 1


def test_publication_lists_every_missing_field(db_session, structure, author):
    service = operations.create_service(
        db_session,
        structure,
        {"nom": "Brouillon vide", "modes_accueil": ["en-presentiel"]},
        author=author,
    )
    with pytest.raises(operations.NotPublishable) as error:
        operations.publish(db_session, service, author=author)

    missing = [name for name, _ in error.value.missing]
    assert missing == [
        "description",
        "thematiques",
        "publics",
        "modes_mobilisation",
        "commune",
        "zone_eligibilite",
    ]
    assert "la description" in error.value.message
    assert service.statut == "brouillon"


def test_each_mobilisation_mode_needs_its_contact(db_session, structure, author):
    values = complete_values(
        modes_mobilisation=["envoyer-un-courriel", "utiliser-lien-mobilisation", "telephoner"],
        telephone=None,
    )
    assert [name for name, _ in operations.missing_for_publication(values)] == [
        "courriel",
        "telephone",
        "lien_mobilisation",
    ]


def test_a_remote_service_needs_no_address(db_session, structure, author):
    values = complete_values(
        modes_accueil=["a-distance"],
        adresse=None,
        commune=None,
        code_insee=None,
        code_postal=None,
    )
    assert operations.missing_for_publication(values) == []


def test_publishing_requires_a_validated_structure(db_session, make_structure, author):
    pending = make_structure(moderation="en-attente")
    service = _create(db_session, pending, author)
    with pytest.raises(operations.StructureNotValidated):
        operations.publish(db_session, service, author=author)
    assert service.statut == "brouillon"


def test_publish_unpublish_archive_unarchive_are_recorded(db_session, structure, author):
    service = _create(db_session, structure, author)
    operations.publish(db_session, service, author=author)
    assert service.is_public()
    operations.unpublish(db_session, service, author=author)
    operations.archive(db_session, service, author=author)
    with pytest.raises(operations.InvalidTransition):
        operations.publish(db_session, service, author=author)
    operations.unarchive(db_session, service, author=author)

    actions = [c.action for c in reversed(queries.history(db_session, service.id))]
    assert actions == [
        "creation",
        "publication",
        "depublication",
        "archivage",
        "desarchivage",
    ]
    statuses = [
        c.changes["statut"]["apres"]
        for c in reversed(queries.history(db_session, service.id))
        if "statut" in c.changes
    ]
    assert statuses == ["brouillon", "publie", "brouillon", "archive", "brouillon"]


def test_editing_a_published_service_cannot_remove_what_publication_requires(
    db_session, structure, author
):
    service = _create(db_session, structure, author)
    operations.publish(db_session, service, author=author)
    with pytest.raises(operations.NotPublishable) as error:
        operations.update_service(
            db_session,
            service,
            complete_values(publics=[]),
            expected_version=service.version,
            author=author,
        )
    assert [name for name, _ in error.value.missing] == ["publics"]
    assert service.publics == ["demandeurs-emploi"]


def test_suspension_hides_the_service_in_its_dates_only(db_session, structure, author):
    service = _create(db_session, structure, author)
    operations.publish(db_session, service, author=author)
    today = date.today()

    operations.suspend(db_session, service, today, today + timedelta(days=7), author=author)
    assert not service.is_public()
    assert service.is_public(today + timedelta(days=8))
    with pytest.raises(operations.PublishingError):
        operations.suspend(db_session, service, today, today - timedelta(days=1), author=author)

    operations.resume(db_session, service, author=author)
    assert service.is_public()
    assert [c.action for c in queries.history(db_session, service.id)][:2] == [
        "fin-suspension",
        "suspension",
    ]


def test_only_a_published_service_can_be_suspended(db_session, structure, author):
    service = _create(db_session, structure, author)
    with pytest.raises(operations.InvalidTransition):
        operations.suspend(db_session, service, date.today(), None, author=author)


def test_duplicate_is_a_draft_copy_that_remembers_its_origin(db_session, structure, author):
    service = _create(db_session, structure, author)
    operations.publish(db_session, service, author=author)

    copy = operations.duplicate(db_session, service, author=author)

    assert copy.id != service.id
    assert copy.statut == "brouillon"
    assert copy.nom == "Copie de Garage solidaire"
    assert copy.structure_id == service.structure_id
    assert copy.thematiques == service.thematiques
    assert copy.zone_eligibilite == service.zone_eligibilite
    assert copy.location is not None
    [change] = queries.history(db_session, copy.id)
    assert change.action == "duplication"
    assert change.source_service_id == service.id


def test_still_up_to_date_bumps_date_maj_and_is_recorded(db_session, structure, author):
    service = _create(db_session, structure, author)
    service.date_maj = date.today() - timedelta(days=400)
    db_session.flush()
    assert queries.is_stale(service)
    assert [s.id for s in queries.stale_services(db_session, [structure.id])] == [service.id]

    operations.confirm_up_to_date(db_session, service, author=author)

    assert service.date_maj == date.today()
    assert not queries.is_stale(service)
    assert queries.stale_services(db_session, [structure.id]) == []
    change = queries.history(db_session, service.id)[0]
    assert change.action == "confirmation"
    assert change.changes["date_maj"]["apres"] == date.today().isoformat()


def test_staleness_follows_each_service_frequency(db_session, structure, author):
    monthly = _create(db_session, structure, author, frequence_maj="mensuelle")
    yearly = _create(db_session, structure, author, frequence_maj="annuelle")
    archived = _create(db_session, structure, author, frequence_maj="mensuelle")
    operations.archive(db_session, archived, author=author)
    for service in (monthly, yearly, archived):
        service.date_maj = date.today() - timedelta(days=60)
    db_session.flush()

    assert [s.id for s in queries.stale_services(db_session, [structure.id])] == [monthly.id]
    assert [queries.is_stale(s) for s in (monthly, yearly, archived)] == [True, False, False]


# Conflicts -------------------------------------------------------------------------------------


def test_a_save_from_an_outdated_form_raises_a_conflict_and_writes_nothing(
    db_session, structure, author, make_user
):
    service = _create(db_session, structure, author)
    loaded_version = service.version
    other = operations.Author(user_id=make_user().id, label="autre@tremplin.fr")
    # Someone else saves first: new name and new phone.
    operations.update_service(
        db_session,
        service,
        complete_values(nom="Garage de l’autre", telephone="01 99 99 99 99"),
        expected_version=loaded_version,
        author=other,
    )

    mine = complete_values(nom="Mon garage", description="Ma nouvelle description.")
    with pytest.raises(operations.EditConflict) as raised:
        operations.update_service(
            db_session, service, mine, expected_version=loaded_version, author=author
        )

    conflict = raised.value
    assert service.nom == "Garage de l’autre"  # nothing overwritten
    assert conflict.theirs["nom"] == "Garage de l’autre"
    assert conflict.yours["nom"] == "Mon garage"
    assert conflict.base["nom"] == "Garage solidaire"
    assert conflict.differing == ["nom", "description", "telephone"]
    # Both changed the name: the user must choose; each side keeps what only it changed.
    assert conflict.default_choice("nom") is None
    assert conflict.default_choice("description") == "mien"
    assert conflict.default_choice("telephone") == "leur"
    assert [c.author for c in conflict.changes] == ["autre@tremplin.fr"]

    with pytest.raises(KeyError):
        operations.merge_choices(conflict, {})
    merged = operations.merge_choices(conflict, {"nom": "leur"})
    assert merged["nom"] == "Garage de l’autre"
    assert merged["description"] == "Ma nouvelle description."
    assert merged["telephone"] == "01 99 99 99 99"


def test_status_changes_in_between_are_no_conflict(db_session, structure, author):
    service = _create(db_session, structure, author)
    loaded_version = service.version
    operations.publish(db_session, service, author=author)
    operations.confirm_up_to_date(db_session, service, author=author)

    operations.update_service(
        db_session,
        service,
        complete_values(nom="Nouveau nom"),
        expected_version=loaded_version,
        author=author,
    )
    assert service.nom == "Nouveau nom"
    assert service.statut == "publie"


def test_a_change_outside_the_history_makes_every_field_an_explicit_choice(
    db_session, structure, author
):
    service = _create(db_session, structure, author)
    db_session.execute(
        text("UPDATE service SET nom = 'Importé', version = version + 1 WHERE id = :id"),
        {"id": service.id},
    )
    db_session.expire(service)
    with pytest.raises(operations.EditConflict) as raised:
        operations.update_service(
            db_session,
            service,
            complete_values(description="Autre."),
            expected_version=1,
            author=author,
        )
    assert not raised.value.complete_history
    assert raised.value.differing == ["nom", "description"]
    assert raised.value.default_choice("description") is None


def test_a_write_racing_between_check_and_update_is_caught_by_the_version_column(
    db_session, structure, author
):
    service = _create(db_session, structure, author)
    assert service.version == 1
    # Another transaction commits after we loaded the row (same version in our identity map).
    db_session.execute(
        text("UPDATE service SET telephone = '09 00 00 00 00', version = 2 WHERE id = :id"),
        {"id": service.id},
    )
    db_session.add(
        ServiceChange(
            service_id=service.id,
            author="autre@tremplin.fr",
            action="modification",
            changes={"telephone": {"avant": "01 23 45 67 89", "apres": "09 00 00 00 00"}},
            version=2,
        )
    )
    db_session.flush()

    with pytest.raises(operations.EditConflict) as raised:
        operations.update_service(
            db_session,
            service,
            complete_values(nom="Mon nom"),
            expected_version=1,
            author=author,
        )
    assert raised.value.theirs["telephone"] == "09 00 00 00 00"
    db_session.refresh(service)
    assert service.nom == "Garage solidaire"
    assert service.version == 2

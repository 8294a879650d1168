"""Every migration upgrades from an empty database, downgrades to nothing, and matches
the models."""

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from dora.config import normalise_database_url

EXTENSION_TABLES = {"spatial_ref_sys"}


@pytest.fixture
def scratch_database_url(database_url):
    url = make_url(normalise_database_url(database_url))
    name = f"{url.database}_migrations"
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _tables(engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names()) - EXTENSION_TABLES - {"alembic_version"}


def test_upgrade_downgrade_upgrade_and_models_match(scratch_database_url):
    import flask_migrate
    from alembic.util.exc import CommandError

    from dora import create_app
    from dora.extensions import db

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": scratch_database_url,
            "TESTING": True,
            "DORA_ENV": "testing",
            "SECRET_KEY": "migrations-test",
        }
    )
    with app.app_context():
        flask_migrate.upgrade()
        assert {"service", "structure", "commune", "departement"} <= _tables(db.engine)
        flask_migrate.downgrade(revision="base")
        assert _tables(db.engine) == set()
        flask_migrate.upgrade()
        try:
            flask_migrate.check()
        except CommandError as error:  # pragma: no cover - the message is the diagnosis
            pytest.fail(f"models and migrations differ: {error}")
        db.engine.dispose()


def test_history_is_linear_so_plain_upgrade_works():
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from dora.config import MIGRATIONS_DIR

    config = Config(str(MIGRATIONS_DIR / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1, f"several heads: {heads}; chain new revisions on the last one"


def test_0006_makes_stored_web_addresses_valid_uris(scratch_database_url):
    import flask_migrate

    from dora import create_app
    from dora.extensions import db

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": scratch_database_url,
            "TESTING": True,
            "DORA_ENV": "testing",
            "SECRET_KEY": "migrations-test",
        }
    )
    with app.app_context():
        flask_migrate.upgrade(revision="0005")
        with db.engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO structure (id, source, nom, date_maj, site_web, lien_source) "
                    "VALUES ('s', 't', 'S', current_date, :bad, :good)"
                ),
                {"bad": 'https://exemple.fr/a "b"/é', "good": "https://exemple.fr/x?y=1&z=%20"},
            )
        flask_migrate.upgrade(revision="0006")
        with db.engine.connect() as connection:
            row = connection.execute(sa.text("SELECT site_web, lien_source FROM structure")).one()
        assert row.site_web == "https://exemple.fr/a%20%22b%22/%C3%A9"
        assert row.lien_source == "https://exemple.fr/x?y=1&z=%20"
        db.engine.dispose()


def test_0013_backfills_the_opening_week_of_existing_services(scratch_database_url):
    import flask_migrate

    from dora import create_app
    from dora.core.opening_week import week_mask
    from dora.extensions import db

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": scratch_database_url,
            "TESTING": True,
            "DORA_ENV": "testing",
            "SECRET_KEY": "migrations-test",
        }
    )
    hours = {"a": "Mo-Fr 09:00-12:00; PH off", "b": "Sa 14:00-18:00", "c": "pas lisible"}
    with app.app_context():
        flask_migrate.upgrade(revision="0010_pro_tools")
        with db.engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO structure (id, source, nom, date_maj, moderation) "
                    "VALUES ('s', 't', 'S', current_date, 'validee')"
                )
            )
            for service_id, value in hours.items():
                connection.execute(
                    sa.text(
                        "INSERT INTO service (id, source, structure_id, nom, description, "
                        "date_maj, statut, horaires_accueil) VALUES "
                        "(:id, 't', 's', 'S', 'D', current_date, 'publie', :hours)"
                    ),
                    {"id": service_id, "hours": value},
                )
        flask_migrate.upgrade(revision="0013_search_open")
        with db.engine.connect() as connection:
            rows = connection.execute(
                sa.text(
                    "SELECT s.id, s.opening_week, d.opening_week AS indexed FROM service AS s"
                    " JOIN search_document AS d ON d.service_id = s.id ORDER BY s.id"
                )
            ).all()
        assert [(r.id, r.opening_week, r.indexed) for r in rows] == [
            (key, week_mask(value), week_mask(value)) for key, value in sorted(hours.items())
        ]
        assert rows[0].opening_week is not None and rows[2].opening_week is None
        db.engine.dispose()

"""A live dora server for the browser tests of maps and embed.

The browser cannot share the per-test rolled-back connection, so the server runs in a thread
on its own database (`<test database>_maps_live`): created, migrated and loaded once per test
session, seeded with committed rows, dropped at the end. Loaded by path from the conftests of
tests/maps and tests/embed under one module name, so both share one server.
"""

from __future__ import annotations

import shutil
import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

# Seine-Saint-Denis: a 4 × 3 grid of services, far enough apart to be separate markers at
# the zoom that shows the whole département.
SEED_POINTS = [(2.32 + 0.07 * i, 48.86 + 0.05 * j) for j in range(3) for i in range(4)]
SEED_COMMUNES = ["93066", "93001", "93048", "93008"]
THEMATIQUES = [
    "mobilite--preparer-un-permis",
    "numerique--acquerir-un-equipement",
    "sante--acces-aux-soins",
    "famille--garde-denfants",
]


@dataclass
class LiveDora:
    app: object
    base_url: str
    server: object
    thread: threading.Thread
    admin_url: str
    database: str
    users: int = 0


_live: LiveDora | None = None


def chromium_available() -> bool:
    return shutil.which(CHROMIUM) is not None


def acquire(test_database_url: str) -> LiveDora:
    global _live
    if _live is None:
        _live = _start(test_database_url)
    _live.users += 1
    return _live


def release() -> None:
    global _live
    if _live is None:
        return
    _live.users -= 1
    if _live.users <= 0:
        _stop(_live)
        _live = None


def _start(test_database_url: str) -> LiveDora:
    import flask_migrate
    from werkzeug.serving import make_server

    from dora import create_app
    from dora.config import normalise_database_url
    from dora.extensions import db
    from geodata.load import load_all

    url = make_url(normalise_database_url(test_database_url))
    database = f"{url.database}_maps_live"
    admin_url = url.set(database="postgres").render_as_string(hide_password=False)
    _recreate(admin_url, database)
    live_url = url.set(database=database).render_as_string(hide_password=False)
    app = create_app(
        {
            "TESTING": True,
            "DORA_ENV": "testing",
            "SQLALCHEMY_DATABASE_URI": live_url,
            "SECRET_KEY": "maps-browser-test",
            "RATELIMIT_ENABLED": False,
        }
    )
    with app.app_context():
        flask_migrate.upgrade(revision="heads")
        with db.engine.begin() as connection:
            load_all(connection)
        _seed(db.session)
        db.session.commit()
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return LiveDora(
        app=app,
        base_url=f"http://127.0.0.1:{server.server_port}",
        server=server,
        thread=thread,
        admin_url=admin_url,
        database=database,
    )


def _recreate(admin_url: str, database: str) -> None:
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        connection.execute(sa.text(f'CREATE DATABASE "{database}"'))
    admin.dispose()


def _seed(session) -> None:
    from geoalchemy2.elements import WKTElement

    from dora.catalogue.models import Service, Structure

    structure = Structure(
        id="live--structure", source="test", nom="Maison de l’insertion", date_maj=date.today()
    )
    session.add(structure)
    for index, (lon, lat) in enumerate(SEED_POINTS):
        session.add(
            Service(
                id=f"live--service-{index:02d}",
                source="test",
                structure_id=structure.id,
                nom=f"Service d’essai {index + 1:02d}",
                description="Un service pour les essais dans le navigateur.",
                date_maj=date.today(),
                statut="publie",
                thematiques=[THEMATIQUES[index % len(THEMATIQUES)]],
                publics=["tous-publics"],
                modes_accueil=["en-presentiel"],
                zone_eligibilite=["93"],
                code_insee=SEED_COMMUNES[index % len(SEED_COMMUNES)],
                location=WKTElement(f"POINT({lon} {lat})", srid=4326),
                location_precision="adresse",
                longitude=lon,
                latitude=lat,
            )
        )
    session.flush()


def _stop(live: LiveDora) -> None:
    from dora.extensions import db

    live.server.shutdown()
    live.server.server_close()
    live.thread.join(5)
    with live.app.app_context():
        db.session.remove()
        db.engine.dispose()
    admin = sa.create_engine(live.admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{live.database}" WITH (FORCE)'))
    admin.dispose()


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

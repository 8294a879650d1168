"""The database goes down under a running app, then comes back.

A throwaway PostgreSQL cluster of its own (scripts/localdb.py with DORA_PG_DIR) is started,
migrated and loaded, served by an app, stopped while the app runs, and started again: pages and
API answer 503 with Retry-After while it is down, and everything works again afterwards without
restarting the app.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LOCALDB = [sys.executable, str(ROOT / "scripts" / "localdb.py")]
# (The home page keeps its figures in memory for a few minutes: it is not among them.)
PAGES = ["/recherche?commune=93066", "/services/outage--svc", "/territoires/departement/93"]
API = ["/api/v1/search?commune=93066", "/api/v1/services", "/api/v1/communes?q=saint"]


def _localdb(directory: Path, *args: str) -> str:
    env = {**os.environ, "DORA_PG_DIR": str(directory)}
    result = subprocess.run([*LOCALDB, *args], env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.fixture(scope="module")
def cluster():
    # Not under pytest's basetemp: every pytest run resets it to 0700, which would lock the
    # postgres user out of a cluster living there while another run starts.
    root = Path(tempfile.mkdtemp(prefix="dora-outage-"))
    directory = root / "pg"
    _localdb(directory, "start")
    _localdb(directory, "createdb", "dora_outage")
    yield directory
    _localdb(directory, "stop")
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def outage_app(cluster):
    import flask_migrate

    from dora import create_app
    from dora.extensions import db
    from geodata.load import load_all

    app = create_app(
        {
            "TESTING": False,
            "PROPAGATE_EXCEPTIONS": False,
            "DORA_ENV": "testing",
            "SECRET_KEY": "outage",
            "WTF_CSRF_ENABLED": False,
            "SQLALCHEMY_DATABASE_URI": _localdb(cluster, "url", "dora_outage"),
            "RATELIMIT_ENABLED": False,
        }
    )
    with app.app_context():
        flask_migrate.upgrade()
        with db.engine.begin() as connection:
            load_all(connection)
            connection.exec_driver_sql(
                "INSERT INTO structure (id, source, nom, date_maj) "
                "VALUES ('outage--str', 'test', 'Structure', current_date)"
            )
            connection.exec_driver_sql(
                "INSERT INTO service (id, source, structure_id, nom, description, date_maj, "
                "statut, thematiques, zone_eligibilite, code_insee) VALUES ('outage--svc', "
                "'test', 'outage--str', 'Atelier vélo', 'Réparer son vélo', current_date, "
                "'publie', '{mobilite--preparer-un-permis}', '{93}', '93066')"
            )
    yield app
    with app.app_context():
        db.engine.dispose()


def _all_answer(client, expected: int) -> None:
    for url in ["/", *PAGES, *API, "/healthz"]:
        assert client.get(url).status_code == expected, url


def test_outage_answers_503_and_the_app_recovers_by_itself(cluster, outage_app):
    client = outage_app.test_client()
    _all_answer(client, 200)

    _localdb(cluster, "stop")
    try:
        for url in API:
            response = client.get(url)
            assert response.status_code == 503, url
            assert response.headers["Retry-After"] == "30"
            assert response.get_json()["error"]["code"] == "service_indisponible"
        for url in PAGES:
            response = client.get(url)
            assert response.status_code == 503, url
            assert response.headers["Retry-After"] == "30"
            assert "momentanément indisponible" in response.get_data(as_text=True)
        health = client.get("/healthz")
        assert health.status_code == 503
        assert health.get_json()["database"] == "injoignable"
        # A form post while down: 503 too, not a 500.
        response = client.post("/connexion", data={"email": "a@exemple.fr", "password": "x"})
        assert response.status_code == 503
    finally:
        _localdb(cluster, "start")

    # Restarted on the same port, though the stopped server's connections linger in
    # TIME_WAIT there: the app's URL still leads to it.
    assert _localdb(cluster, "url", "dora_outage") == outage_app.config["SQLALCHEMY_DATABASE_URI"]
    _all_answer(client, 200)

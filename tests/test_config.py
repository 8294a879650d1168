"""Settings: every variable of the README's table is read from the environment, the safe mode
is the default, and development shares one secret key between processes."""

from __future__ import annotations

import logging
import re
import subprocess
import sys
from pathlib import Path

import pytest

from dora import config

README = Path(__file__).resolve().parent.parent / "README.md"
# Read by the Makefile or the test suite, not by the app.
NOT_APP_SETTINGS = {"TEST_DATABASE_URL", "PORT"}
# A value each setting accepts, and how the app stores it.
SAMPLES = {
    "DATABASE_URL": ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
    "DORA_ENV": ("testing", "testing"),
    "SEARCH_RESPONSE_CACHE_SIZE": ("7", 7),
    "SEARCH_ACCELERATOR": ("0", False),
    "MAP_MAX_POINTS": ("123", 123),
    "MAIL_PORT": ("2525", 2525),
    "MAIL_USE_TLS": ("1", True),
    "STALE_AFTER_DAYS": ("30", 30),
    "MAX_CONTENT_LENGTH": ("1048576", 1048576),
    "ORIENTATION_RETENTION_DAYS": ("90", 90),
    "ORIENTATION_REMINDER_WORKING_DAYS": ("3", 3),
    "ORIENTATION_EXPIRY_DAYS": ("45", 45),
    "ORIENTATION_ACCESS_LOG_DAYS": ("730", 730),
    "SEARCH_QUEUE_MAX_AGE": ("120", 120),
}
CONFIG_KEYS = {"DATABASE_URL": "SQLALCHEMY_DATABASE_URI"}


def readme_variables() -> list[str]:
    section = README.read_text().split("## Configuration", 1)[1].split("\n## ", 1)[0]
    names: list[str] = []
    for line in section.splitlines():
        if line.startswith("| `"):
            names += re.findall(r"`([A-Z][A-Z0-9_]+)`", line.split("|")[1])
    return [n for n in names if n not in NOT_APP_SETTINGS]


def test_the_readme_lists_the_settings():
    names = readme_variables()
    assert {"SECRET_KEY", "MAP_MAX_POINTS", "LOGIN_LIMIT_PER_ACCOUNT", "MAIL_LIMIT_PER_IP"} <= set(
        names
    )


@pytest.mark.parametrize("name", readme_variables())
def test_each_readme_variable_is_read_from_the_environment(monkeypatch, name):
    raw, expected = SAMPLES.get(name, (f"valeur-de-{name.lower()}", None))
    monkeypatch.setenv(name, raw)
    settings = config.from_environment()
    assert settings[CONFIG_KEYS.get(name, name)] == (raw if expected is None else expected)


def test_production_is_the_default(monkeypatch):
    monkeypatch.delenv("DORA_ENV", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    settings = config.from_environment()
    assert settings["DORA_ENV"] == "production"
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["SECRET_KEY"] is None
    assert any("SECRET_KEY" in p for p in config.problems(settings))


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    from dora import create_app

    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("DORA_ENV", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY doit être défini"):
        create_app({"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://u@h/db"})


def test_development_is_asked_for(monkeypatch, tmp_path):
    monkeypatch.setattr(config, "DEV_SECRET_KEY_FILE", tmp_path / "secret_key")
    monkeypatch.setenv("DORA_ENV", "development")
    settings = config.from_environment()
    assert settings["SESSION_COOKIE_SECURE"] is False


def test_a_bad_number_says_which_variable(monkeypatch):
    monkeypatch.setenv("MAP_MAX_POINTS", "beaucoup")
    with pytest.raises(RuntimeError, match="MAP_MAX_POINTS doit être un nombre entier"):
        config.from_environment()


def test_development_key_is_made_once_and_shared_by_processes(tmp_path):
    path = tmp_path / "var" / "secret_key"
    script = (
        "import sys; from pathlib import Path; from dora.config import development_secret_key;"
        "print(development_secret_key(Path(sys.argv[1])))"
    )
    keys = {
        subprocess.run(
            [sys.executable, "-c", script, str(path)], check=True, capture_output=True, text=True
        ).stdout.strip()
        for _ in range(3)
    }
    assert len(keys) == 1 and len(keys.pop()) == 64
    assert path.stat().st_mode & 0o777 == 0o600


def test_development_uses_the_shared_key(monkeypatch, tmp_path):
    path = tmp_path / "secret_key"
    monkeypatch.setattr(config, "DEV_SECRET_KEY_FILE", path)
    monkeypatch.setenv("DORA_ENV", "development")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = config.from_environment()["SECRET_KEY"]
    assert first == config.from_environment()["SECRET_KEY"] == path.read_text().strip()


def test_memory_rate_limits_are_reported_in_production(caplog):
    settings = {"DORA_ENV": "production", "RATELIMIT_STORAGE_URI": "memory://"}
    assert any("chaque processus" in w for w in config.warnings(settings))
    assert config.warnings({**settings, "RATELIMIT_STORAGE_URI": "redis://r:6379"}) == []
    assert config.warnings({**settings, "DORA_ENV": "development"}) == []


def test_the_warning_is_logged_at_start_up(monkeypatch, caplog):
    from dora import create_app

    with caplog.at_level(logging.WARNING, logger="dora"):
        create_app(
            {
                "DORA_ENV": "production",
                "SECRET_KEY": "k" * 32,
                "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://u@h/db",
                "RATELIMIT_STORAGE_URI": "memory://",
            }
        )
    assert "RATELIMIT_STORAGE_URI=memory://" in caplog.text

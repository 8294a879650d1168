"""Settings, read from the environment once at start-up — every one of them, here.

The README's configuration table lists these variables; a test checks that each one listed
there is read from the environment by `from_environment`.
"""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS_DIR = PROJECT_ROOT / "migrations"
# Development only: the secret key generated once and shared by every process of the machine
# (each gunicorn worker, the CLI, `flask run`'s reloader), so sessions and CSRF tokens made by
# one are valid in the others.
DEV_SECRET_KEY_FILE = PROJECT_ROOT / "var" / "secret_key"
ENVIRONMENTS = ("production", "development", "testing")

log = logging.getLogger(__name__)


def normalise_database_url(url: str) -> str:
    """Accept the usual `postgres://` / `postgresql://` spellings, always use psycopg 3."""
    for prefix in ("postgres://", "postgresql://", "postgresql+psycopg2://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on", "oui"}


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        return int(raw)
    except ValueError:
        raise RuntimeError(f"{name} doit être un nombre entier (reçu : {raw!r}).") from None


def _str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def development_secret_key(path: Path = DEV_SECRET_KEY_FILE) -> str:
    """The development key: read from `path`, created there (mode 600) the first time."""
    try:
        key = path.read_text().strip()
        if key:
            return key
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # O_EXCL: when several workers start at once, one writes and the others read its key.
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip() or key
    with os.fdopen(descriptor, "w") as file:
        file.write(key + "\n")
    return key


def _secret_key(env: str) -> str | None:
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    if env == "development":
        return development_secret_key(DEV_SECRET_KEY_FILE)
    # Production refuses to start without SECRET_KEY (dora.create_app); tests pass their own.
    return None


def from_environment(env: str | None = None) -> dict:
    """The settings; `env` (an app's own DORA_ENV, e.g. the tests') wins over DORA_ENV."""
    # The safe mode is the default: development (dev mailbox, cookies without Secure) must be
    # asked for explicitly, as `make run` does.
    env = env or os.environ.get("DORA_ENV", "production")
    database_url = os.environ.get("DATABASE_URL", "")
    secure_cookies = env not in {"development", "testing"}
    return {
        "DORA_ENV": env,
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url) if database_url else "",
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "SECRET_KEY": _secret_key(env),
        "SERVER_NAME": os.environ.get("SERVER_NAME") or None,
        "PREFERRED_URL_SCHEME": _str("PREFERRED_URL_SCHEME", "http"),
        "DORA_BASE_URL": _str("DORA_BASE_URL", "http://127.0.0.1:5000"),
        # Search
        "SEARCH_BACKEND": _str("SEARCH_BACKEND", "postgres"),
        "MEILISEARCH_URL": _str("MEILISEARCH_URL", ""),
        "MEILISEARCH_API_KEY": _str("MEILISEARCH_API_KEY", ""),
        "MEILISEARCH_INDEX": _str("MEILISEARCH_INDEX", "services"),
        "SEARCH_RESPONSE_CACHE_SIZE": _int("SEARCH_RESPONSE_CACHE_SIZE", 1024),
        "SEARCH_ACCELERATOR": _bool("SEARCH_ACCELERATOR", True),
        "SEARCH_QUEUE_MAX_AGE": _int("SEARCH_QUEUE_MAX_AGE", 300),
        # Maps
        "MAP_TILES_URL": _str(
            "MAP_TILES_URL", "https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png"
        ),
        "MAP_TILES_ATTRIBUTION": _str(
            "MAP_TILES_ATTRIBUTION",
            '&copy; <a href="https://www.openstreetmap.org/copyright">'
            "les contributeurs d’OpenStreetMap</a>",
        ),
        "MAP_MAX_POINTS": _int("MAP_MAX_POINTS", 500),
        # E-mail
        "MAIL_SERVER": _str("MAIL_SERVER", "127.0.0.1"),
        "MAIL_PORT": _int("MAIL_PORT", 8025),
        "MAIL_USERNAME": _str("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": _str("MAIL_PASSWORD", ""),
        "MAIL_USE_TLS": _bool("MAIL_USE_TLS", False),
        "MAIL_DEFAULT_SENDER": _str("MAIL_DEFAULT_SENDER", "dora <ne-pas-repondre@dora.local>"),
        # Rate limits (Flask-Limiter syntax) and their storage
        "RATELIMIT_STORAGE_URI": _str("RATELIMIT_STORAGE_URI", "memory://"),
        "LOGIN_LIMIT_PER_IP": _str("LOGIN_LIMIT_PER_IP", "30 per 15 minutes"),
        "LOGIN_LIMIT_PER_ACCOUNT": _str("LOGIN_LIMIT_PER_ACCOUNT", "5 per 15 minutes"),
        "LOGIN_ACCOUNT_CEILING": _str("LOGIN_ACCOUNT_CEILING", "100 per hour"),
        "MAIL_LIMIT_PER_IP": _str("MAIL_LIMIT_PER_IP", "10 per hour"),
        "MAIL_LIMIT_PER_ADDRESS": _str("MAIL_LIMIT_PER_ADDRESS", "3 per hour"),
        # Cookies
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": secure_cookies,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": secure_cookies,
        # Services not updated for this long are flagged as stale (never hidden).
        "STALE_AFTER_DAYS": _int("STALE_AFTER_DAYS", 365),
        # The largest request accepted (3 attachments of 5 MB and the form, with room): above
        # it the answer is a 413 page, before anything is read into memory.
        "MAX_CONTENT_LENGTH": _int("MAX_CONTENT_LENGTH", 20 * 1024 * 1024),
        # Orientations (dora.orientation): where attachments are stored (outside static/),
        # how long personal data are kept after the last status change, when an unanswered
        # referral is reminded (working days) and when it expires (days), how long reads
        # stay in the access log.
        "ORIENTATION_STORAGE_DIR": _str(
            "ORIENTATION_STORAGE_DIR", str(PROJECT_ROOT / "var" / "orientations")
        ),
        "ORIENTATION_RETENTION_DAYS": _int("ORIENTATION_RETENTION_DAYS", 183),
        "ORIENTATION_REMINDER_WORKING_DAYS": _int("ORIENTATION_REMINDER_WORKING_DAYS", 5),
        "ORIENTATION_EXPIRY_DAYS": _int("ORIENTATION_EXPIRY_DAYS", 30),
        "ORIENTATION_ACCESS_LOG_DAYS": _int("ORIENTATION_ACCESS_LOG_DAYS", 365),
    }


class ConfigError(RuntimeError):
    """The settings cannot work (the message says which and how to fix it, in French)."""


def problems(config: dict) -> list[str]:
    """Why the app must not start with this configuration (French), empty when it can."""
    found = []
    if config.get("DORA_ENV") not in ENVIRONMENTS:
        found.append(
            f"DORA_ENV vaut {config.get('DORA_ENV')!r} : indiquez production, development "
            "ou testing."
        )
    if not config.get("SQLALCHEMY_DATABASE_URI"):
        found.append(
            "DATABASE_URL n’est pas défini : indiquez l’URL PostgreSQL/PostGIS "
            "(ex. postgresql://user@localhost/dora) ou lancez `make run`."
        )
    if not config.get("SECRET_KEY"):
        found.append(
            "SECRET_KEY doit être défini en production (une longue valeur aléatoire, la même "
            "pour tous les processus). En développement, lancez avec DORA_ENV=development."
        )
    return found


def warnings(config: dict) -> list[str]:
    """What works but should not be deployed this way (logged at start-up)."""
    found = []
    if config.get("DORA_ENV") == "production" and str(
        config.get("RATELIMIT_STORAGE_URI", "")
    ).startswith("memory://"):
        found.append(
            "RATELIMIT_STORAGE_URI=memory:// : les compteurs de tentatives sont propres à "
            "chaque processus ; avec N workers gunicorn, N fois plus d’essais sont permis. "
            "Utilisez un stockage partagé (redis://… ou memcached://…)."
        )
    return found

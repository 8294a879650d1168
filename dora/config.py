"""Settings, read from the environment once at start-up."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS_DIR = PROJECT_ROOT / "migrations"


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
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def from_environment() -> dict:
    env = os.environ.get("DORA_ENV", "development")
    database_url = os.environ.get("DATABASE_URL", "")
    return {
        "DORA_ENV": env,
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url) if database_url else "",
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        # A random key in development means sessions do not survive a restart; production
        # deployments must set SECRET_KEY (create_app refuses to start otherwise).
        "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_hex(32),
        "SECRET_KEY_FROM_ENV": bool(os.environ.get("SECRET_KEY")),
        "SERVER_NAME": os.environ.get("SERVER_NAME") or None,
        "PREFERRED_URL_SCHEME": os.environ.get("PREFERRED_URL_SCHEME", "http"),
        "SEARCH_BACKEND": os.environ.get("SEARCH_BACKEND", "postgres"),
        "MEILISEARCH_URL": os.environ.get("MEILISEARCH_URL", ""),
        "MEILISEARCH_API_KEY": os.environ.get("MEILISEARCH_API_KEY", ""),
        "MEILISEARCH_INDEX": os.environ.get("MEILISEARCH_INDEX", "services"),
        "MAP_TILES_URL": os.environ.get(
            "MAP_TILES_URL", "https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png"
        ),
        "MAP_TILES_ATTRIBUTION": os.environ.get(
            "MAP_TILES_ATTRIBUTION",
            '&copy; <a href="https://www.openstreetmap.org/copyright">'
            "les contributeurs d’OpenStreetMap</a>",
        ),
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", "127.0.0.1"),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "8025")),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD", ""),
        "MAIL_USE_TLS": _bool("MAIL_USE_TLS", False),
        "MAIL_DEFAULT_SENDER": os.environ.get(
            "MAIL_DEFAULT_SENDER", "dora <ne-pas-repondre@dora.local>"
        ),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env not in {"development", "testing"},
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": env not in {"development", "testing"},
        # Services not updated for this long are flagged as stale (never hidden).
        "STALE_AFTER_DAYS": int(os.environ.get("STALE_AFTER_DAYS", "365")),
        # The largest request accepted (3 attachments of 5 MB and the form, with room): above
        # it the answer is a 413 page, before anything is read into memory.
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_CONTENT_LENGTH", str(20 * 1024 * 1024))),
        # Orientations (dora.orientation): where attachments are stored (outside static/),
        # how long personal data are kept after the last status change, when an unanswered
        # referral is reminded (working days) and when it expires (days).
        "ORIENTATION_STORAGE_DIR": os.environ.get(
            "ORIENTATION_STORAGE_DIR", str(PROJECT_ROOT / "var" / "orientations")
        ),
        "ORIENTATION_RETENTION_DAYS": int(os.environ.get("ORIENTATION_RETENTION_DAYS", "183")),
        "ORIENTATION_REMINDER_WORKING_DAYS": int(
            os.environ.get("ORIENTATION_REMINDER_WORKING_DAYS", "5")
        ),
        "ORIENTATION_EXPIRY_DAYS": int(os.environ.get("ORIENTATION_EXPIRY_DAYS", "30")),
        "ORIENTATION_ACCESS_LOG_DAYS": int(os.environ.get("ORIENTATION_ACCESS_LOG_DAYS", "365")),
    }

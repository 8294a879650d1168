"""Where a page may send the browser next: paths of this site only (no open redirect)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

# Browsers drop tabs and newlines from URLs ("/\t/evil.example" becomes "//evil.example")
# and treat a backslash as a slash: such a `next` is refused, not cleaned.
_CONTROL_OR_BACKSLASH = re.compile(r"[\x00-\x20\x7f\\]")
MAX_LENGTH = 2000


def same_site_path(target: str | None) -> str | None:
    """`target` when it is a path of this site (`/…`, not `//host…`), else None."""
    if not target or len(target) > MAX_LENGTH or _CONTROL_OR_BACKSLASH.search(target):
        return None
    if not target.startswith("/") or target.startswith("//"):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


# Characters an RFC 3986 URI may hold as they are (the OpenAPI `format: uri` of our exports).
_URI_CHARACTERS = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")


def normalise_web_url(raw: str | None) -> str | None:
    """An http(s) address as a valid URI, or None when it is not one.

    Kept as typed when it already is a valid URI; otherwise percent-encoded (a quote, a space,
    an accent) and its host punycoded, as browsers do (pydantic's HttpUrl)."""
    from pydantic import HttpUrl, TypeAdapter, ValidationError

    text = (raw or "").strip()
    if not text or len(text) > MAX_LENGTH:
        return None
    try:
        parsed = TypeAdapter(HttpUrl).validate_python(text)
    except ValidationError:
        return None
    if parsed.scheme not in {"http", "https"} or not parsed.host:
        return None
    parts = urlsplit(text)
    if (
        _URI_CHARACTERS.fullmatch(text)
        and parts.scheme.lower() in {"http", "https"}
        and parts.hostname
        and "%" not in parts.netloc
    ):
        return text
    return str(parsed)

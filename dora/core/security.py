"""Response headers shared by every route: Content-Security-Policy, framing, hardening.

Every page gets a Content-Security-Policy whose `script-src` admits our own files and the
inline scripts that carry this response's nonce (the folium map scripts, see
dora.core.mapbuilder.MapHtml). An escaping slip in a template or a map label can then no longer
run code: an injected `<script>` or `onerror=` has no nonce.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from functools import wraps
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, g, has_request_context, request
from markupsafe import Markup

NONCE_KEY = "dora.csp_nonce"


def allow_framing(view: Callable) -> Callable:
    """Mark a view as embeddable by any site (partner widgets); every other page is not."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        g.allow_framing = True
        return view(*args, **kwargs)

    return wrapper


def csp_nonce() -> str:
    """This response's script nonce (drawn on first use, one per request). Kept in the
    request's environ, not in `g`: an app context can outlive a request (tests, CLI)."""
    if not has_request_context():
        return ""
    nonce = request.environ.get(NONCE_KEY)
    if nonce is None:
        nonce = request.environ[NONCE_KEY] = secrets.token_urlsafe(18)
    return nonce


def inline_script(code: str) -> Markup:
    """`<script nonce=…>code</script>`: the only way our Python code emits inline scripts.
    `code` is JavaScript we generated; user text inside it must already be escaped for its
    context (dora.core.mapbuilder.map_label)."""
    return Markup('<script nonce="{}">{}</script>').format(csp_nonce(), Markup(code))


def tile_source(tiles_url: str) -> str:
    """The CSP source of the map tiles: `https://{s}.tile.osm.org/…` → `https://*.tile.osm.org`."""
    parts = urlsplit(tiles_url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return ""
    host = parts.hostname.replace("{s}", "*")
    if "{" in host:  # another placeholder in the host name: allow the parent domain's hosts
        host = "*." + host.split(".", 1)[1] if "." in host else ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}" if host else ""


def content_security_policy(framing: bool, nonce: str, tiles_url: str) -> str:
    tiles = tile_source(tiles_url)
    directives = [
        "default-src 'self'",
        f"script-src 'self' 'nonce-{nonce}'",
        # Leaflet and folium position and colour markers with inline styles.
        "style-src 'self' 'unsafe-inline'",
        f"img-src 'self' data: {tiles}".rstrip(),
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors *" if framing else "frame-ancestors 'self'",
    ]
    return "; ".join(directives)


def register_security_headers(app: Flask) -> None:
    app.jinja_env.globals["csp_nonce"] = csp_nonce

    @app.after_request
    def set_headers(response: Response) -> Response:
        framing = bool(g.get("allow_framing"))
        response.headers["Content-Security-Policy"] = content_security_policy(
            framing, csp_nonce(), current_app.config.get("MAP_TILES_URL", "")
        )
        if framing:
            response.headers.pop("X-Frame-Options", None)
        else:
            response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        if current_app.config.get("DORA_ENV") == "production":
            response.headers.setdefault(
                "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
            )
        return response

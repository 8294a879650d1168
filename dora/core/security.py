"""Response headers shared by every route: framing policy and basic hardening."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import Flask, Response, g


def allow_framing(view: Callable) -> Callable:
    """Mark a view as embeddable by any site (partner widgets); every other page is not."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        g.allow_framing = True
        return view(*args, **kwargs)

    return wrapper


def register_security_headers(app: Flask) -> None:
    @app.after_request
    def set_headers(response: Response) -> Response:
        if g.get("allow_framing"):
            response.headers["Content-Security-Policy"] = "frame-ancestors *"
            response.headers.pop("X-Frame-Options", None)
        else:
            response.headers.setdefault("Content-Security-Policy", "frame-ancestors 'self'")
            response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        return response

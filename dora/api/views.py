"""Routes of the API itself: its OpenAPI description (see dora.api.openapi)."""

from dora.api.openapi import bp

__all__ = ["bp"]

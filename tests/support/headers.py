"""Reading security headers in tests."""

from __future__ import annotations


def csp(response) -> dict[str, str]:
    """The Content-Security-Policy of a response, as {directive: sources}."""
    policy = response.headers["Content-Security-Policy"]
    directives = (part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    return {d[0]: (d[1] if len(d) > 1 else "") for d in directives}

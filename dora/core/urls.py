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

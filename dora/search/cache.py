"""A small per-process cache of /api/v1/search answers, exact by construction.

An answer depends on the query, on the index and on the day (suspensions). The key holds the
whole query (page included), the identity and `version` of the process' copy of the index
(dora.search.accel: bumped by every change it applies, and each request first brings it up
to date with the committed index) and today's date. Answers are only cached when that copy
can answer for the request (it has not written anything itself). Least recently used
answers go first; `SEARCH_RESPONSE_CACHE_SIZE` (default 1024, 0 disables) sets the size.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

DEFAULT_SIZE = 1024


class ResponseCache:
    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        self.size = size
        self.lock = threading.Lock()
        self.entries: OrderedDict[tuple, Any] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def get(self, key: tuple) -> Any | None:
        with self.lock:
            found = self.entries.get(key)
            if found is None:
                self.misses += 1
                return None
            self.entries.move_to_end(key)
            self.hits += 1
            return found

    def put(self, key: tuple, value: Any) -> None:
        if self.size <= 0:
            return
        with self.lock:
            self.entries[key] = value
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)

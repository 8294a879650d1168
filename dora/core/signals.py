"""Signals between features, so that a writer need not know who listens.

`services_bulk_written` is sent by bulk writers (demo seed, data·inclusion import) after they
wrote services with COPY/executemany, inside their transaction, before it commits:
    services_bulk_written.send(connection, service_ids=[...] or None)
`service_ids=None` means "possibly all services". The search feature listens to keep its
index in step.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

services_bulk_written = _signals.signal("services-bulk-written")

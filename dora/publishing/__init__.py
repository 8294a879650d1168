"""Publishing: structures keep their services up to date.

- `forms`: the service editor (every data·inclusion field, vocabularies from dora.vocabulary,
  OSM opening hours checked by `opening_hours`).
- `operations`: create, edit (with conflict detection on the `version` column), publish,
  unpublish, archive, suspend, duplicate, « toujours à jour » — each recorded in the history.
- `views`: /mes-services pages for structure members; `api`: /api/v1/territoires.
- `cli`: `dora notify stale`, the freshness reminders.
"""

from __future__ import annotations

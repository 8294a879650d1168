"""The Meilisearch backend: a server reached with the official `meilisearch` client.

Every failure to reach or use the server (connection refused, timeout, error answer) raises
`BackendUnavailable`, so that dora.search.engine answers from postgres instead.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import meilisearch
from meilisearch.errors import MeilisearchError
from requests.exceptions import RequestException
from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session
from sqlalchemy.types import Text

from dora import vocabulary
from dora.search import facets as facet_module
from dora.search import meili
from dora.search.backends.base import BackendUnavailable, SearchResult
from dora.search.backends.postgres import merge_streams
from dora.search.query import Place, SearchQuery
from dora.search.text import TextQuery

TIMEOUT_S = 2
_FAILURES = (MeilisearchError, RequestException, OSError, KeyError, ValueError)

DOCUMENTS_SQL = text(
    """SELECT d.service_id, d.on_site, d.remote, d.elig, d.keys, d.date_maj, d.suspendu_du,
        d.suspendu_au, d.opening_week, s.nom, st.nom AS structure_nom, s.description,
        concat_ws(' ', s.frais_precisions, s.publics_precisions, s.conditions_acces,
                  s.mobilisation_precisions) AS precisions,
        ST_X(d.location::geometry) AS longitude, ST_Y(d.location::geometry) AS latitude
    FROM search_document AS d
    JOIN service AS s ON s.id = d.service_id
    JOIN structure AS st ON st.id = s.structure_id
    WHERE d.service_id = ANY(:ids)"""
).bindparams(bindparam("ids", type_=ARRAY(Text)))


class MeilisearchBackend:
    name = "meilisearch"

    def __init__(self, url: str, api_key: str | None, index: str) -> None:
        self.url = url
        self.index_uid = index
        self.client = meilisearch.Client(url, api_key or None, timeout=TIMEOUT_S)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> MeilisearchBackend:
        return cls(
            config.get("MEILISEARCH_URL") or "http://127.0.0.1:7700",
            config.get("MEILISEARCH_API_KEY"),
            config.get("MEILISEARCH_INDEX") or "services",
        )

    # Search --------------------------------------------------------------------------------

    def search(
        self,
        session: Session,
        query: SearchQuery,
        place: Place | None,
        text_query: TextQuery | None = None,
    ) -> SearchResult:
        requests = meili.search_requests(query, place, date.today(), self.index_uid)
        try:
            results = self.client.multi_search(requests)["results"]
            hits = merge_streams(
                [
                    _Row(stream, rank, hit["service_id"], meili.geo_distance(hit))
                    for stream, stream_hits in meili.streams(results, place is not None)
                    for rank, hit in enumerate(stream_hits)
                ],
                query.offset,
                query.size,
            )
            counts = results[-1]
            total = int(counts["totalHits"])
            facets = meili.parse_facets(counts.get("facetDistribution") or {})
        except _FAILURES as error:
            raise BackendUnavailable(str(error)) from error
        return SearchResult(
            total=total,
            hits=hits,
            facets=facets,
            backend=self.name,
            suggestion=text_query.suggestion if text_query and not total else None,
        )

    # Index ---------------------------------------------------------------------------------

    def apply_settings(self) -> None:
        try:
            task = self.client.index(self.index_uid).update_settings(meili.settings())
            self.client.wait_for_task(task.task_uid, timeout_in_ms=60_000)
        except _FAILURES as error:
            raise BackendUnavailable(str(error)) from error

    def documents(self, session: Session, service_ids: Sequence[str]) -> list[dict[str, Any]]:
        key_map = facet_module.keys(session)
        labels = vocabulary.labels()
        rows = session.execute(DOCUMENTS_SQL, {"ids": list(service_ids)}).mappings()
        return [meili.document(row, key_map.values, labels) for row in rows]

    def index(self, session: Session, service_ids: Sequence[str]) -> int:
        documents = self.documents(session, service_ids)
        present = {doc["service_id"] for doc in documents}
        gone = [sid for sid in service_ids if sid not in present]
        try:
            index = self.client.index(self.index_uid)
            if documents:
                index.add_documents(documents, primary_key="id")
            if gone:
                index.delete_documents([meili.document_id(sid) for sid in gone])
        except _FAILURES as error:
            raise BackendUnavailable(str(error)) from error
        return len(documents) + len(gone)

    def delete(self, session: Session, service_ids: Sequence[str]) -> int:
        try:
            self.client.index(self.index_uid).delete_documents(
                [meili.document_id(sid) for sid in service_ids]
            )
        except _FAILURES as error:
            raise BackendUnavailable(str(error)) from error
        return len(service_ids)

    def clear(self) -> None:
        try:
            self.client.index(self.index_uid).delete_all_documents()
        except _FAILURES as error:
            raise BackendUnavailable(str(error)) from error


class _Row:
    """A hit in the shape merge_streams expects (as the postgres rows)."""

    __slots__ = ("distance", "part", "rank", "service_id", "stream")

    def __init__(self, stream: str, rank: int, service_id: str, distance: int | None) -> None:
        self.stream = stream
        self.part = 1 if stream == "r" else 0
        self.rank = rank
        self.service_id = service_id
        self.distance = distance

"""In-process search accelerator: exact totals, facets and pages in a few milliseconds.

Why: a search near Paris matches about 70,000 of a million services, a nationwide search
for "logement" 114,000; counting them, their facets and ranking them in SQL visits every
matching row (0.15 to 3 s on two cores). SQL keeps what it does fast (place, text look-ups,
the freshest-first national list, fetching the page's services); the rest comes from here.

What: each process keeps a columnar copy of `search_document` — location (and unit vector),
on-site/remote flags, eligibility set (`elig_id`), facet-key signature (`sig`), freshness —
in numpy arrays indexed by the document's `ord` (about 100 MB per process for a million
services), the set of documents suspended today, and the postings of every lexeme (the
documents containing it and its best weight there: names 3, labels 2, elsewhere 1), read
with the copy. A search is a few vectorised passes over its candidates only: the on-site
documents of the radius' rows of latitude (`_Grid`), the remote ones of the eligibility
groups of its place, the postings of its words; eligibility and filters are lookups by
`elig_id` / `sig`, the radius is the spherical distance PostGIS computes
(`ST_DWithin(…, use_spheroid => false)`), facets are `bincount(sig)` spread over the
signatures' keys, and pages follow the very orders of the postgres backend's SQL (tests in
tests/search/test_search_accel.py, test_search_accel_parts.py and test_search_differential.py
check that totals, facets, pages and distances agree). The remote documents of the largest
groups (those open everywhere) are counted per signature once per copy and read in their
order for a page (`_large_remote`).

No rule is re-derived here (dora.rules): on site / remote (`dora_on_site`, `dora_remote`)
and eligibility (`dora_elig`, `dora_place_codes` through `Place.codes`) are columns of
`search_document`, category expansion is in its facet keys, and today's suspensions are the
`ord`s that `dora_not_suspended` rejects, read from SQL (`_HIDDEN`, and with every delta)
when the copy changes or the day turns.

Threads: every read and write of the shared arrays, tables and postings cache happens under
`FacetIndex.lock`; only SQL (postings, deltas) runs outside it. A text match is kept as
postings and resolved into the matching documents under the lock, at the arrays' size of
that moment (a delta may have grown them since the postings were read): a text search visits
the postings of its words and the candidates of its place, never an array of the index's
size.

Freshness: every request first runs one cheap query (generation, today, whether anything
changed since the snapshot the copy reflects). Changed documents are those whose
`changed_xid` is a transaction that had not started (>= the snapshot's xmax) or was still
running (in its xip list) then, and tombstones of removed ones: the delta is read in one
statement (one snapshot), so the copy is exactly the committed index, postings included,
and a long transaction elsewhere never makes requests read the same changes again. A new
generation (rebuild, TRUNCATE) reloads everything in a background thread while searches use
plain SQL. A request whose transaction has written does not use the copy (it must see its
own writes; and tests, which never commit, never do).
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import threading
import time
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from dora import rules
from dora.core import driver
from dora.search import facets as facet_module
from dora.search.query import Place, SearchQuery

log = logging.getLogger(__name__)

# PostGIS' sphere for geography distances without spheroid (mean radius of WGS 84).
EARTH_RADIUS_M = 6371008.7714
ON_SITE = 1
REMOTE = 2
# Text relevance is halved 10 km away (the postgres backend's PROXIMITY_HALF_M).
PROXIMITY_HALF_M = 10_000
# Relative margin around the radius where the exact spherical distance decides.
EDGE = 0.02
# Margin on the cosine of an angle when choosing the nearest documents by it (see page_rows).
DOT_MARGIN = 1e-12
# Remote documents of one eligibility set beyond which they are counted per signature rather
# than one by one (FacetIndex._large_remote).
LARGE_GROUP = 1000
# A large group's first documents are read by chunks: n (the page's end) and this many more, then
# four times as many each time (filters may leave most out).
FIRST_CHUNK_EXTRA = 64

_COPY_COLUMNS = """ord,
    coalesce(ST_X(location::geometry), 'NaN')::float8,
    coalesce(ST_Y(location::geometry), 'NaN')::float8,
    (on_site::int + 2 * remote::int)::int2,
    elig_id, sig,
    (date_maj - DATE '1970-01-01')::int4,
    coalesce(opening_week, 0)::int4"""

# Binary COPY row: field count, then (length, value) for each fixed-size field.
_ROW = np.dtype(
    [
        ("n", ">i2"),
        ("l0", ">i4"),
        ("ord", ">i8"),
        ("l1", ">i4"),
        ("lon", ">f8"),
        ("l2", ">i4"),
        ("lat", ">f8"),
        ("l3", ">i4"),
        ("flags", ">i2"),
        ("l4", ">i4"),
        ("elig", ">i4"),
        ("l5", ">i4"),
        ("sig", ">i4"),
        ("l6", ">i4"),
        ("date", ">i4"),
        ("l7", ">i4"),
        ("week", ">i4"),
    ]
)
_HEADER = 19  # PGCOPY signature, flags, header extension length

# Suspended today by dora.rules (few rows: a partial index on them).
_SUSPENDED = "d.suspendu_du IS NOT NULL AND NOT " + rules.NOT_SUSPENDED_SQL.format(alias="d")
_HIDDEN = text(f"SELECT ord FROM search_document AS d WHERE {_SUSPENDED}")

# Written since the copy's snapshot: by a transaction that had not started (xid >= xmax) or
# was still running (xid in xip) when it was taken. (Read only when `_STATE` says something
# changed.)
_SINCE = "{column} >= :xmax OR {column} = ANY(CAST(:xip AS bigint[]))"
# Documents written by a transaction running at the snapshot: per such xid, the first
# document at or above it, through the index. An ordered LIMIT 1 keeps the index whatever the
# plan: a generic plan of `changed_xid = ANY(xip)` (psycopg prepares statements run five
# times) scanned the whole table when a bulk load had left few distinct xids — 50 ms a
# request at 100,000 services.
_STATE = text(
    """SELECT (SELECT value FROM search_meta WHERE key = 'generation') AS generation,
        current_date - DATE '1970-01-01' AS today,
        pg_current_xact_id_if_assigned() IS NOT NULL AS wrote,
        (coalesce((SELECT max(changed_xid) FROM search_document), 0) >= :xmax
         OR coalesce((SELECT max(xid) FROM search_tombstone), 0) >= :xmax
         OR EXISTS (SELECT 1 FROM unnest(CAST(:xip AS bigint[])) AS x(xid),
                    LATERAL (SELECT changed_xid FROM search_document
                             WHERE changed_xid >= x.xid ORDER BY changed_xid LIMIT 1) AS d
                    WHERE d.changed_xid = x.xid)
         OR EXISTS (SELECT 1 FROM search_tombstone
                    WHERE xid = ANY(CAST(:xip AS bigint[])))) AS changed"""
)
_SNAPSHOT = """pg_snapshot_xmax(pg_current_snapshot())::text::bigint AS xmax,
    ARRAY(SELECT x::text::bigint FROM pg_snapshot_xip(pg_current_snapshot()) AS x) AS xip"""

# One statement, one snapshot: the snapshot and the changes it covers agree ('s' row).
# Changed documents also give each of their lexemes with its weight class ('l' rows).
_DELTA = text(
    f"""SELECT 's' AS kind, NULL::bigint AS ord,
        NULL::float8 AS lon, NULL::float8 AS lat, NULL::int2 AS flags, NULL::int4 AS elig,
        NULL::int4 AS sig, NULL::int4 AS date, NULL::int4 AS week,
        NULL::text AS lexeme, NULL::int2 AS wclass, {_SNAPSHOT},
        current_date - DATE '1970-01-01' AS today, NULL::bool AS hidden
    UNION ALL
    SELECT 't', ord, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
        NULL
    FROM search_tombstone WHERE {_SINCE.format(column="xid")}
    UNION ALL
    SELECT 'd', {_COPY_COLUMNS}, NULL, NULL, NULL, NULL, NULL, ({_SUSPENDED})
    FROM search_document AS d
    WHERE {_SINCE.format(column="changed_xid")}
    UNION ALL
    SELECT 'l', d.ord, NULL, NULL, NULL, NULL, NULL, NULL, NULL, u.lexeme,
        (CASE WHEN 'A' = ANY (u.weights) THEN 3 WHEN 'B' = ANY (u.weights) THEN 2 ELSE 1 END)::int2,
        NULL, NULL, NULL, NULL
    FROM search_document AS d, unnest(d.tsv) AS u
    WHERE {_SINCE.format(column="d.changed_xid")}"""
)

# Every posting of a range of ords, by lexeme: `ord * 4 + weight class` as big-endian int4s
# (class: 3 when the lexeme is in the names (weight A), 2 in the labels (B), 1 elsewhere).
_POSTINGS = """SELECT u.lexeme, string_agg(int4send((d.ord * 4 + (CASE WHEN 'A' = ANY (u.weights)
        THEN 3 WHEN 'B' = ANY (u.weights) THEN 2 ELSE 1 END))::int4), ''::bytea)
    FROM search_document AS d, unnest(d.tsv) AS u
    WHERE d.ord >= %(lo)s AND d.ord < %(hi)s
    GROUP BY u.lexeme"""
# Connections reading the postings at load, one per range of this many documents at least.
POSTING_READERS = max(1, min(4, os.cpu_count() or 1))
POSTINGS_PER_READER = 250_000
# Documents changed since the load beyond which the copy is read again (see `usable`): that
# many, and that share of the index.
RELOAD_STALE = 50_000
RELOAD_SHARE = 0.1
_NONE = np.zeros(0, dtype=np.int32)


@dataclass(frozen=True)
class Counts:
    total: int
    facets: facet_module.Facets
    on_site: int = 0  # of which on site within the radius


def _today(connection: Connection) -> int:
    """The database's day number (suspensions follow its `current_date`)."""
    return int(connection.execute(text("SELECT current_date - DATE '1970-01-01'")).scalar_one())


def _visible(hidden: np.ndarray, ords: np.ndarray) -> np.ndarray:
    """Not suspended today: not among the `ord`s dora.rules' `dora_not_suspended` rejects.
    (`hidden` spans every ord of the arrays: FacetIndex keeps it so.)"""
    return ~hidden[ords]


def _unit_vectors(lons: np.ndarray, lats: np.ndarray) -> tuple[np.ndarray, ...]:
    lam, phi = np.radians(lons), np.radians(lats)
    cos_phi = np.cos(phi)
    return cos_phi * np.cos(lam), cos_phi * np.sin(lam), np.sin(phi)


def _box(query: SearchQuery, place: Place) -> tuple[float, float]:
    """Half-sizes in degrees of a box a little larger than the search circle."""
    dlat = math.degrees(query.rayon_km * 1000 / EARTH_RADIUS_M) * 1.01 + 1e-6
    coslat = math.cos(math.radians(min(abs(place.latitude) + dlat, 89.9)))
    return dlat, min(180.0, dlat / max(coslat, 1e-6))


def _inside(slab: _Slab, positions: np.ndarray, place: Place, query: SearchQuery) -> np.ndarray:
    """Which of these documents are within the radius (see `_inside_dot`)."""
    return _inside_dot(slab, positions, place, query)[0]


def _inside_dot(
    slab: _Slab, positions: np.ndarray, place: Place, query: SearchQuery
) -> tuple[np.ndarray, np.ndarray]:
    """Which of these documents are within the radius, by the same spherical distance as
    PostGIS (use_spheroid false): the angle between unit vectors, compared through its
    cosine; points within EDGE of the circle are settled by the exact haversine distance.
    Also their cosines (`dot`): the nearer, the larger."""
    radius = query.rayon_km * 1000
    x0, y0, z0 = (
        float(v[0]) for v in _unit_vectors(np.array([place.longitude]), np.array([place.latitude]))
    )
    dot = slab.x[positions] * x0 + slab.y[positions] * y0 + slab.z[positions] * z0
    inner = math.cos(radius * (1 - EDGE) / EARTH_RADIUS_M)
    outer = math.cos(min(math.pi, radius * (1 + EDGE) / EARTH_RADIUS_M))
    inside = dot >= inner
    edge = np.flatnonzero(~inside & (dot >= outer))
    exact = _haversine_m(
        slab.lons[positions[edge]], slab.lats[positions[edge]], place.longitude, place.latitude
    )
    inside[edge[exact <= radius]] = True
    return inside, dot


def _haversine_m(lon: np.ndarray, lat: np.ndarray, lon0: float, lat0: float) -> np.ndarray:
    """Distance on PostGIS' sphere, in metres (same formula as its geography distance)."""
    lat1, lat2 = np.radians(lat), math.radians(lat0)
    dlat = lat1 - lat2
    dlon = np.radians(lon - lon0)
    a = np.sin(dlat / 2) ** 2 + np.cos(lat1) * math.cos(lat2) * np.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.minimum(a, 1.0)))


class _Arrays:
    """The columns, indexed by `ord` (absent rows have alive = False).

    `sig` and `elig` hold dense positions (rows of the signature matrix, entries of the
    eligibility table), not the database ids, which have gaps."""

    def __init__(self, size: int) -> None:
        self.alive = np.zeros(size, dtype=bool)
        self.lon = np.full(size, np.nan)
        self.lat = np.full(size, np.nan)
        self.flags = np.zeros(size, dtype=np.int8)
        self.elig = np.zeros(size, dtype=np.int32)
        self.sig = np.zeros(size, dtype=np.int32)
        self.date = np.zeros(size, dtype=np.int32)
        # `opening_week` (dora.core.opening_week), 0 without readable hours.
        self.week = np.zeros(size, dtype=np.int32)

    @property
    def size(self) -> int:
        return len(self.alive)

    def grow(self, needed: int) -> None:
        if needed <= self.size:
            return
        new = _Arrays(max(needed, int(self.size * 1.5) + 1024))
        for name in vars(self):
            getattr(new, name)[: self.size] = getattr(self, name)
        self.__dict__.update(new.__dict__)

    def put(self, ords, lon, lat, flags, elig, sig, date, week) -> None:
        ords = np.asarray(ords, dtype=np.int64)
        if not len(ords):
            return
        self.grow(int(ords.max()) + 1)
        self.lon[ords] = lon
        self.lat[ords] = lat
        self.flags[ords] = flags
        self.elig[ords] = elig
        self.sig[ords] = sig
        self.date[ords] = date
        self.week[ords] = week
        self.alive[ords] = True

    def remove(self, ords) -> None:
        ords = np.asarray(ords, dtype=np.int64)
        self.alive[ords[ords < self.size]] = False


class _Positions:
    """Database ids (with gaps) -> dense positions, stable as new ids appear."""

    def __init__(self) -> None:
        self.ids: list[int] = []
        self.lookup = np.full(1, -1, dtype=np.int32)

    def add(self, db_id: int) -> int:
        if db_id < len(self.lookup) and self.lookup[db_id] >= 0:
            return int(self.lookup[db_id])
        if db_id >= len(self.lookup):
            grown = np.full(max(db_id + 1, len(self.lookup) * 2), -1, dtype=np.int32)
            grown[: len(self.lookup)] = self.lookup
            self.lookup = grown
        self.lookup[db_id] = len(self.ids)
        self.ids.append(db_id)
        return len(self.ids) - 1

    def known(self, db_ids: np.ndarray) -> bool:
        db_ids = np.asarray(db_ids)
        if not len(db_ids):
            return True
        if db_ids.max() >= len(self.lookup):
            return False
        return bool((self.lookup[db_ids] >= 0).all())

    def of(self, db_ids) -> np.ndarray:
        return self.lookup[np.asarray(db_ids, dtype=np.int64)]


_COLUMNS = ("ords", "lons", "lats", "x", "y", "z", "flags", "elig", "sig")


class _Slab:
    """Contiguous copies of the columns of some documents (no scattered reads per search)."""

    def __init__(self, a: _Arrays, ords: np.ndarray) -> None:
        self.ords = ords
        self.lons = a.lon[ords]
        self.lats = a.lat[ords]
        # Unit vectors: within a radius is a dot product (no trigonometry per search).
        self.x, self.y, self.z = _unit_vectors(self.lons, self.lats)
        self.flags = a.flags[ords]
        self.elig = a.elig[ords]
        self.sig = a.sig[ords]

    @classmethod
    def of(cls, columns: dict[str, np.ndarray]) -> _Slab:
        slab = cls.__new__(cls)
        slab.__dict__.update(columns)
        return slab

    def __len__(self) -> int:
        return len(self.ords)

    def take(self, selector) -> _Slab:
        return _Slab.of({name: getattr(self, name)[selector] for name in _COLUMNS})

    def concat(self, other: _Slab) -> _Slab:
        return _Slab.of(
            {name: np.concatenate([getattr(self, name), getattr(other, name)]) for name in _COLUMNS}
        )


class _Grid:
    """On-site located documents sorted by rows of latitude (ROW_DEG high), and by longitude
    within a row: the documents of a bounding box are one slice per row.

    Documents written since the sort are marked `stale` in the sorted slab and read from the
    arrays instead (`extra`); the sort is redone when `extra` grows beyond REBUILD_EXTRA."""

    REBUILD_EXTRA = 20_000
    ROW_DEG = 0.02  # about 2 km: rows add little beyond the box of a small radius
    # Row r's documents have keys r * ROW_KEY + (lon + 180): sorted keys, rows in turn.
    ROW_KEY = 1000.0

    def __init__(self, a: _Arrays) -> None:
        ords = np.flatnonzero(a.alive & ((a.flags & ON_SITE) != 0) & ~np.isnan(a.lat))
        keys = self._row(a.lat[ords]) * self.ROW_KEY + (a.lon[ords] + 180.0)
        order = np.argsort(keys, kind="stable")
        self.keys = keys[order]
        self.slab = _Slab(a, ords[order])
        self.stale = np.zeros(a.size, dtype=bool)
        self.extra: set[int] = set()

    @classmethod
    def _row(cls, lat):
        return np.floor((np.asarray(lat, dtype=np.float64) + 90.0) / cls.ROW_DEG)

    def touch(self, ords) -> None:
        ords = [int(o) for o in ords]
        if not ords:
            return
        top = max(ords) + 1
        if top > len(self.stale):
            grown = np.zeros(max(top, int(len(self.stale) * 1.5) + 1024), dtype=bool)
            grown[: len(self.stale)] = self.stale
            self.stale = grown
        self.stale[ords] = True
        self.extra.update(ords)

    def box(
        self, a: _Arrays, lat0: float, dlat: float, lon0: float, dlon: float
    ) -> tuple[_Slab, np.ndarray]:
        """On-site documents of the rows of |lat - lat0| <= dlat, within dlon of lon0 (whole
        rows across the antimeridian), and those changed since the sort: a slab and their
        positions in it (no copy of the columns without changes since the sort). A superset
        of the box: the caller measures every one."""
        rows = np.arange(self._row(lat0 - dlat), self._row(lat0 + dlat) + 1)
        west, east = lon0 - dlon + 180.0, lon0 + dlon + 180.0
        if west < 0 or east > 360:  # across the antimeridian: whole rows
            west, east = 0.0, 360.0
        lo = np.searchsorted(self.keys, rows * self.ROW_KEY + west, side="left")
        hi = np.searchsorted(self.keys, rows * self.ROW_KEY + east, side="right")
        lengths = hi - lo
        # The positions of every slice, in one array: each run counts up from its start.
        steps = np.ones(int(lengths.sum()), dtype=np.int64)
        runs = np.flatnonzero(lengths)
        if len(runs):
            firsts = np.concatenate([[0], np.cumsum(lengths[runs])[:-1]])
            steps[firsts] = lo[runs] - np.concatenate([[0], hi[runs][:-1] - 1])
        positions = np.cumsum(steps) if len(steps) else steps
        slab = self.slab
        if self.extra:
            positions = positions[~self.stale[slab.ords[positions]]]
            extra = np.fromiter(self.extra, dtype=np.int64)
            extra = extra[extra < a.size]
            extra = extra[a.alive[extra] & ((a.flags[extra] & ON_SITE) != 0)]
            slab = slab.take(positions).concat(_Slab(a, extra))
            positions = np.arange(len(slab))
        return slab, positions


class _Postings:
    """Lexeme -> (ords of the documents containing it, its best weight class there: 3 in the
    names, 2 in the labels, 1 elsewhere), for every lexeme of the index.

    Read in full with the copy (`load`, a few seconds per million services) into one flat
    array, `ord * 4 + class` per entry, sliced per lexeme (`starts`): a search never reads a
    posting from SQL, and workers forked after the load share these pages. Deltas do not
    rewrite it: the documents they touch are marked `stale` there, and their current lexemes
    are held apart (`extra`), until the copy is loaded again."""

    def __init__(self) -> None:
        self.lexeme_at: dict[str, int] = {}
        self.starts = np.zeros(1, dtype=np.int64)
        self.codes = np.zeros(0, dtype=np.int32)
        self.stale = np.zeros(0, dtype=bool)
        self.stale_count = 0
        self.extra: dict[str, dict[int, int]] = {}

    @property
    def entries(self) -> int:
        return len(self.codes)

    def known(self, lexeme: str) -> bool:
        """Does any document of the index contain `lexeme` (call under the index's lock)?"""
        return len(self.get(lexeme)[0]) > 0

    def get(self, lexeme: str) -> tuple[np.ndarray, np.ndarray]:
        """The posting of `lexeme`, sorted by ord (call under the index's lock)."""
        at = self.lexeme_at.get(lexeme)
        codes = self.codes[self.starts[at] : self.starts[at + 1]] if at is not None else _NONE
        if self.stale_count and len(codes):
            ords = codes >> 2
            inside = ords < len(self.stale)
            keep = np.ones(len(codes), dtype=bool)
            keep[inside] = ~self.stale[ords[inside]]
            codes = codes[keep]
        extra = self.extra.get(lexeme)
        if extra:
            added = np.fromiter(
                (o * 4 + c for o, c in extra.items()), dtype=np.int32, count=len(extra)
            )
            codes = np.sort(np.concatenate([codes, added]))
        return (codes >> 2).astype(np.int64), (codes & 3).astype(np.int8)

    def apply(self, touched: np.ndarray, present: list) -> None:
        """Documents `touched` by a delta lose their entries; `present` (ord, lexeme, class)
        rows give them their current ones."""
        if not len(touched):
            return
        touched = np.asarray(touched, dtype=np.int64)
        top = int(touched.max()) + 1
        if top > len(self.stale):
            grown = np.zeros(max(top, int(len(self.stale) * 1.25) + 1024), dtype=bool)
            grown[: len(self.stale)] = self.stale
            self.stale = grown
        self.stale_count += int((~self.stale[touched]).sum())
        self.stale[touched] = True
        gone = set(touched.tolist())
        for lexeme in list(self.extra):
            held = self.extra[lexeme]
            for ord_ in gone.intersection(held):
                del held[ord_]
            if not held:
                del self.extra[lexeme]
        for ord_, lexeme, wclass in present:
            self.extra.setdefault(lexeme, {})[int(ord_)] = int(wclass)

    @classmethod
    def read(cls, connection: Connection, documents: int) -> _Postings:
        """Every posting of the index: one pass over `search_document` grouped by lexeme,
        split by ranges of ord over several connections at a million documents (the
        connection given reads the first range; the others are opened on its engine, so a
        large index must be committed, as it is in production)."""
        top = int(connection.execute(text("SELECT coalesce(max(ord), 0) FROM search_document"))
                  .scalar_one()) + 1  # fmt: skip
        parts = max(1, min(POSTING_READERS, documents // POSTINGS_PER_READER))
        bounds = [top * i // parts for i in range(parts + 1)]
        chunks: list[list[tuple[str, bytes]]] = [[] for _ in range(parts)]

        def read_part(part: int, conn: Connection) -> None:
            raw = conn.connection.driver_connection
            with raw.cursor(binary=True) as cursor:
                cursor.execute(_POSTINGS, {"lo": bounds[part], "hi": bounds[part + 1]}, binary=True)
                chunks[part] = cursor.fetchall()

        failures: list[BaseException] = []

        def read_other(part: int) -> None:
            try:
                with connection.engine.connect() as other:
                    read_part(part, other)
                    other.rollback()
            except BaseException as error:  # re-raised below: no posting may go missing
                failures.append(error)

        threads = [threading.Thread(target=read_other, args=(p,)) for p in range(1, parts)]
        for thread in threads:
            thread.start()
        try:
            read_part(0, connection)
        finally:
            for thread in threads:
                thread.join()
        if failures:
            raise failures[0]
        pieces: dict[str, list[bytes]] = {}
        for rows in chunks:
            for lexeme, blob in rows:
                pieces.setdefault(lexeme, []).append(blob)
        postings = cls()
        sizes = np.fromiter((sum(len(b) for b in blobs) // 4 for blobs in pieces.values()),
                            dtype=np.int64, count=len(pieces))  # fmt: skip
        postings.starts = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        postings.codes = np.empty(int(postings.starts[-1]), dtype=np.int32)
        for at, (lexeme, blobs) in enumerate(pieces.items()):
            postings.lexeme_at[lexeme] = at
            target = postings.codes[postings.starts[at] : postings.starts[at + 1]]
            target[:] = np.frombuffer(b"".join(blobs), dtype=">i4")
            # Ranges come in order and each mostly in ord order: a nearly sorted sort.
            target.sort(kind="stable")
        return postings


class PageRow:
    """A candidate of a page, shaped like the postgres backend's rows (see merge_streams);
    `service_id` holds the document's `ord` until the page is cut."""

    __slots__ = ("distance", "part", "rank", "service_id", "stream")

    def __init__(self, stream: str, rank: int, ord_: int, distance: float | None) -> None:
        self.stream = stream
        self.part = 1 if stream == "r" else 0
        self.rank = rank
        self.service_id = ord_
        self.distance = distance


_EMPTY = np.zeros(0, dtype=np.int64)


@dataclass
class _Selection:
    """The documents of a search, by stream (ords and their signatures)."""

    on_site: np.ndarray = field(default_factory=lambda: _EMPTY)
    on_site_sigs: np.ndarray = field(default_factory=lambda: _EMPTY)
    remote: np.ndarray = field(default_factory=lambda: _EMPTY)
    remote_sigs: np.ndarray = field(default_factory=lambda: _EMPTY)
    national: np.ndarray = field(default_factory=lambda: _EMPTY)
    national_sigs: np.ndarray = field(default_factory=lambda: _EMPTY)
    place: Place | None = None
    # With text: the documents' positions in the match (see _Matched), aligned with each
    # stream.
    on_site_at: np.ndarray = field(default_factory=lambda: _EMPTY)
    # The on-site documents' cosines to the place (see _inside_dot).
    on_site_dot: np.ndarray = field(default_factory=lambda: _EMPTY)
    # Remote documents of large eligibility groups (FacetIndex._large_remote): counted per
    # signature, and only their first ones (by the remote order) kept for the page.
    remote_per_sig: np.ndarray | None = None
    remote_first: np.ndarray = field(default_factory=lambda: _EMPTY)
    remote_at: np.ndarray = field(default_factory=lambda: _EMPTY)
    national_at: np.ndarray = field(default_factory=lambda: _EMPTY)

    def counts(self, key_map: facet_module.FacetKeys, index: FacetIndex) -> Counts:
        sigs = np.concatenate([self.on_site_sigs, self.remote_sigs, self.national_sigs])
        per_sig = np.bincount(sigs, minlength=len(index.sig_keys))
        total = len(sigs)
        if self.remote_per_sig is not None:
            per_sig[: len(self.remote_per_sig)] += self.remote_per_sig
            total += int(self.remote_per_sig.sum())
        per_key = np.bincount(
            index.pair_key, weights=per_sig[index.pair_sig], minlength=index.sig_keys.shape[1]
        )
        codes = np.flatnonzero(per_key)
        return Counts(
            total=total,
            facets=key_map.facets({int(code): round(per_key[code]) for code in codes}),
            on_site=len(self.on_site),
        )

    def page_rows(self, index: FacetIndex, query: SearchQuery, text: _Matched | None) -> list:
        """The first offset + size of each stream, in the postgres backend's orders."""
        n = query.offset + query.size
        a = index.arrays
        rows: list[PageRow] = []
        if self.place is None:
            assert text is not None  # without text nor place, SQL reads the date index
            ords = _top_by_score(self.national, text.rank[self.national_at], a.date, n)
            return [PageRow("n", i, int(o), None) for i, o in enumerate(ords)]
        ords = self.on_site
        by_text = text is not None and not query.by_distance
        if not by_text and len(ords) > n:
            # By distance, only the nearest can be on the page: they are found by their
            # cosines (larger when nearer), with a margin far above their rounding errors
            # (1e-16), and measured exactly as below.
            dot = self.on_site_dot
            nth = -np.partition(-dot, n - 1)[n - 1]
            ords = ords[dot >= nth - DOT_MARGIN]
        distances = _haversine_m(
            a.lon[ords], a.lat[ords], self.place.longitude, self.place.latitude
        )
        if by_text:
            assert text is not None
            # Same arithmetic as SQL: strength, then score * 10000.0 / (10000 + distance),
            # then ord.
            score = text.score[self.on_site_at]
            blended = score * float(PROXIMITY_HALF_M) / (PROXIMITY_HALF_M + distances)
            order = np.lexsort((ords, -blended, -text.strength[self.on_site_at]))[:n]
        elif len(ords) > n:
            nearest = np.argpartition(distances, n - 1)[:n]
            # Ties at the edge: every document as near as the n-th one competes, by ord.
            edge = distances[nearest].max()
            nearest = np.flatnonzero(distances <= edge)
            order = nearest[np.lexsort((ords[nearest], distances[nearest]))][:n]
        else:
            order = np.lexsort((ords, distances))
        rows += [PageRow("o", i, int(ords[j]), float(distances[j])) for i, j in enumerate(order)]
        rank = text.rank[self.remote_at] if text is not None else None
        candidates = self.remote
        if len(self.remote_first):
            assert rank is None  # large groups are counted apart only without text
            candidates = np.concatenate([candidates, self.remote_first])
        remote = _top_by_score(candidates, rank, a.date, n)
        rows += [PageRow("r", i, int(o), None) for i, o in enumerate(remote)]
        return rows


def _top_by_score(
    ords: np.ndarray, rank: np.ndarray | None, date: np.ndarray, n: int
) -> np.ndarray:
    """The `n` best of `ords` by (rank desc — strength, then score: see _Matched.rank —,
    date desc, ord desc), in that order (one int64 key: 15 bits of rank, 16 of day, 31 of
    ord). `rank` is aligned with `ords`; None: all 0 (no text)."""
    if not len(ords):
        return ords
    if rank is not None and len(ords) > n:
        # Only the documents of the best ranks can be among the n first: the rest is left
        # out before the key is built (a common word matches a third of the index).
        per_rank = np.bincount(rank)
        at_least = np.cumsum(per_rank[::-1])[::-1]  # documents of rank >= r
        floor = int(np.flatnonzero(at_least >= n)[-1])
        if floor:
            best = rank >= floor
            ords, rank = ords[best], rank[best]
    key = (date[ords].astype(np.int64) + (1 << 15)) << 32 | ords
    if rank is not None:
        key |= rank.astype(np.int64) << 48
    if len(ords) > n:
        best = np.argpartition(-key, n - 1)[:n]
        ords, key = ords[best], key[best]
    return ords[np.argsort(-key, kind="stable")]


@dataclass
class TextMatch:
    """Documents matching a text query, as postings: for each searched word, its options
    (the word and its corrections), each the postings of its lexemes (all needed).

    Turned into the matching documents by `resolve` under the index's lock, at the size the
    arrays have then (a delta may have grown them since the postings were read)."""

    words: list[list[list[tuple[np.ndarray, np.ndarray]]]]

    def resolve(self, size: int, scratch: np.ndarray) -> _Matched:
        """The documents below `size` matching every word (one of its options), with their
        score (sum over words of the best weight class) and strength (words matched in a
        name or a label: class 2 or 3), as TextQuery.score_sql and strength_sql compute
        them. Only postings are visited, never an array of the index's size: `scratch` is
        an int8 array of zeros at least `size` long, left as it was found."""
        words = [[_option(lexemes, size) for lexemes in options] for options in self.words]
        if not words or not all(words):
            return _Matched.none()
        # The rarest word first: the others are only looked up for its documents.
        words.sort(key=lambda options: sum(len(ords) for ords, _ in options))
        ords, classes = _union(words[0], size, scratch)
        score = classes.astype(np.int16)
        strength = (classes >= 2).astype(np.int16)
        for options in words[1:]:
            if not len(ords):
                break
            try:
                for option_ords, option_classes in options:
                    scratch[option_ords] = np.maximum(scratch[option_ords], option_classes)
                found = scratch[ords]
            finally:
                for option_ords, _ in options:
                    scratch[option_ords] = 0
            keep = found > 0
            ords, score, strength, found = ords[keep], score[keep], strength[keep], found[keep]
            score += found
            strength += found >= 2
        return _Matched(ords=ords, score=score, strength=strength)


def _option(lexemes: list[tuple[np.ndarray, np.ndarray]], size: int) -> tuple:
    """(ords, class) of the documents holding every lexeme of an option (a word giving
    several lexemes needs them all: its class is their lowest), below `size`."""
    ords, classes = lexemes[0]
    for other_ords, other_classes in lexemes[1:]:
        if not len(ords) or not len(other_ords):
            ords, classes = ords[:0], classes[:0]
            break
        at = np.minimum(np.searchsorted(other_ords, ords), len(other_ords) - 1)
        both = other_ords[at] == ords
        ords, classes = ords[both], np.minimum(classes[both], other_classes[at[both]])
    if len(ords) and ords[-1] >= size:  # sorted: the test is on the last one
        below = ords < size
        ords, classes = ords[below], classes[below]
    return ords, classes


def _union(options: list[tuple], size: int, scratch: np.ndarray) -> tuple:
    """(ords, best class) of the documents of any option, sorted by ord."""
    if len(options) == 1:
        return options[0]
    total = sum(len(ords) for ords, _ in options)
    if total * 16 < size:
        ords = np.concatenate([o for o, _ in options])
        classes = np.concatenate([c for _, c in options])
        order = np.argsort(ords, kind="stable")
        ords, classes = ords[order], classes[order]
        if not len(ords):
            return ords, classes
        starts = np.flatnonzero(np.concatenate([[True], ords[1:] != ords[:-1]]))
        return ords[starts], np.maximum.reduceat(classes, starts)
    # Many documents: one pass over the index's size rather than a sort of them all.
    try:
        for ords, classes in options:
            scratch[ords] = np.maximum(scratch[ords], classes)
        ords = np.flatnonzero(scratch[:size])
        return ords, scratch[ords].copy()
    finally:
        for option_ords, _ in options:
            scratch[option_ords] = 0


@dataclass
class _Matched:
    """The documents matching a text query (sorted ords) and, aligned with them, their score
    and strength. With a place, while the index's `_matched` context lasts, `at` maps an ord
    to its position here (-1: not matching)."""

    ords: np.ndarray
    score: np.ndarray
    strength: np.ndarray
    at: np.ndarray | None = None

    @classmethod
    def none(cls) -> _Matched:
        return cls(ords=_EMPTY, score=_EMPTY.astype(np.int16), strength=_EMPTY.astype(np.int16))

    @property
    def rank(self) -> np.ndarray:
        """The text order of SQL in one number: strength, then score (a score is at most 3
        per word, 12 words: below 64)."""
        return (self.strength.astype(np.int64) << 6) | self.score


class FacetIndex:
    """The copy of one database's index in this process (see the module docstring)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.loading = False
        self.generation: int | None = None
        # The snapshot the copy reflects: everything committed before it, nothing after.
        self.xmax = 0
        self.xip: list[int] = []
        self.arrays = _Arrays(0)
        self.grid: _Grid | None = None
        self.remote: _Slab | None = None
        self.remote_starts = np.zeros(1, dtype=np.int64)
        # Eligibility groups of remote documents with at least `large_group` of them (the
        # ~28,000 open everywhere at a million services): see _large_remote.
        self.large_group = LARGE_GROUP
        self.large: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self._large_per_sig: dict[int, np.ndarray] = {}
        self.sigs = _Positions()
        # Signature -> facet codes, as flat pairs (facets are one weighted bincount).
        self.sig_keys = np.zeros((0, 1), dtype=bool)
        self.pair_sig = np.zeros(0, dtype=np.int64)
        self.pair_key = np.zeros(0, dtype=np.int64)
        self.eligs = _Positions()
        self.eligs_by_code: dict[str, list[int]] = {}  # code -> dense elig positions
        self.postings = _Postings()
        # Documents suspended today (by ord), from SQL (`_HIDDEN`), and the day it was read.
        self.hidden = np.zeros(0, dtype=bool)
        self.hidden_day: int | None = None
        # Bumped whenever the copy changes: what a response cache may key on.
        self.version = 0
        self.load_seconds = 0.0
        # Work arrays of a text search (used under the lock, left as found: see _Matched).
        self._classes = np.zeros(0, dtype=np.int8)
        self._positions = np.full(0, -1, dtype=np.int32)

    @property
    def ready(self) -> bool:
        return self.generation is not None

    # Loading ---------------------------------------------------------------------------

    def load(self, connection: Connection) -> None:
        """Read the whole index (binary COPY) — a few seconds for a million services."""
        started = time.perf_counter()
        generation = connection.execute(
            text("SELECT value FROM search_meta WHERE key = 'generation'")
        ).scalar_one()
        xmax, xip = connection.execute(text(f"SELECT {_SNAPSHOT}")).one()
        raw = connection.connection.driver_connection  # psycopg
        buffer = bytearray()
        with (
            raw.cursor() as cursor,
            cursor.copy(
                f"COPY (SELECT {_COPY_COLUMNS} FROM search_document) TO STDOUT (FORMAT binary)"
            ) as copy,
        ):
            for block in copy:
                buffer += block
        count = (len(buffer) - _HEADER - 2) // _ROW.itemsize
        rows = np.frombuffer(bytes(buffer), dtype=_ROW, count=count, offset=_HEADER)
        fresh = FacetIndex()
        fresh.large_group = self.large_group
        fresh._read_tables(connection)
        arrays = _Arrays(int(rows["ord"].max()) + 1 if count else 0)
        arrays.put(
            rows["ord"],
            rows["lon"],
            rows["lat"],
            rows["flags"],
            fresh.eligs.of(rows["elig"]),
            fresh.sigs.of(rows["sig"]),
            rows["date"],
            rows["week"],
        )
        fresh.arrays = arrays
        fresh.grid = _Grid(arrays)
        fresh._derive()
        fresh._set_hidden(connection.execute(_HIDDEN).scalars().all(), _today(connection))
        fresh.postings = _Postings.read(connection, count)
        with self.lock:
            for name in (
                "arrays", "grid", "remote", "remote_starts", "large", "_large_per_sig",
                "sigs", "sig_keys", "pair_sig", "pair_key", "eligs", "eligs_by_code",
                "postings", "hidden", "hidden_day",
            ):  # fmt: skip
                setattr(self, name, getattr(fresh, name))
            self.xmax, self.xip = xmax, list(xip)
            self.generation = generation
            self.version += 1
        self.load_seconds = time.perf_counter() - started
        log.info(
            "search accelerator: %d documents and %d postings loaded in %.1f s",
            count,
            self.postings.entries,
            self.load_seconds,
        )

    def _derive(self) -> None:
        a = self.arrays
        remote = np.flatnonzero(a.alive & ((a.flags & REMOTE) != 0))
        # Grouped by eligibility set: a search reads only the groups eligible at its place;
        # within a group, in the remote order without text (freshest first, then ord desc).
        remote = remote[np.lexsort((-remote, -a.date[remote], a.elig[remote]))]
        self.remote = _Slab(a, remote)
        self.remote_starts = np.searchsorted(
            self.remote.elig, np.arange(len(self.eligs.ids) + 2), side="left"
        )
        self.pair_sig, self.pair_key = np.nonzero(self.sig_keys)
        # Large groups: their documents also on site, by latitude (see _large_remote).
        sizes = np.diff(self.remote_starts)
        self.large = {}
        for group in np.flatnonzero(sizes >= max(1, self.large_group)).tolist():
            at = np.arange(self.remote_starts[group], self.remote_starts[group + 1])
            at = at[((self.remote.flags[at] & ON_SITE) != 0) & ~np.isnan(self.remote.lats[at])]
            at = at[np.argsort(self.remote.lats[at], kind="stable")]
            self.large[group] = (at, self.remote.lats[at])
        self._large_per_sig = {}

    def _read_tables(self, connection: Connection) -> None:
        """Signatures and eligibility sets not known yet (positions of known ones stay)."""
        max_key = connection.execute(text("SELECT max(k) FROM search_facet_key")).scalar() or 0
        rows = connection.execute(text("SELECT sig, keys FROM search_signature ORDER BY sig"))
        new_rows = []
        for row in rows:
            before = len(self.sigs.ids)
            if self.sigs.add(row.sig) == before:
                vector = np.zeros(max_key + 1, dtype=bool)
                vector[list(row.keys)] = True
                new_rows.append(vector)
        if new_rows:
            width = max(max_key + 1, self.sig_keys.shape[1])
            old = np.zeros((self.sig_keys.shape[0], width), dtype=bool)
            old[:, : self.sig_keys.shape[1]] = self.sig_keys
            self.sig_keys = np.vstack([old, np.array(new_rows)[:, :width]])
        for row in connection.execute(text("SELECT id, codes FROM search_elig ORDER BY id")):
            before = len(self.eligs.ids)
            position = self.eligs.add(row.id)
            if position == before:
                for code in row.codes:
                    self.eligs_by_code.setdefault(code, []).append(position)

    def load_in_background(self, engine: Engine) -> None:
        with self.lock:
            if self.loading:
                return
            self.loading = True

        def run() -> None:
            try:
                with engine.connect() as connection:
                    self.load(connection)
            except Exception:
                log.exception("search accelerator: loading failed (searches use SQL)")
            finally:
                self.loading = False

        threading.Thread(target=run, name="search-accelerator-load", daemon=True).start()

    def apply_delta(self, connection: Connection) -> int:
        with self.lock:
            params = {"xmax": self.xmax, "xip": self.xip}
        rows = connection.execute(_DELTA, params).all()
        snapshot = next(row for row in rows if row.kind == "s")
        removed = np.array([row.ord for row in rows if row.kind == "t"], dtype=np.int64)
        changed = [row for row in rows if row.kind == "d"]
        present = [(row.ord, row.lexeme, row.wclass) for row in rows if row.kind == "l"]
        with self.lock:
            self.postings.apply(
                np.concatenate([removed, np.array([r.ord for r in changed], dtype=np.int64)]),
                present,
            )
            sig_ids = np.array([row.sig for row in changed], dtype=np.int64)
            elig_ids = np.array([row.elig for row in changed], dtype=np.int64)
            if not (self.sigs.known(sig_ids) and self.eligs.known(elig_ids)):
                self._read_tables(connection)
            a = self.arrays
            a.remove(removed)
            if changed:
                a.put(
                    [row.ord for row in changed],
                    [row.lon for row in changed],
                    [row.lat for row in changed],
                    [row.flags for row in changed],
                    self.eligs.of(elig_ids),
                    self.sigs.of(sig_ids),
                    [row.date for row in changed],
                    [row.week for row in changed],
                )
            assert self.grid is not None
            self.grid.touch([*removed.tolist(), *(row.ord for row in changed)])
            if len(self.grid.extra) > _Grid.REBUILD_EXTRA:
                self.grid = _Grid(a)
            self._derive()
            # Today's suspensions of the changed documents, by the rule, in the same snapshot
            # (the whole set is read again only when the day turns, see `usable`).
            hidden = self.hidden_mask(a.size).copy()
            hidden[[row.ord for row in changed]] = [bool(row.hidden) for row in changed]
            self.hidden = hidden
            self._large_per_sig = {}
            self.xmax, self.xip = snapshot.xmax, list(snapshot.xip)
            if len(removed) or changed:
                self.version += 1
        return len(removed) + len(changed)

    def _set_hidden(self, ords, day: int) -> None:
        ords = np.asarray(ords, dtype=np.int64)
        hidden = np.zeros(self.arrays.size, dtype=bool)
        hidden[ords[ords < len(hidden)]] = True
        self.hidden, self.hidden_day = hidden, int(day)
        self._large_per_sig = {}

    def hidden_mask(self, size: int) -> np.ndarray:
        """Suspended today, over `size` ords (call under the lock)."""
        if len(self.hidden) >= size:
            return self.hidden[:size]
        grown = np.zeros(size, dtype=bool)
        grown[: len(self.hidden)] = self.hidden
        return grown

    # Freshness -------------------------------------------------------------------------

    def usable(self, session: Session, engine: Engine) -> int | None:
        """Today's day number when the copy can answer for `session`, else None."""
        (state,) = driver.fetch(session, _STATE, {"xmax": self.xmax, "xip": self.xip})
        if state.wrote:
            return None
        if not self.ready or state.generation != self.generation:
            # (While it loads, the generation stays the old one: SQL answers.)
            self.load_in_background(engine)
            return None
        if state.changed:
            self.apply_delta(session.connection())
            if self.postings.stale_count > max(RELOAD_STALE, RELOAD_SHARE * self.arrays.size):
                # Many documents changed since the load: read the postings afresh (this
                # copy keeps answering meanwhile, exactly: stale entries are skipped).
                self.load_in_background(engine)
        if self.hidden_day != int(state.today):
            # The day turned: suspensions start and end without any write.
            hidden = session.execute(_HIDDEN).scalars().all()
            with self.lock:
                self._set_hidden(hidden, state.today)
                self.version += 1
        return int(state.today)

    # Counting --------------------------------------------------------------------------

    def text_match(self, text_query) -> TextMatch:
        """Documents matching every searched word (or one of its corrections), as postings
        (see TextMatch)."""
        with self.lock:
            words = [
                [[self.postings.get(lexeme) for lexeme in lexemes] for lexemes in word.lexemes
                 if lexemes]
                for word in text_query.searched
            ]  # fmt: skip
        return TextMatch(words=words)

    def lexeme_known(self, lexeme: str) -> bool:
        """Does a document of the index contain `lexeme` (what `tsv @@ lexeme` finds)?"""
        with self.lock:
            return self.postings.known(lexeme)

    def counts(
        self,
        query: SearchQuery,
        place: Place | None,
        key_map: facet_module.FacetKeys,
        today: int,
        text_match: TextMatch | None = None,
    ) -> Counts:
        """Total and facets of `query` (its text as `text_match`, see `text_match()`)."""
        with self.lock, self._matched(text_match, place) as matched:
            return self._select(query, place, key_map, today, matched).counts(key_map, self)

    def page(
        self,
        query: SearchQuery,
        place: Place | None,
        key_map: facet_module.FacetKeys,
        today: int,
        text_match: TextMatch | None,
    ) -> tuple[Counts, list[PageRow]]:
        """Counts and the ranked candidates of the page of a search with text or a place: the
        same orders as dora.search.backends.postgres (on site by distance, or text score
        blended with proximity, ties by `ord`; remote and national by score, freshness, then
        `ord` descending),
        cut at offset + size per stream."""
        with self.lock, self._matched(text_match, place) as matched:
            selection = self._select(query, place, key_map, today, matched)
            return selection.counts(key_map, self), selection.page_rows(self, query, matched)

    @contextlib.contextmanager
    def _matched(self, text_match: TextMatch | None, place: Place | None):
        """The documents matching the text (None without text), at the arrays' size; with a
        place, `at` locates candidates in them (call under the lock)."""
        if text_match is None:
            yield None
            return
        size = self.arrays.size
        if len(self._classes) < size:
            self._classes = np.zeros(size + size // 4, dtype=np.int8)
        matched = text_match.resolve(size, self._classes)
        if place is None:  # the candidates are the matching documents themselves
            yield matched
            return
        if len(self._positions) < size:
            self._positions = np.full(size + size // 4, -1, dtype=np.int32)
        self._positions[matched.ords] = np.arange(len(matched.ords), dtype=np.int32)
        matched.at = self._positions
        try:
            yield matched
        finally:
            self._positions[matched.ords] = -1
            matched.at = None

    def _allowed(self, query: SearchQuery, key_map: facet_module.FacetKeys) -> np.ndarray | None:
        """Per signature: does it pass the filters (None: no filter)."""
        allowed = None
        for name, values in query.filters.items():
            # Keys no signature has (beyond the matrix: e.g. an empty index) match nothing.
            codes = [c for c in key_map.codes(name, values) if c < self.sig_keys.shape[1]]
            passes = self.sig_keys[:, codes].any(axis=1) if codes else None
            if passes is None:
                passes = np.zeros(len(self.sig_keys), dtype=bool)
            allowed = passes if allowed is None else allowed & passes
        return allowed

    def _select(
        self,
        query: SearchQuery,
        place: Place | None,
        key_map: facet_module.FacetKeys,
        today: int,
        text: _Matched | None,
    ) -> _Selection:
        a = self.arrays
        assert len(self.hidden) >= a.size  # what _visible relies on
        allowed = self._allowed(query, key_map)
        bits = query.opening_bits

        def opened(ords: np.ndarray) -> np.ndarray:
            """« Ouvert le … » (the SQL condition of the postgres backend, bit for bit)."""
            assert bits is not None
            any_of, all_of = bits
            week = a.week[ords]
            return ((week & any_of) != 0) & ((week & all_of) == all_of)

        if place is None and text is not None:
            # Only the matching documents are visited.
            ords = text.ords
            keep = a.alive[ords] & _visible(self.hidden, ords)
            if allowed is not None:
                keep &= allowed[a.sig[ords]]
            if bits is not None:
                keep &= opened(ords)
            at = np.flatnonzero(keep)
            ords = ords[at]
            return _Selection(national=ords, national_sigs=a.sig[ords], national_at=at)
        if place is None:
            keep = a.alive & ~self.hidden_mask(a.size)
            if allowed is not None:
                keep &= allowed[a.sig]
            if bits is not None:
                keep &= opened(np.arange(a.size))
            ords = np.flatnonzero(keep)
            return _Selection(national=ords, national_sigs=a.sig[ords])
        eligible = np.zeros(len(self.eligs.ids) + 1, dtype=bool)
        for code in place.codes:
            positions = self.eligs_by_code.get(code)
            if positions:
                eligible[positions] = True
        band, inside, dot = self._within(query, place)
        elig, sig = band.elig[inside], band.sig[inside]
        keep = eligible[elig] & _visible(self.hidden, band.ords[inside])
        if allowed is not None:
            keep &= allowed[sig]
        if bits is not None:
            keep &= opened(band.ords[inside])
        ords = band.ords[inside]
        if text is not None:
            at = text.at[ords]
            keep &= at >= 0
        selection = _Selection(
            on_site=ords[keep], on_site_sigs=sig[keep], on_site_dot=dot[keep], place=place
        )
        if text is not None:
            selection.on_site_at = at[keep]
        if query.a_distance:
            assert self.remote is not None
            groups = np.flatnonzero(eligible)
            if text is None and bits is None and self.large:
                large = [g for g in groups.tolist() if g in self.large]
                if large:
                    groups = groups[~np.isin(groups, large)]
                    self._large_remote(selection, large, allowed, place, query)
            starts = self.remote_starts
            # Positions in the remote slab (grouped by eligibility set) of the eligible groups;
            # only the columns every candidate needs are gathered.
            at = np.concatenate(
                [np.arange(starts[g], starts[g + 1]) for g in groups if g + 1 < len(starts)]
                or [np.zeros(0, dtype=np.int64)]
            )
            remote = self.remote
            ords, sigs, flags = remote.ords[at], remote.sig[at], remote.flags[at]
            keep = _visible(self.hidden, ords)
            if allowed is not None:
                keep &= allowed[sigs]
            if bits is not None:
                keep &= opened(ords)
            if text is not None:
                text_at = text.at[ords]
                keep &= text_at >= 0
            # Remote services already counted as on site within the radius count once
            # (measured when in the radius' box).
            hybrid = np.flatnonzero(keep & ((flags & ON_SITE) != 0))
            if len(hybrid):
                dlat, _ = _box(query, place)
                hybrid = hybrid[np.abs(remote.lats[at[hybrid]] - place.latitude) <= dlat]
                keep[hybrid[_inside(remote, at[hybrid], place, query)]] = False
            selection.remote = ords[keep]
            selection.remote_sigs = sigs[keep]
            if text is not None:
                selection.remote_at = text_at[keep]
        return selection

    def _large_remote(
        self,
        selection: _Selection,
        groups: list[int],
        allowed: np.ndarray | None,
        place: Place,
        query: SearchQuery,
    ) -> None:
        """The remote documents of large groups, without text or opening day: counted from
        each group's visible documents per signature (kept until the copy changes), less
        those on site within the radius (counted there); for the page, each group's first
        documents that pass, read in the group's order (the remote order without text)."""
        remote = self.remote
        assert remote is not None
        n = query.offset + query.size
        dlat, _ = _box(query, place)
        per_sig = np.zeros(len(self.sig_keys), dtype=np.int64)
        firsts = []
        for group in groups:
            counted = self._large_per_sig.get(group)
            if counted is None:
                at = np.arange(self.remote_starts[group], self.remote_starts[group + 1])
                at = at[_visible(self.hidden, remote.ords[at])]
                counted = np.bincount(remote.sig[at], minlength=len(self.sig_keys))
                self._large_per_sig[group] = counted
            per_sig += counted if allowed is None else counted * allowed
            # Also on site within the radius: counted there, not here.
            by_lat, lats = self.large[group]
            near = by_lat[
                np.searchsorted(lats, place.latitude - dlat, side="left") : np.searchsorted(
                    lats, place.latitude + dlat, side="right"
                )
            ]
            near = near[_inside(remote, near, place, query)]
            near = near[_visible(self.hidden, remote.ords[near])]
            if allowed is not None:
                near = near[allowed[remote.sig[near]]]
            np.subtract.at(per_sig, remote.sig[near], 1)
            firsts.append(self._first_of(group, n, allowed, near))
        selection.remote_per_sig = per_sig
        selection.remote_first = np.concatenate(firsts)

    def _first_of(
        self, group: int, n: int, allowed: np.ndarray | None, left_out: np.ndarray
    ) -> np.ndarray:
        """The first `n` ords of a large group, in its order, that are visible, pass the
        filters and are not `left_out` (slab positions)."""
        remote = self.remote
        assert remote is not None
        start, end = int(self.remote_starts[group]), int(self.remote_starts[group + 1])
        found: list[np.ndarray] = []
        count, chunk = 0, n + FIRST_CHUNK_EXTRA
        while start < end and count < n:
            at = np.arange(start, min(end, start + chunk))
            keep = _visible(self.hidden, remote.ords[at])
            if allowed is not None:
                keep &= allowed[remote.sig[at]]
            if len(left_out):
                keep &= ~np.isin(at, left_out)
            found.append(remote.ords[at[keep]])
            count += int(keep.sum())
            start += chunk
            chunk *= 4
        return np.concatenate(found)[:n] if found else _EMPTY

    def _within(self, query: SearchQuery, place: Place) -> tuple[_Slab, np.ndarray, np.ndarray]:
        """On-site documents within the radius (see `_inside_dot`): those of its bounding box
        (see _Grid.box), the positions among them of those within and their cosines."""
        assert self.grid is not None
        dlat, dlon = _box(query, place)
        slab, near = self.grid.box(self.arrays, place.latitude, dlat, place.longitude, dlon)
        inside, dot = _inside_dot(slab, near, place, query)
        return slab, near[inside], dot[inside]


_indexes: dict[str, FacetIndex] = {}
_indexes_lock = threading.Lock()


def index_for(engine: Engine) -> FacetIndex:
    """The process-wide copy for this database."""
    key = str(engine.url)
    with _indexes_lock:
        found = _indexes.get(key)
        if found is None:
            found = _indexes[key] = FacetIndex()
        return found


def discard(engine: Engine) -> None:
    with _indexes_lock:
        _indexes.pop(str(engine.url), None)


def preload(connection: Connection, *, index: FacetIndex | None = None) -> FacetIndex:
    """Load the copy of the index, postings included, unless it is loaded: what
    gunicorn.conf.py does before forking the workers, so that they share its pages
    copy-on-write and none reads the index on its first search. `index` defaults to the
    process's copy for the connection's database."""
    index = index if index is not None else index_for(connection.engine)
    if not index.ready:
        index.load(connection)
    return index

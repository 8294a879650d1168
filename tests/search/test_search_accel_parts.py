"""The accelerator's pieces against plain definitions, on random data: a text match visits
only postings (dora.search.accel.TextMatch.resolve), the grid finds every document of a box
(_Grid.box), and the nearest documents are chosen by their cosines (page_rows). The
differential test checks them end to end against SQL; here each path is forced (a sort or a
pass for the union of a word's options, documents across the antimeridian, changed ones)."""

from __future__ import annotations

import numpy as np
import pytest

from dora.search import accel
from dora.search.query import Place, SearchQuery


def _posting(rng: np.random.Generator, size: int, count: int) -> tuple[np.ndarray, np.ndarray]:
    ords = np.sort(rng.choice(size, size=min(count, size), replace=False)).astype(np.int64)
    return ords, rng.integers(1, 4, size=len(ords)).astype(np.int8)


def _dense(words, size: int):
    """The definition: per word the best class of its options (an option needs all its
    lexemes, at its lowest class); a document matches when every word has a class."""
    score = np.zeros(size, dtype=np.int64)
    strength = np.zeros(size, dtype=np.int64)
    matches = np.ones(size, dtype=bool)
    for options in words:
        word = np.zeros(size, dtype=np.int64)
        for lexemes in options:
            option = None
            for ords, classes in lexemes:
                dense = np.zeros(size, dtype=np.int64)
                inside = ords < size
                dense[ords[inside]] = classes[inside]
                option = dense if option is None else np.minimum(option, dense)
            word = np.maximum(word, option)
        matches &= word > 0
        score += word
        strength += word >= 2
    ords = np.flatnonzero(matches)
    return ords, score[ords], strength[ords]


@pytest.mark.parametrize("seed", range(12))
def test_a_text_match_is_its_definition(seed):
    rng = np.random.default_rng(seed)
    size = 5000
    # Rare words (their options' union is sorted) and common ones (one pass over the size);
    # options of one lexeme or of several; postings beyond the size (a delta grew them).
    words = []
    for _ in range(rng.integers(1, 4)):
        options = []
        for _ in range(rng.integers(1, 4)):
            count = int(rng.choice([5, 60, 2500]))
            lexemes = [_posting(rng, size + 50, count) for _ in range(rng.integers(1, 3))]
            options.append(lexemes)
        words.append(options)
    scratch = np.zeros(size + 100, dtype=np.int8)
    matched = accel.TextMatch(words=words).resolve(size, scratch)
    ords, score, strength = _dense(words, size)
    assert matched.ords.tolist() == ords.tolist()
    assert matched.score.tolist() == score.tolist()
    assert matched.strength.tolist() == strength.tolist()
    assert not scratch.any()  # left as found, for the next search


def test_a_word_without_any_option_matches_nothing():
    rng = np.random.default_rng(1)
    words = [[[_posting(rng, 100, 50)]], []]
    matched = accel.TextMatch(words=words).resolve(100, np.zeros(100, dtype=np.int8))
    assert len(matched.ords) == 0


def _arrays(lons, lats) -> accel._Arrays:
    a = accel._Arrays(len(lons))
    a.put(np.arange(len(lons)), lons, lats, accel.ON_SITE, 0, 0, 0, 0)
    return a


def _within_by_definition(a: accel._Arrays, place: Place, radius_m: float) -> set[int]:
    distances = accel._haversine_m(a.lon, a.lat, place.longitude, place.latitude)
    return {int(o) for o in np.flatnonzero(a.alive & (distances <= radius_m))}


def _place(lon: float, lat: float) -> Place:
    return Place("00000", "Ici", lon, lat, "00", "00", None, codes=("*",))


@pytest.mark.parametrize(
    ("lon", "lat", "spread"),
    [(2.35, 48.85, 1.5), (55.5, -21.1, 1.0), (179.9, -17.5, 1.0), (-179.95, 10.0, 0.8)],
)
def test_the_grid_finds_every_document_within_the_radius(lon, lat, spread):
    rng = np.random.default_rng(7)
    lons = (lon + rng.uniform(-spread, spread, 4000) + 180) % 360 - 180
    lats = lat + rng.uniform(-spread, spread, 4000)
    a = _arrays(lons, lats)
    grid = accel._Grid(a)
    for rayon_km in (2, 10, 30, 100):
        query = SearchQuery(rayon_km=rayon_km)
        place = _place(lon, lat)
        dlat, dlon = accel._box(query, place)
        slab, near = grid.box(a, lat, dlat, lon, dlon)
        inside = near[accel._inside(slab, near, place, query)]
        assert {int(o) for o in slab.ords[inside]} == _within_by_definition(
            a, place, rayon_km * 1000
        )
    # Documents moved since the sort are found where they are now, not where they were.
    moved = np.arange(0, 4000, 7)
    a.put(moved, lon, lat + 0.001, accel.ON_SITE, 0, 0, 0, 0)
    grid.touch(moved)
    query = SearchQuery(rayon_km=5)
    dlat, dlon = accel._box(query, _place(lon, lat))
    slab, near = grid.box(a, lat, dlat, lon, dlon)
    inside = near[accel._inside(slab, near, _place(lon, lat), query)]
    found = [int(o) for o in slab.ords[inside]]
    assert sorted(found) == sorted(_within_by_definition(a, _place(lon, lat), 5000))
    assert len(found) == len(set(found))


def test_the_nearest_are_chosen_by_cosine_exactly_as_by_distance():
    rng = np.random.default_rng(3)
    # Many documents at the very same places (ties), and a crowd around them.
    lons = np.concatenate([np.full(300, 2.35), 2.35 + rng.normal(0, 0.05, 3000)])
    lats = np.concatenate([np.full(300, 48.85), 48.85 + rng.normal(0, 0.05, 3000)])
    a = _arrays(lons, lats)
    index = accel.FacetIndex()
    index.arrays = a
    place = _place(2.3501, 48.8501)
    query = SearchQuery(rayon_km=20, size=20, page=3)
    slab = accel._Slab(a, np.arange(len(lons)))
    inside, dot = accel._inside_dot(slab, np.arange(len(lons)), place, query)
    ords = np.flatnonzero(inside)
    selection = accel._Selection(
        on_site=ords, on_site_sigs=ords * 0, on_site_dot=dot[inside], place=place
    )
    rows = selection.page_rows(index, query.with_changes(a_distance=False), None)
    distances = accel._haversine_m(a.lon[ords], a.lat[ords], place.longitude, place.latitude)
    expected = ords[np.lexsort((ords, distances))][: query.offset + query.size]
    assert [row.service_id for row in rows if row.stream == "o"] == expected.tolist()

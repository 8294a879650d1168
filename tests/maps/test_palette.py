"""The category palette: white text readable on every colour, and colours that stay apart
for people with colour-vision deficiencies (simulated with Machado et al. 2009 matrices)."""

from __future__ import annotations

import itertools
import math

from dora.maps.builder import CATEGORY_PALETTE, category_styles

# Machado, Oliveira & Fernandes (2009), severity 1.0, on linear RGB.
SIMULATIONS = {
    "normale": None,
    "deutéranopie": (
        (0.367322, 0.860646, -0.227968),
        (0.280085, 0.672501, 0.047413),
        (-0.011820, 0.042940, 0.968881),
    ),
    "protanopie": (
        (0.152286, 1.052583, -0.204868),
        (0.114503, 0.786281, 0.099216),
        (-0.003882, -0.048116, 1.051998),
    ),
    "tritanopie": (
        (1.255528, -0.076749, -0.178779),
        (-0.078411, 0.930809, 0.147602),
        (0.004733, 0.691367, 0.303900),
    ),
}


def _linear(colour: str) -> list[float]:
    def one(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    return [one(int(colour[i : i + 2], 16)) for i in (1, 3, 5)]


def _lab(rgb: list[float]) -> tuple[float, float, float]:
    r, g, b = (max(0.0, v) for v in rgb)
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def _seen(colour: str, matrix) -> tuple[float, float, float]:
    rgb = _linear(colour)
    if matrix is not None:
        rgb = [sum(row[k] * rgb[k] for k in range(3)) for row in matrix]
    return _lab(rgb)


def test_white_text_is_readable_on_every_colour():
    for colour in CATEGORY_PALETTE:
        luminance = sum(
            w * c for w, c in zip((0.2126, 0.7152, 0.0722), _linear(colour), strict=True)
        )
        assert 1.05 / (luminance + 0.05) >= 4.5, colour


def test_colours_stay_apart_for_colour_blind_people():
    for vision, matrix in SIMULATIONS.items():
        seen = [_seen(c, matrix) for c in CATEGORY_PALETTE]
        closest = min(
            (math.dist(seen[i], seen[j]), CATEGORY_PALETTE[i], CATEGORY_PALETTE[j])
            for i, j in itertools.combinations(range(len(seen)), 2)
        )
        assert closest[0] >= 10, (vision, closest)


def test_every_category_has_its_own_colour_and_a_name():
    styles = category_styles()
    assert len({s.colour for s in styles}) == len(styles) == 16
    assert all(s.label for s in styles)

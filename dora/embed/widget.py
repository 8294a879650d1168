"""The widget's parameters: parsed (every error collected, with the field it concerns),
and turned back into the snippet a partner pastes or the URL of the frame."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

from markupsafe import Markup, escape
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from dora.api import params
from dora.api.errors import ApiError
from dora.maps.filters import FILTER_NAMES, MapFilters, parse_filters
from dora.maps.territory import Territory, TerritoryRef, load_territory, require_territory
from geodata import resolve

# Query-string names, in the order the snippet lists them (data-<name> attributes).
PARAMS = (
    "territoire",
    "thematiques",
    "publics",
    "frais",
    "types",
    "q",
    "offre",
    "titre",
    "carte",
    "liste",
    "recherche",
    "hauteur",
    "nombre",
    "couleur",
)
DEFAULT_COLOUR = "#1f5fa8"
DEFAULT_HEIGHT = 400
MIN_HEIGHT, MAX_HEIGHT = 200, 1000
DEFAULT_COUNT = 10
MAX_COUNT = 50
MAX_TITLE = 100
MIN_CONTRAST = 4.5
_COLOUR = re.compile(r"#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
# Set by the loader: where to send the frame's height, and which frame it is.
_ORIGIN = re.compile(r"https?://[A-Za-z0-9.\-]+(:\d{1,5})?|null")
_FRAME_ID = re.compile(r"[A-Za-z0-9_-]{1,60}")
_TRUE = {"1", "oui", "true", "on", "yes"}
_FALSE = {"0", "non", "false", "off", "no"}


@dataclass(frozen=True)
class WidgetConfig:
    territoire: str | None = None
    filters: MapFilters = field(default_factory=MapFilters)
    titre: str = ""
    carte: bool = True
    liste: bool = True
    recherche: bool = False
    hauteur: int = DEFAULT_HEIGHT
    nombre: int = DEFAULT_COUNT
    couleur: str = DEFAULT_COLOUR

    def query(self) -> list[tuple[str, str]]:
        """Non-default parameters, as query-string pairs (the snippet's data-attributes)."""
        pairs: list[tuple[str, str]] = []
        if self.territoire:
            pairs.append(("territoire", self.territoire))
        pairs.extend(self.filters.query_args())
        defaults = WidgetConfig()
        for name in ("titre", "carte", "liste", "recherche", "hauteur", "nombre", "couleur"):
            value = getattr(self, name)
            if value != getattr(defaults, name):
                pairs.append(
                    (name, ("1" if value else "0") if isinstance(value, bool) else str(value))
                )
        return pairs


@dataclass(frozen=True)
class ParsedWidget:
    config: WidgetConfig
    territory: Territory | None
    errors: dict[str, str]
    # Where the frame reports its height (postMessage target) and its id in the host page.
    parent_origin: str | None = None
    frame_id: str | None = None


def _boolean(args: MultiDict, name: str, default: bool, errors: dict[str, str]) -> bool:
    values = args.getlist(name)
    if not values or values[-1] == "":
        return default
    # A form sends a hidden "0" before its checkbox's "1": the last value wins.
    raw = values[-1].strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    errors[name] = f"« {name} » vaut 1 (oui) ou 0 (non), pas « {values[-1]} »."
    return default


def _integer(
    args: MultiDict, name: str, default: int, low: int, high: int, errors: dict[str, str]
) -> int:
    try:
        value = params.get_int(args, name, default=default, minimum=low, maximum=high)
    except ApiError as error:
        errors[name] = error.message
        return default
    return default if value is None else value


def relative_luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_with_white(colour: str) -> float:
    return 1.05 / (relative_luminance(colour) + 0.05)


def parse_colour(raw: str | None, errors: dict[str, str]) -> str:
    raw = (raw or "").strip()
    if not raw:
        return DEFAULT_COLOUR
    match = _COLOUR.fullmatch(raw)
    if not match:
        errors["couleur"] = (
            f"« couleur » doit être une couleur hexadécimale comme #1f5fa8, pas « {raw} »."
        )
        return DEFAULT_COLOUR
    digits = match.group(1).lower()
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    colour = f"#{digits}"
    contrast = contrast_with_white(colour)
    if contrast < MIN_CONTRAST:
        errors["couleur"] = (
            f"« couleur » : {colour} est trop claire pour du texte blanc ou sur fond blanc "
            f"(contraste {f'{contrast:.1f}'.replace('.', ',')}:1, il faut au moins 4,5:1). "
            "Choisissez une teinte plus foncée."
        )
        return DEFAULT_COLOUR
    return colour


def parse_widget_args(session: Session, args: MultiDict) -> ParsedWidget:
    """Every parameter checked; each bad one gives a French message under its own name."""
    errors: dict[str, str] = {}
    territory = None
    try:
        territory = require_territory(session, args.get("territoire"))
    except ApiError as error:
        errors["territoire"] = error.message
    chosen: dict[str, tuple[str, ...] | str] = {}
    for name in FILTER_NAMES:
        try:
            parsed = parse_filters(MultiDict([(name, v) for v in args.getlist(name)]))
        except ApiError as error:
            errors[error.field or name] = error.message
            continue
        chosen[name] = getattr(parsed, name)
    filters = MapFilters(**chosen)  # type: ignore[arg-type]
    titre = " ".join((args.get("titre") or "").split())
    if len(titre) > MAX_TITLE:
        errors["titre"] = f"« titre » est limité à {MAX_TITLE} caractères."
        titre = titre[:MAX_TITLE]
    config = WidgetConfig(
        territoire=territory.ref.param if territory else None,
        filters=filters,
        titre=titre,
        carte=_boolean(args, "carte", True, errors),
        liste=_boolean(args, "liste", True, errors),
        recherche=_boolean(args, "recherche", False, errors),
        hauteur=_integer(args, "hauteur", DEFAULT_HEIGHT, MIN_HEIGHT, MAX_HEIGHT, errors),
        nombre=_integer(args, "nombre", DEFAULT_COUNT, 1, MAX_COUNT, errors),
        couleur=parse_colour(args.get("couleur"), errors),
    )
    if not config.carte and not config.liste:
        errors["carte"] = "Affichez au moins la carte ou la liste (« carte » ou « liste » à 1)."
    origin = (args.get("origine") or "").strip()
    frame_id = (args.get("id") or "").strip()
    return ParsedWidget(
        config=config,
        territory=territory,
        errors=errors,
        parent_origin=origin if _ORIGIN.fullmatch(origin) and origin != "null" else None,
        frame_id=frame_id if _FRAME_ID.fullmatch(frame_id) else None,
    )


def resolve_place(session: Session, value: str) -> tuple[str | None, str | None]:
    """A commune or EPCI typed in the builder (name, INSEE code, postal code or SIREN) →
    ("commune:…" or "epci:…", None) or (None, error message)."""
    from dora.maps.territory import find_territories

    value = " ".join(value.split())
    if not value:
        return None, None
    if re.fullmatch(r"\d{9}", value):
        ref = TerritoryRef("epci", value)
        if load_territory(session, ref) is None:
            return None, f"Aucune intercommunalité n’a le SIREN « {value} »."
        return ref.param, None
    # A commune (name, label « Nom (93) », INSEE or postal code) first, then an EPCI by name.
    resolved = resolve.resolve_typed_commune(session, value)
    if resolved.likeliest is not None and not resolved.guessed:
        return f"commune:{resolved.likeliest.code}", None
    for match in find_territories(session, value, limit=5):
        if match.ref.kind in ("commune", "epci"):
            return match.ref.param, None
    return None, f"Aucune commune ni intercommunalité ne correspond à « {value} »."


def snippet(config: WidgetConfig, loader_url: str) -> Markup:
    """The HTML a partner pastes: a placeholder div and the loader script."""
    attributes = "".join(
        f' data-{name}="{escape(value)}"' for name, value in _joined(config.query())
    )
    return Markup(
        f"<div data-dora-widget{attributes}></div>\n"
        f'<script src="{escape(loader_url)}" async></script>'
    )


def _joined(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """One attribute per parameter (lists comma-joined), in PARAMS order."""
    joined: dict[str, list[str]] = {}
    for name, value in pairs:
        joined.setdefault(name, []).append(value)
    return [(name, ",".join(joined[name])) for name in PARAMS if name in joined]


def frame_query(config: WidgetConfig) -> str:
    return urlencode(_joined(config.query()))

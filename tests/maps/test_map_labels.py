"""Map labels: one helper escapes user text for the JavaScript template literals folium
writes tooltips and popups into, and every tooltip and popup of the code goes through it."""

from __future__ import annotations

import ast
from pathlib import Path

from markupsafe import Markup

from dora.core.mapbuilder import map_html_label, map_label

DORA = Path(__file__).resolve().parents[2] / "dora"


def test_map_label_leaves_nothing_a_template_literal_or_html_would_interpret():
    label = map_label("${alert(1)} `x` \\u003cimg\\u003e <b onmouseover=\"y\">'z'</b>")
    for dangerous in ("${", "`", "\\", "<", ">", '"', "'"):
        assert dangerous not in label
    assert label.startswith("&#36;{alert(1)} &#96;x&#96; &#92;u003cimg&#92;u003e &lt;b")


def test_markup_keeps_its_tags_but_not_template_literal_syntax():
    markup = Markup("<strong>{}</strong>").format("${x} `y`")
    assert map_html_label(markup) == "<strong>&#36;{x} &#96;y&#96;</strong>"


def _calls(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            yield node


def test_every_tooltip_and_popup_goes_through_the_helpers():
    offenders = []
    for path in DORA.rglob("*.py"):
        if path.name == "mapbuilder.py" and path.parent.name == "core":
            continue
        tree = ast.parse(path.read_text(), filename=str(path))
        for call in _calls(tree):
            name = ast.unparse(call.func)
            if name.endswith(("Tooltip", "Popup")):
                offenders.append(f"{path}:{call.lineno} {name}(…)")
            for keyword in call.keywords:
                if keyword.arg not in {"tooltip", "popup"} or _is_none(keyword.value):
                    continue
                value = keyword.value
                helper = ast.unparse(value.func) if isinstance(value, ast.Call) else ""
                if helper.split(".")[-1] != keyword.arg:
                    offenders.append(f"{path}:{call.lineno} {keyword.arg}={ast.unparse(value)}")
    assert offenders == []


def _is_none(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value is None

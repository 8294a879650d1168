"""Descriptions written in Markdown, shown as a safe subset of HTML.

Producers write descriptions in Markdown (`**gras**`, `•`/`-` lists, `[liens](…)`, Windows
line ends). Two maintained libraries do the work, each for what it is good at:

- `markdown-it-py` (the CommonMark reference port) parses, with only the rules we show enabled:
  paragraphs, line breaks, emphasis, lists, inline code and links. Raw HTML is off, so
  `<script>` stays text; an image `![texte](…)` is shown as its text, never loaded; a link
  must be absolute `http(s)`, `mailto` or `tel` (no `javascript:`, `data:`, relative paths),
  otherwise it stays text.
- `nh3` (Python binding of the Rust `ammonia` sanitiser) then keeps only an allow-list of tags
  and attributes and the URL schemes we accept, and writes `rel="nofollow noopener"` on links:
  a second, independent barrier in case a parser rule lets something through.

The stored text is never changed: the API keeps the producer's text, pages render it.
"""

from __future__ import annotations

import re

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

ALLOWED_TAGS = {"p", "br", "strong", "em", "code", "ul", "ol", "li", "a"}
ALLOWED_ATTRIBUTES = {"a": {"href"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
LINK_REL = "nofollow noopener"

# A bullet character that producers type (or paste from Word) at the start of a line, which
# CommonMark does not know: written as the `-` it means.
_BULLET = re.compile(r"^([ \t]*)[•·▪◦●‣–—][ \t]*", re.MULTILINE)

_parser = MarkdownIt(
    "zero", {"breaks": True, "html": False, "linkify": False, "typographer": False}
).enable(["emphasis", "list", "link", "image", "newline", "escape", "backticks", "entity"])


def _absolute_link(url: str) -> bool:
    scheme, colon, rest = url.strip().partition(":")
    return bool(colon and rest) and scheme.lower() in URL_SCHEMES


def _image_as_text(self, tokens, idx, options, env) -> str:
    # Parsed (so that `![x](…)` does not turn into a link) but shown as its words only.
    return self.renderInline(tokens[idx].children or [], options, env)


_parser.validateLink = _absolute_link  # type: ignore[method-assign]
_parser.add_render_rule("image", _image_as_text)


def _normalise(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _BULLET.sub(r"\1- ", text)


def render_markdown(text: str | None) -> Markup:
    """The HTML of `text` (Markdown subset), sanitised; empty markup for empty text."""
    if not text or not text.strip():
        return Markup("")
    html = _parser.render(_normalise(text))
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
    )
    return Markup(clean.strip())


def markdown_text(text: str | None) -> str:
    """The words of `text` without Markdown marks: bold, list bullets and link URLs go away
    (for excerpts, e-mails and map tooltips, which are plain text)."""
    if not text:
        return ""
    words: list[str] = []
    for token in _parser.parse(_normalise(text)):
        if token.type == "inline":
            for child in token.children or ():
                if child.type in ("text", "code_inline"):
                    words.append(child.content)
                elif child.type == "image":
                    words.append(" ".join(c.content for c in child.children or ()))
                elif child.type in ("softbreak", "hardbreak"):
                    words.append(" ")
            words.append(" ")
    return " ".join("".join(words).split())


def markdown_excerpt(text: str | None, length: int = 200) -> str:
    """The first `length` characters of the plain text of `text`, cut at a word, with « … »."""
    plain = markdown_text(text)
    if len(plain) <= length:
        return plain
    cut = plain[:length].rsplit(" ", 1)[0].rstrip(",;:.–- ")
    return f"{cut}…"

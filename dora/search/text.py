"""Free text of a search: words, typo tolerance and "did you mean".

French full-text search does the heavy lifting in PostgreSQL (text search configuration
`dora_french`: accents folded by `unaccent`, then the French Snowball stemmer, so
`hébergement`, `Hebergements` and `hébergements` are the same lexeme). This module adds what
stemming cannot do:

- each word that matches no indexed service but lies one typo (insertion, deletion,
  substitution or swap of two neighbours — optimal string alignment distance 1) from words of
  the lexicon is matched as those words as well (`mobilitee` finds `mobilité`); words shorter
  than `MIN_TYPO_LENGTH` are never corrected (too many neighbours);
- a suggestion ("did you mean") is made when a word matches nothing: the query with that word
  replaced by the closest lexicon word (two typos at most) that does match services.

The lexicon (`search_lexicon`) holds the words of service and structure names and of the
vocabulary labels, kept by the index triggers; candidates come from its trigram index.
Words of descriptions are searched (with stemming and accents folded) but not corrected.
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, replace

from data_inclusion.schema import v1
from rapidfuzz.distance import OSA
from sqlalchemy import bindparam, func, literal_column, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session
from sqlalchemy.types import Text

MIN_TYPO_LENGTH = 4
MAX_TYPOS_MATCHED = 1
MAX_TYPOS_SUGGESTED = 2
MAX_WORDS = 12
MAX_CANDIDATES = 30

_WORD = re.compile(r"[^\W_]+")
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae"})


def fold(value: str) -> str:
    """Lowercase without accents (the lexicon's `word` form)."""
    decomposed = unicodedata.normalize("NFKD", value.lower().translate(_LIGATURES))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def words(q: str) -> list[str]:
    """The words of `q`, as typed (lowercase), in order, at most MAX_WORDS."""
    return _WORD.findall(q.lower())[:MAX_WORDS]


@dataclass(frozen=True)
class Word:
    typed: str
    searched: bool  # False for stop words ("de", "la"…): left out of the query
    found: bool  # matches services as typed (after stemming)
    alternatives: tuple[str, ...] = ()  # lexicon words one typo away, matched as well
    suggestion: str | None = None  # best correction when not found
    # The index lexemes of each option (the word, then its alternatives), from PostgreSQL.
    lexemes: tuple[tuple[str, ...], ...] = ()

    @property
    def options(self) -> list[str]:
        """What is searched for this word: itself (folded) and its corrections."""
        folded = fold(self.typed)
        return [folded, *(a for a in self.alternatives if a != folded)]


@dataclass(frozen=True)
class TextQuery:
    """The text part of a search, ready for PostgreSQL (`tsquery`) and for display."""

    words: tuple[Word, ...]

    @property
    def empty(self) -> bool:
        return not any(word.searched for word in self.words)

    def tsquery_text(self) -> str:
        """`to_tsquery` input: every searched word (or one of its corrections) must match.

        Words are made of letters and digits only, so they need no quoting.
        """
        parts = []
        for word in self.searched:
            options = word.options
            parts.append(options[0] if len(options) == 1 else "(" + " | ".join(options) + ")")
        return " & ".join(parts)

    @property
    def searched(self) -> list[Word]:
        return [word for word in self.words if word.searched]

    def score_sql(self, alias: str = "d") -> tuple[str, dict[str, str]]:
        """Relevance of a matching document, and its parameters: for each word, 3 when it (or
        a correction) is in the names (weight A), 2 in the labels (B), 1 elsewhere (C).

        The same score as dora.search.accel computes from its postings, so that both give the
        same order."""
        terms, params = [], {}
        for index, word in enumerate(self.searched):
            for weight in ("A", "B"):
                params[f"w{index}{weight.lower()}"] = " | ".join(
                    f"{option}:{weight}" for option in word.options
                )
            terms.append(
                f"(CASE WHEN {alias}.tsv @@ to_tsquery('dora_french', :w{index}a) THEN 3"
                f" WHEN {alias}.tsv @@ to_tsquery('dora_french', :w{index}b) THEN 2 ELSE 1 END)"
            )
        return "(" + " + ".join(terms) + ")", params

    def strength_sql(self, alias: str = "d") -> str:
        """How many words (or corrections) a document matches in a name or a label
        (thématique, sub-thème, public, type) — weights A or B — rather than only in its
        descriptions. Results are ranked by it first: a service whose name or thématique says
        `mobilité` comes before one whose description mentions « personnes à mobilité
        réduite ». Uses the parameters of `score_sql`; dora.search.accel computes the same."""
        terms = [
            f"(CASE WHEN {alias}.tsv @@ to_tsquery('dora_french', :w{index}a)"
            f" OR {alias}.tsv @@ to_tsquery('dora_french', :w{index}b) THEN 1 ELSE 0 END)"
            for index, _ in enumerate(self.searched)
        ]
        return "(" + " + ".join(terms) + ")"

    def sql(self):
        """The tsquery as a SQL expression (None when there is nothing to search)."""
        if self.empty:
            return None
        return func.to_tsquery(literal_column("'dora_french'::regconfig"), self.tsquery_text())

    @property
    def suggestion(self) -> str | None:
        """The query with unmatched words replaced by their closest indexed spelling."""
        if not any(word.suggestion for word in self.words):
            return None
        return " ".join(word.suggestion or word.typed for word in self.words)

    @property
    def corrected(self) -> bool:
        return any(word.alternatives for word in self.words)


# Each word: searched (not a stop word), found (in the index: `{found}`), and its lexemes.
_PROBE_SQL = """SELECT w.typed, q::text <> '' AS searched, {found} AS found,
        tsvector_to_array(to_tsvector('dora_french', w.typed)) AS lexemes
    FROM unnest(:typed) WITH ORDINALITY AS w(typed, n),
        LATERAL to_tsquery('dora_french', w.typed) AS q
    ORDER BY w.n"""
_PROBE = text(
    _PROBE_SQL.format(
        found="q::text <> '' AND EXISTS (SELECT 1 FROM search_document AS d WHERE d.tsv @@ q)"
    )
).bindparams(bindparam("typed", type_=ARRAY(Text)))
# The same without looking into the index, when an oracle answers whether a lexeme is in it.
_PROBE_LEXEMES = text(_PROBE_SQL.format(found="NULL::boolean")).bindparams(
    bindparam("typed", type_=ARRAY(Text))
)

_FOUND = text(
    "SELECT EXISTS (SELECT 1 FROM search_document AS d"
    " WHERE d.tsv @@ to_tsquery('dora_french', :word))"
)

_LEXEMES = text(
    """SELECT o, tsvector_to_array(to_tsvector('dora_french', o)) AS lexemes
    FROM unnest(:options) AS o"""
).bindparams(bindparam("options", type_=ARRAY(Text)))

_NEAR_WORDS = """SELECT word, forme FROM search_lexicon WHERE word % :word
          ORDER BY similarity(word, :word) DESC, word LIMIT :limit"""
_CANDIDATES = text(
    f"""SELECT l.word, l.forme,
        EXISTS (SELECT 1 FROM search_document AS d
                WHERE d.tsv @@ to_tsquery('dora_french', l.word)) AS matches,
        NULL::text[] AS lexemes
    FROM ({_NEAR_WORDS}) AS l"""
)
_CANDIDATE_LEXEMES = text(
    f"""SELECT l.word, l.forme, NULL::boolean AS matches,
        tsvector_to_array(to_tsvector('dora_french', l.word)) AS lexemes
    FROM ({_NEAR_WORDS}) AS l"""
)

# Whether a lexeme is in the index, from a copy of it (dora.search.accel.FacetIndex).
Oracle = Callable[[str], bool]


def _found(session: Session, word: str, lexemes, known: Oracle) -> bool:
    """What `EXISTS (… tsv @@ to_tsquery(word))` answers, from the oracle when the word is
    one lexeme (a word of several is a phrase: SQL checks that they follow each other)."""
    if not lexemes:
        return False
    if len(lexemes) == 1:
        return known(lexemes[0])
    return bool(session.execute(_FOUND, {"word": word}).scalar_one())


# Words of category labels that name nothing (« Logement et hébergement »).
_LABEL_STOP_WORDS = frozenset(
    [
        "a",
        "au",
        "aux",
        "d",
        "de",
        "des",
        "du",
        "en",
        "et",
        "l",
        "la",
        "le",
        "les",
        "ou",
        "s",
        "sa",
        "se",
        "un",
        "une",
    ]
)


def _singular(word: str) -> str:
    return word[:-1] if len(word) > 3 and word[-1] in "sx" else word


@functools.cache
def _content_words(label: str) -> frozenset[str]:
    return frozenset(_singular(w) for w in _WORD.findall(fold(label)) if w not in _LABEL_STOP_WORDS)


def named_thematique(text_query: TextQuery | None) -> tuple[str, str] | None:
    """(value, label) of the one thématique category the searched words name — each word (as
    typed, or one of its one-typo corrections; accents, case and plural aside) is a word of
    its label: `mobilité`, `Mobilites`, `mobilitee` name « Mobilité », `logement` names
    « Logement et hébergement ». None when they name none, or several (`difficultés`)."""
    if text_query is None or text_query.empty:
        return None
    searched = [{_singular(o) for o in word.options} for word in text_query.searched]
    named = [
        (category.value, category.label)
        for category in v1.Categorie
        if all(options & _content_words(category.label) for options in searched)
    ]
    return named[0] if len(named) == 1 else None


def prepare(session: Session, q: str, known: Oracle | None = None) -> TextQuery:
    """Look the words of `q` up in the index and the lexicon (two or three queries).

    `known`, when given, says whether a lexeme is in the index (the search accelerator's
    copy, up to date for this request): the index itself is then not read here — a word
    absent from it could otherwise cost a scan of the whole table — and the analysis of
    words already seen (their lexemes) is not asked again: a search of known words runs no
    query at all."""
    # One letter ("l" of "l'emploi") is never a useful word on its own.
    typed = [word for word in words(q) if len(fold(word)) > 1]
    if not typed:
        return TextQuery(words=())
    # Words are made of letters and digits: to_tsquery cannot choke on them.
    folded = [fold(word) for word in typed]
    if known is None:
        rows = session.execute(_PROBE, {"typed": folded}).all()
        probes = [(row.searched, row.found, tuple(row.lexemes or ())) for row in rows]
    else:
        probes = [
            (searched, searched and _found(session, word, lexemes, known), lexemes)
            for word, (searched, lexemes) in zip(folded, _analysed(session, folded), strict=True)
        ]
    lexemes = {word: probe[2] for word, probe in zip(folded, probes, strict=True)}
    result = []
    for word, (searched, found, _) in zip(typed, probes, strict=True):
        if not searched or found or len(fold(word)) < MIN_TYPO_LENGTH:
            result.append(Word(typed=word, searched=searched, found=found))
            continue
        result.append(_correct(session, word, known))
    missing = sorted(
        {o for word in result if word.searched for o in word.options if o not in lexemes}
    )
    if missing and known is None:  # corrections: their lexemes too
        lexemes.update(session.execute(_LEXEMES, {"options": missing}).all())
    elif missing:
        analysed = _analysed(session, missing)
        lexemes.update((word, a[1]) for word, a in zip(missing, analysed, strict=True))
    return TextQuery(
        words=tuple(
            replace(word, lexemes=tuple(tuple(lexemes.get(o) or ()) for o in word.options))
            for word in result
        )
    )


# Folded word -> (searched: not a stop word, its lexemes): what `dora_french` makes of it,
# which only a migration changes. Bounded: cleared when full.
_ANALYSED_SIZE = 50_000
_analysis: dict[str, tuple[bool, tuple[str, ...]]] = {}
_analysis_lock = threading.Lock()


def _analysed(session: Session, folded: list[str]) -> list[tuple[bool, tuple[str, ...]]]:
    """(searched, lexemes) of each word, from memory or in one query for those not seen."""
    with _analysis_lock:
        seen = {word: _analysis[word] for word in folded if word in _analysis}
    unseen = sorted(set(folded) - set(seen))
    if unseen:
        for row in session.execute(_PROBE_LEXEMES, {"typed": unseen}).all():
            seen[row.typed] = (bool(row.searched), tuple(row.lexemes or ()))
        with _analysis_lock:
            if len(_analysis) + len(unseen) > _ANALYSED_SIZE:
                _analysis.clear()
            _analysis.update((word, seen[word]) for word in unseen)
    return [seen[word] for word in folded]


def _correct(session: Session, word: str, known: Oracle | None) -> Word:
    folded = fold(word)
    statement = _CANDIDATES if known is None else _CANDIDATE_LEXEMES
    candidates = session.execute(statement, {"word": folded, "limit": MAX_CANDIDATES}).all()
    matching = [
        row.matches if known is None else _found(session, row.word, row.lexemes, known)
        for row in candidates
    ]
    scored = sorted(
        (OSA.distance(folded, row.word), index, row)
        for index, row in enumerate(candidates)
        if matching[index]
    )
    alternatives = tuple(row.word for distance, _, row in scored if distance <= MAX_TYPOS_MATCHED)
    close = [row for distance, _, row in scored if distance <= MAX_TYPOS_SUGGESTED]
    return Word(
        typed=word,
        searched=True,
        found=False,
        alternatives=alternatives,
        suggestion=close[0].forme if close else None,
    )

"""Reading data·inclusion files: JSON array, JSON lines or CSV, into raw records.

Every record keeps where it came from (file name, line, position) so that a rejection can
be reported precisely. Problems that make a whole file unusable (unreadable, not UTF-8, bad
JSON, CSV header without the schema's required columns, empty file) raise `FileProblem`
before anything is written.

CSV conventions (documented in the README):
- the header holds the schema's field names; the delimiter is `,` `;` or a tab (detected
  from the header line); an empty cell means "no value" (null);
- list fields (thematiques, publics, zone_eligibilite…) accept a JSON list `["a","b"]`, a
  PostgreSQL array `{a,b}` or comma-separated values `a,b`; `[]` is an empty list;
- decimal numbers accept a comma (`2,35`) as spreadsheets write them in French.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from dora.interop.fields import Kind, spec_of

Format = Literal["json", "jsonl", "csv"]

_JSON_WHITESPACE = re.compile(r"[ \t\n\r]*")
_DECIMAL_COMMA = re.compile(r"^\s*-?\d+,\d+\s*$")
_JSON_SUFFIXES = {".json"}
_JSONL_SUFFIXES = {".jsonl", ".ndjson"}
_CSV_SUFFIXES = {".csv", ".tsv"}


class FileProblem(Exception):
    """A file that cannot be used at all; the message is French and names the file."""

    def __init__(self, path: Path | str, message: str) -> None:
        self.path = str(path)
        self.message = message
        super().__init__(f"{Path(self.path).name} : {message}")


@dataclass(frozen=True)
class SourceRecord:
    """One raw record and where it was read (line is 1-based; position counts records)."""

    file: str
    line: int
    position: int
    data: Any
    # A problem found while reading this record only (a CSV row of the wrong width).
    error: str | None = None

    @property
    def where(self) -> str:
        return f"{self.file}, ligne {self.line}"


@dataclass
class ReadResult:
    records: list[SourceRecord]
    format: Format
    # Keys or columns that the schema does not know: ignored, reported once per file.
    unknown_fields: list[str] = field(default_factory=list)


def read_records(path: Path, kind: Kind) -> ReadResult:
    """All raw records of a structures or services file (see the module docstring)."""
    path = Path(path)
    text = _read_text(path)
    if not text.strip():
        raise FileProblem(path, "le fichier est vide.")
    file_format = detect_format(path, text)
    try:
        if file_format == "csv":
            result = _read_csv(path, text, kind)
        else:
            records = (
                _read_json_array(path, text) if file_format == "json" else _read_jsonl(path, text)
            )
            result = ReadResult(records, file_format, _unknown_keys(records, kind))
    except RecursionError:
        # Python's JSON parser recurses per level: thousands of nested [[[…]]] exhaust it.
        raise FileProblem(
            path, "JSON invalide : valeurs imbriquées trop profondément (fichier inutilisable)."
        ) from None
    if not result.records:
        raise FileProblem(path, "le fichier ne contient aucun enregistrement.")
    return result


def detect_format(path: Path, text: str) -> Format:
    """By extension, then by content: `[` opens a JSON array, `{` JSON lines, else CSV."""
    suffix = path.suffix.lower()
    first = text.lstrip()[:1]
    if suffix in _CSV_SUFFIXES:
        return "csv"
    if suffix in _JSONL_SUFFIXES:
        return "jsonl"
    if first == "[":
        return "json"
    if first == "{":
        return "jsonl"
    if suffix in _JSON_SUFFIXES:
        raise FileProblem(path, "JSON invalide : un tableau `[...]` ou un objet par ligne attendu.")
    return "csv"


def _read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise FileProblem(path, "fichier introuvable.") from None
    except IsADirectoryError:
        raise FileProblem(path, "c’est un dossier, pas un fichier.") from None
    except OSError as exc:
        raise FileProblem(path, f"lecture impossible ({exc.strerror or exc}).") from None
    try:
        # utf-8-sig: spreadsheets often prepend a byte order mark.
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise FileProblem(
            path,
            f"le fichier n’est pas encodé en UTF-8 (octet invalide ligne {line}) ; "
            "réenregistrez-le en UTF-8.",
        ) from None


def _json_error(path: Path, exc: json.JSONDecodeError, line_offset: int = 0) -> FileProblem:
    return FileProblem(
        path,
        f"JSON invalide ligne {exc.lineno + line_offset}, colonne {exc.colno} : {exc.msg}.",
    )


def _read_json_array(path: Path, text: str) -> list[SourceRecord]:
    """Element by element with raw_decode, to know the line where each record starts.

    The envelope of our own API (`{"items": [...]}`) is accepted too, through JSON lines.
    """
    decoder = json.JSONDecoder()
    records: list[SourceRecord] = []
    position = _JSON_WHITESPACE.match(text, 0).end()
    if text[position] != "[":
        raise FileProblem(path, "JSON invalide : un tableau `[...]` attendu.")
    position = _JSON_WHITESPACE.match(text, position + 1).end()
    line = 1 + text.count("\n", 0, position)
    counted_until = position
    if position < len(text) and text[position] == "]":
        return _expect_end(path, text, position + 1, records)
    while True:
        line += text.count("\n", counted_until, position)
        counted_until = position
        try:
            value, end = decoder.raw_decode(text, position)
        except json.JSONDecodeError as exc:
            raise _json_error(path, exc) from None
        records.append(SourceRecord(Path(path).name, line, len(records) + 1, value))
        position = _JSON_WHITESPACE.match(text, end).end()
        if position >= len(text):
            raise FileProblem(path, "JSON invalide : le tableau n’est pas fermé par `]`.")
        if text[position] == "]":
            return _expect_end(path, text, position + 1, records)
        if text[position] != ",":
            where = 1 + text.count("\n", 0, position)
            raise FileProblem(path, f"JSON invalide ligne {where} : `,` ou `]` attendu.")
        position = _JSON_WHITESPACE.match(text, position + 1).end()


def _expect_end(path: Path, text: str, position: int, records: list) -> list[SourceRecord]:
    if text[position:].strip():
        where = 1 + text.count("\n", 0, position)
        raise FileProblem(path, f"JSON invalide ligne {where} : contenu après la fin du tableau.")
    return records


def _read_jsonl(path: Path, text: str) -> list[SourceRecord]:
    records: list[SourceRecord] = []
    # Only \n ends a record: str.splitlines() would also cut at U+2028, which JSON strings
    # may hold unescaped.
    lines = text.split("\n")
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            if number == 1:
                envelope = _api_envelope(text)
                if envelope is not None:
                    return [
                        SourceRecord(Path(path).name, 1, index, item)
                        for index, item in enumerate(envelope, start=1)
                    ]
            raise _json_error(path, exc, line_offset=number - 1) from None
        if number == 1 and isinstance(value, dict) and isinstance(value.get("items"), list):
            # A one-line API envelope, e.g. saved from /api/v1/services.
            return [
                SourceRecord(Path(path).name, 1, index, item)
                for index, item in enumerate(value["items"], start=1)
            ]
        records.append(SourceRecord(Path(path).name, number, len(records) + 1, value))
    return records


def _api_envelope(text: str) -> list | None:
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        return None
    if isinstance(value, dict) and isinstance(value.get("items"), list):
        return value["items"]
    return None


def _unknown_keys(records: list[SourceRecord], kind: Kind) -> list[str]:
    known = spec_of(kind).names
    unknown: set[str] = set()
    for record in records:
        if isinstance(record.data, dict):
            unknown.update(key for key in record.data if key not in known)
    return sorted(unknown)


# -- CSV ----------------------------------------------------------------------------------


def _delimiter(header_line: str) -> str:
    counts = {delimiter: header_line.count(delimiter) for delimiter in (",", ";", "\t")}
    return max(counts, key=lambda delimiter: counts[delimiter])


def _read_csv(path: Path, text: str, kind: Kind) -> ReadResult:
    spec = spec_of(kind)
    header_line = text.lstrip("\r\n").split("\n", 1)[0]
    # newline="": the csv module splits rows itself (quoted cells may hold line breaks).
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(header_line))
    try:
        header = [name.strip() for name in next(reader)]
    except (StopIteration, csv.Error) as exc:
        raise FileProblem(path, f"CSV illisible : {exc}.") from None
    duplicated = sorted({name for name in header if header.count(name) > 1})
    if duplicated:
        raise FileProblem(
            path, f"en-tête CSV invalide : colonne(s) en double : {', '.join(duplicated)}."
        )
    missing = [name for name in spec.required if name not in header]
    if missing:
        kind_label = "structures" if kind == "structures" else "services"
        raise FileProblem(
            path,
            f"en-tête CSV invalide pour des {kind_label} : "
            f"colonne(s) obligatoire(s) manquante(s) : {', '.join(missing)} "
            f"(en-tête lu : {', '.join(header[:8])}{'…' if len(header) > 8 else ''}).",
        )
    unknown = sorted(name for name in header if name not in spec.names)
    records: list[SourceRecord] = []
    previous_end = reader.line_num
    while True:
        start = previous_end + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise FileProblem(path, f"CSV invalide ligne {reader.line_num} : {exc}.") from None
        previous_end = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        error = None
        if len(row) != len(header):
            error = (
                f"{len(row)} cellule(s) au lieu de {len(header)} (une par colonne de l’en-tête) : "
                "vérifiez les séparateurs et les guillemets"
            )
        data = _csv_record(header, row, kind)
        records.append(SourceRecord(Path(path).name, start, len(records) + 1, data, error))
    return ReadResult(records, "csv", unknown)


def _csv_record(header: list[str], row: list[str], kind: Kind) -> dict[str, Any]:
    """The cells of the known columns (a short row still gives its `id` for the report)."""
    spec = spec_of(kind)
    record: dict[str, Any] = {}
    for name, cell in zip(header, row, strict=False):
        if name not in spec.names:
            continue
        record[name] = _csv_value(cell, name in spec.lists, name in spec.floats)
    return record


def _csv_value(cell: str, is_list: bool, is_float: bool) -> Any:
    if cell.strip() == "":
        return None
    if is_list:
        return parse_list_cell(cell)
    if is_float and _DECIMAL_COMMA.match(cell):
        return cell.strip().replace(",", ".")
    return cell


def parse_list_cell(cell: str) -> Any:
    """`["a","b"]` (JSON), `{a,b}` (PostgreSQL) or `a,b`; returns the cell itself when a
    JSON-looking cell does not parse, so that validation reports it."""
    value = cell.strip()
    if value.startswith("["):
        try:
            return json.loads(value)
        except (json.JSONDecodeError, RecursionError):
            return value
    if value.startswith("{") and value.endswith("}"):
        value = value[1:-1]
    return [part.strip().strip('"') for part in value.split(",") if part.strip()]

"""Fixtures of the import/export tests: real files written under tmp_path."""

from __future__ import annotations

from pathlib import Path

import pytest

from .samples import write_csv, write_json, write_jsonl


@pytest.fixture
def files(tmp_path: Path):
    """files.json("name", records) / files.jsonl / files.csv(kind=...) / files.raw(text)."""

    class Files:
        def json(self, name: str, records: list[dict]) -> Path:
            return write_json(tmp_path / name, records)

        def jsonl(self, name: str, records: list[dict]) -> Path:
            return write_jsonl(tmp_path / name, records)

        def csv(self, name: str, records: list[dict], kind: str, delimiter: str = ",") -> Path:
            return write_csv(tmp_path / name, records, kind, delimiter)

        def raw(self, name: str, content: str | bytes) -> Path:
            path = tmp_path / name
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
            return path

    return Files()

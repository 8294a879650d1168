"""data·inclusion interoperability: import of structures and services (JSON, JSON lines,
CSV), export as files; the export API lives in dora.interop.api and reads through
dora.interop.queries."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    # features.py adds one command per feature (`dora import`); the export group is the
    # second one, added to the app's own CLI group, which `dora` also lists.
    from dora.interop.cli import export_command

    app.cli.add_command(export_command)

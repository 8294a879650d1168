"""Import every feature's models so that the metadata is complete (migrations, tests)."""

from __future__ import annotations

from dora import features


def load_all_models() -> None:
    for _module in features.modules("models"):
        pass

"""Fixtures of the browser tests: a live dora server shared with tests/maps and tests/embed
(see tests/maps/live_app.py)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

_MODULE = "dora_tests_maps_live_app"


def live_app_module():
    # One module object for both conftests, so that they share one server.
    if _MODULE not in sys.modules:
        path = Path(__file__).resolve().parents[1] / "maps" / "live_app.py"
        spec = importlib.util.spec_from_file_location(_MODULE, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[_MODULE] = module
        spec.loader.exec_module(module)
    return sys.modules[_MODULE]


@pytest.fixture(scope="session")
def live_dora(database_url):
    live_app = live_app_module()
    if not live_app.chromium_available():
        pytest.skip(f"Chromium absent ({live_app.CHROMIUM})")
    live = live_app.acquire(database_url)
    yield live
    live_app.release()


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    live_app = live_app_module()
    with sync_playwright() as playwright:
        launched = live_app.launch(playwright)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def artifacts():
    live_app = live_app_module()
    folder = live_app.ARTIFACTS / Path(__file__).resolve().parent.name
    folder.mkdir(parents=True, exist_ok=True)
    return folder

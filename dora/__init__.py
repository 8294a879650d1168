"""dora: the territorial offer of insertion services, on a list and on a map."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask

from dora import config as config_module
from dora.extensions import csrf, db, limiter, login_manager, migrate


def create_app(config_override: dict[str, Any] | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(config_module.PROJECT_ROOT / "templates"),
        static_folder="static",
    )
    app.config.update(config_module.from_environment((config_override or {}).get("DORA_ENV")))
    if config_override:
        app.config.update(config_override)
    _check_config(app)
    # Keep the data·inclusion field order in API records (Flask 3 ignores JSON_SORT_KEYS).
    app.json.sort_keys = False

    db.init_app(app)
    migrate.init_app(app, db, directory=str(config_module.MIGRATIONS_DIR))
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)

    _register_features(app)
    _register_template_helpers(app)
    from dora.api.errors import register_error_handlers

    register_error_handlers(app)
    from dora.core.security import register_security_headers

    register_security_headers(app)
    logging.basicConfig(level=logging.INFO)
    return app


def _check_config(app: Flask) -> None:
    problems = config_module.problems(app.config)
    if problems:
        raise config_module.ConfigError(" ".join(problems))
    for warning in config_module.warnings(app.config):
        logging.getLogger("dora").warning(warning)


def _register_features(app: Flask) -> None:
    # Imported here so that importing `dora` stays cheap and free of side effects.
    from dora import features

    for module in features.modules():
        if hasattr(module, "init_app"):
            module.init_app(app)
    for submodule in ("views", "api"):
        for module in features.modules(submodule):
            app.register_blueprint(module.bp)


def _register_template_helpers(app: Flask) -> None:
    from dora.core import template_helpers

    template_helpers.register(app)

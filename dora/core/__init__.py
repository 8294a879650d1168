"""Cross-cutting pieces: health check, security headers, template helpers, signals."""

from __future__ import annotations

from flask import Flask

from dora.extensions import login_manager


def init_app(app: Flask) -> None:
    from dora.core import guards, transactions

    guards.init_app(app)
    transactions.init_app(app)
    # Flask-Login insists on a loader. Until the accounts feature registers its own
    # (it comes later in dora.features.FEATURES and replaces this one), nobody is logged in.
    if login_manager._user_callback is None:
        login_manager.user_loader(lambda user_id: None)

"""Embeddable map widgets for partner sites: the widget page, its loader, the builder."""

from __future__ import annotations

from flask import Flask, Response, request, request_finished


def init_app(app: Flask) -> None:
    request_finished.connect(_drop_cookies, app)


def _drop_cookies(sender: Flask, response: Response, **extra) -> None:
    # Widgets live in other sites' pages: they must not set any cookie. The session cookie
    # is written after every after_request hook, so this runs on `request_finished`, the
    # last moment before the response is sent.
    if request.blueprint == "embed":
        response.headers.remove("Set-Cookie")

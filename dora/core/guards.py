"""A request guard: characters that no route can take are refused at the door.

PostgreSQL refuses NUL in text, so a `%00` in a path, a parameter or a form field used to end
in a 500 wherever it reached a query. Every request is checked once here: the API answers 400
in its error shape naming the parameter; pages answer 404 for a path and a French 400 page
naming the field for a parameter or a form field.
"""

from __future__ import annotations

from flask import Flask, render_template, request

from dora.api.errors import API_PREFIX, ApiError, error_response

FORBIDDEN = ("\x00",)
# In API query parameters, no control character has a meaning (tab, line ends included are
# not refused: a pasted text may carry them). Python's str.split() would otherwise read
# U+001C…U+001F as spaces and silently drop the value they are in.
API_CONTROL = frozenset(chr(c) for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
FORM_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}


def _bad(text: str | None) -> bool:
    return bool(text) and any(char in text for char in FORBIDDEN)


def _bad_api(text: str | None) -> bool:
    return bool(text) and not API_CONTROL.isdisjoint(text)


def api_control_parameter() -> str | None:
    """The first API query parameter holding a control character."""
    for key, value in request.args.items(multi=True):
        if _bad_api(key) or _bad_api(value):
            return "".join(c for c in key if c not in API_CONTROL)
    return None


def offending_field() -> str | None:
    """The first place of the request holding a forbidden character ("" for the path)."""
    if _bad(request.path):
        return ""
    for key, value in request.args.items(multi=True):
        if _bad(key) or _bad(value):
            return key.replace("\x00", "")
    if request.method not in {"GET", "HEAD", "OPTIONS"} and request.mimetype in FORM_TYPES:
        for key, value in request.form.items(multi=True):
            if _bad(key) or _bad(value):
                return key.replace("\x00", "")
        for key, upload in request.files.items(multi=True):
            if _bad(key) or _bad(upload.filename):
                return key.replace("\x00", "")
    return None


def init_app(app: Flask) -> None:
    @app.before_request
    def refuse_forbidden_characters():
        field = offending_field()
        if field is None:
            if request.path.startswith(API_PREFIX):
                control = api_control_parameter()
                if control is not None:
                    return error_response(
                        ApiError(
                            f"Caractère de contrôle interdit dans le paramètre « {control} ».",
                            field=control or None,
                            code="caractere_interdit",
                        )
                    )
            return None
        if request.path.startswith(API_PREFIX):
            where = f"le paramètre « {field} »" if field else "l’adresse"
            return error_response(
                ApiError(
                    f"Caractère interdit (octet nul) dans {where}.",
                    field=field or None,
                    code="caractere_interdit",
                )
            )
        if field == "":
            return render_template("errors/404.html"), 404
        page = render_template(
            "errors/generic.html",
            title="Caractère interdit",
            message=f"Le champ « {field} » contient un caractère interdit (octet nul). "
            "Revenez en arrière, corrigez-le et recommencez.",
        )
        return page, 400

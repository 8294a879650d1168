"""One error shape for the whole API: {"error": {"code", "message", "field"}}."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

API_PREFIX = "/api/"


class ApiError(Exception):
    """An expected API failure, answered with its status and a French message."""

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        code: str = "parametre_invalide",
        status: int = 400,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code
        self.status = status

    def to_dict(self) -> dict:
        return {"error": {"code": self.code, "message": self.message, "field": self.field}}


def not_found(message: str, field: str | None = None) -> ApiError:
    return ApiError(message, field=field, code="introuvable", status=404)


def error_response(error: ApiError):
    response = jsonify(error.to_dict())
    response.status_code = error.status
    return response


HTTP_CODES = {
    400: ("requete_invalide", "Requête invalide."),
    404: ("introuvable", "Ressource introuvable."),
    405: ("methode_non_autorisee", "Méthode non autorisée."),
    429: ("trop_de_requetes", "Trop de requêtes, réessayez plus tard."),
    500: ("erreur_interne", "Erreur interne du serveur."),
}


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(ApiError, error_response)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if request.path.startswith(API_PREFIX):
            code, message = HTTP_CODES.get(exc.code or 500, ("erreur", exc.description or ""))
            return error_response(ApiError(message, code=code, status=exc.code or 500))
        if exc.code == 404:
            return render_template("errors/404.html"), 404
        return exc

    @app.errorhandler(Exception)
    def unexpected_error(exc: Exception):
        # Logged with its traceback; the user gets a message, never a stack trace.
        log.exception("unexpected error on %s %s", request.method, request.path)
        if request.path.startswith(API_PREFIX):
            return error_response(ApiError(HTTP_CODES[500][1], code=HTTP_CODES[500][0], status=500))
        page = render_template(
            "errors/generic.html",
            title="Erreur",
            message="Une erreur inattendue s’est produite. Réessayez dans un instant.",
        )
        return page, 500

"""One error shape for the whole API: {"error": {"code", "message", "field"}}."""

from __future__ import annotations

import logging

from flask import Flask, g, jsonify, make_response, render_template, request
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
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
    503: (
        "service_indisponible",
        "Le service est momentanément indisponible (base de données injoignable). "
        "Réessayez dans un instant.",
    ),
}
# The database is down or unreachable: a temporary state, said as such (503 + Retry-After).
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError, DisconnectionError)
RETRY_AFTER_SECONDS = 30


def unavailable_response():
    """503 in the API's shape or as a French page, without touching the database."""
    from flask_login import AnonymousUserMixin

    # The page layout asks who is logged in; loading the user would query the database.
    g._login_user = AnonymousUserMixin()
    if request.path.startswith(API_PREFIX):
        code, message = HTTP_CODES[503]
        response = error_response(ApiError(message, code=code, status=503))
    else:
        page = render_template(
            "errors/generic.html",
            title="Service momentanément indisponible",
            message="dora ne peut pas joindre sa base de données pour le moment. "
            "Réessayez dans quelques instants : rien n’est perdu de ce que vous aviez "
            "enregistré avant.",
        )
        response = make_response(page, 503)
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(ApiError, error_response)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if request.path.startswith(API_PREFIX):
            code, message = HTTP_CODES.get(exc.code or 500, ("erreur", exc.description or ""))
            response = error_response(ApiError(message, code=code, status=exc.code or 500))
            # e.g. `Allow` on a 405: what the client may do instead.
            for name, value in exc.get_headers():
                if name.lower() != "content-type":
                    response.headers[name] = value
            return response
        if exc.code == 404:
            return render_template("errors/404.html"), 404
        return exc

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    @app.errorhandler(DisconnectionError)
    def database_unavailable(exc: Exception):
        log.error("database unavailable on %s %s: %s", request.method, request.path, exc)
        return unavailable_response()

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

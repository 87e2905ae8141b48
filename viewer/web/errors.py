"""One place that turns errors into pages with a status and a sentence, never a traceback."""

from __future__ import annotations

import logging

from flask import Flask, Response, current_app, g, jsonify, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import Forbidden, HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from docstore.errors import (
    BauakteError,
    Busy,
    NotFound,
    PermissionDenied,
    ServiceUnavailable,
    UsageError,
)
from storage import StorageError, StorageUnavailable

from .error_texts import error_text

log = logging.getLogger(__name__)


def _page(status: int, title: str, message: str, errors: object = None):
    """An HTML page, or for the API the one JSON error shape its OpenAPI file declares."""
    if request.path.startswith("/api/"):
        body: dict[str, object] = {
            "code": status,
            "status": HTTP_STATUS_CODES.get(status, "Error"),
            "message": message,
        }
        if errors:
            body["errors"] = errors
        return jsonify(body), status
    return render_template("error.html", status=status, title=title, message=message), status


def _said(exc: BauakteError) -> str:
    """Programs get the service's English message with its advice; people get their language."""
    return str(exc) if request.path.startswith("/api/") else error_text(exc)


NOT_FOUND = _l("Diese Seite gibt es nicht, oder sie ist für Ihr Konto nicht freigegeben.")
STALE_FORM = _l(
    "Das Formular war veraltet. Bitte laden Sie die Seite neu und senden Sie es erneut."
)
HTTP_TEXTS = {
    400: (_l("Ungültige Anfrage"), _l("Die Anfrage ist unvollständig oder fehlerhaft. Bitte "
                                      "laden Sie die Seite neu und versuchen Sie es erneut.")),
    405: (_l("Nicht möglich"), _l("Diese Adresse nimmt diese Art von Anfrage nicht an.")),
    410: (_l("Nicht mehr verfügbar"), _l("Das gibt es hier nicht mehr.")),
    413: (_l("Zu groß"), _l("Die gesendeten Dateien sind zu groß. Bitte senden Sie weniger "
                            "oder kleinere Dateien.")),
    415: (_l("Nicht unterstützt"), _l("Diese Art von Inhalt wird hier nicht angenommen.")),
}  # fmt: skip
TOO_MANY = _l("Zu viele Versuche in kurzer Zeit. Bitte warten Sie einige Minuten.")


def unavailable_json(exc: ServiceUnavailable, message: str) -> tuple[Response, int]:
    """A 503 for a viewer's or an IIIF client's JSON request, with ``Retry-After``."""
    g.retry_after = exc.retry_after
    return jsonify(error=message, code=exc.code), 503


def keep_retry_after(app: Flask) -> None:
    """A 503's ``Retry-After`` is ours.  Call before ``limiter.init_app``: Flask runs the
    after-request functions last registered first, and Flask-Limiter's would set the end
    of the request's rate-limit window instead (up to a minute for "try again shortly")."""

    @app.after_request
    def retry_after(response: Response) -> Response:
        if response.status_code == 503 and "retry_after" in g:
            response.headers["Retry-After"] = str(g.retry_after)
        return response


def register(app: Flask) -> None:
    @app.errorhandler(NotFound)
    @app.errorhandler(FileNotFoundError)
    def not_found(_exc: Exception):
        return _page(404, _("Nicht gefunden"), str(NOT_FOUND))

    @app.errorhandler(PermissionDenied)
    def forbidden(exc: PermissionDenied):
        return _page(403, _("Nicht erlaubt"), _said(exc))

    @app.errorhandler(UsageError)
    def bad_input(exc: UsageError):
        return _page(400, _("Ungültige Eingabe"), _said(exc))

    @app.errorhandler(CSRFError)
    def csrf_failed(_exc: CSRFError):
        return _page(400, _("Formular abgelaufen"), str(STALE_FORM))

    @app.errorhandler(ServiceUnavailable)
    @app.errorhandler(StorageError)  # also a store refusing our key: an outage to its readers
    def unavailable(exc: Exception):
        """503 with what is out in words, and when to ask again (``Retry-After``)."""
        if isinstance(exc, Busy):  # load shed or a lock cycle broken: nothing is broken
            log.warning("busy: %s", exc)
        else:
            outage = isinstance(exc, (ServiceUnavailable, StorageUnavailable))
            log.error("service unavailable: %s", exc, exc_info=not outage)  # else: where from
        service = exc if isinstance(exc, ServiceUnavailable) else ServiceUnavailable()
        if "_login_user" not in g:  # the page header would ask the database who is signed in
            g._login_user = current_app.login_manager.anonymous_user()
        title = (
            _("Gerade ausgelastet")
            if isinstance(exc, Busy)
            else _("Vorübergehend nicht erreichbar")
        )
        g.retry_after = service.retry_after  # set on the response by keep_retry_after
        return _page(503, title, error_text(service))

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if exc.code == 429:
            return _page(429, _("Zu viele Anfragen"), str(TOO_MANY))
        if exc.code == 404:
            return not_found(exc)
        if exc.code == 403:
            said = (getattr(exc, "data", None) or {}).get("message")
            if request.path.startswith("/api/") and (
                said or exc.description != Forbidden.description
            ):
                return _page(403, "Forbidden", said or exc.description)  # for programs: the reason
            return _page(403, _("Nicht erlaubt"), _("Ihr Konto darf diese Seite nicht öffnen."))
        data = getattr(exc, "data", None) or {}
        if not request.path.startswith("/api/") and exc.code in HTTP_TEXTS and not data:
            title, text = HTTP_TEXTS[exc.code]  # Werkzeug's names and descriptions are English
            return _page(exc.code, str(title), str(text))
        message = data.get("message") or exc.description or ""
        return _page(exc.code or 500, exc.name, message, data.get("messages") or data.get("errors"))

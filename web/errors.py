"""Engine errors (and HTTP errors) mapped to status codes once: JSON under /api, a page elsewhere."""

from __future__ import annotations

from typing import Any

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError  # type: ignore[import-untyped]
from werkzeug.exceptions import HTTPException

from engine import errors as e
from web.db import get_session
from web.i18n import gettext

STATUS = {
    e.ValidationFailed: 400,
    e.InvalidDefinition: 400,
    e.Forbidden: 403,
    e.NotFound: 404,
    e.Conflict: 409,
    e.WorkflowFailed: 422,
}
_HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
               409: "conflict", 413: "too_large", 415: "unsupported_media_type", 429: "too_many_requests"}


def status_of(error: e.IsoflowError) -> int:
    """The HTTP status of an engine error."""
    for kind, status in STATUS.items():
        if isinstance(error, kind):
            return status
    return 400


def wants_json() -> bool:
    """API requests get JSON errors."""
    return request.path.startswith("/api/")


def error_body(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    """The one error shape of the API."""
    return {"error": {"code": code, "message": message, "details": details or {}}}


def _respond(status: int, code: str, message: str, details: dict[str, Any] | None = None) -> Any:
    if wants_json():
        return error_body(code, message, details), status
    return render_template("error.html", message=message, details=details or {}, status=status), status


def _engine_error(error: e.IsoflowError) -> Any:
    get_session().rollback()
    return _respond(status_of(error), error.code, error.message, error.details)


def _csrf_error(error: CSRFError) -> Any:
    get_session().rollback()
    message = gettext("The form has expired or did not come from this site; reload the page and try again.")
    return _respond(400, "csrf_failed", message, {"csrf": str(error.description)})


def _http_error(error: HTTPException) -> Any:
    status = error.code or 500
    if not wants_json() and status in (404, 405, 413):
        return _respond(status, _HTTP_CODES.get(status, "error"), str(error.description))
    if not wants_json():
        return error
    return error_body(_HTTP_CODES.get(status, "error"), str(error.description)), status


def init_app(app: Flask) -> None:
    """Register the handlers."""
    app.register_error_handler(e.IsoflowError, _engine_error)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)


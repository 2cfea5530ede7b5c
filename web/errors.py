"""Engine errors mapped to HTTP status codes, once."""

from __future__ import annotations

from flask import Flask, render_template, request
from werkzeug.wrappers import Response

from engine import errors as e
from web.db import get_session

STATUS = {
    e.ValidationFailed: 400,
    e.InvalidDefinition: 400,
    e.Forbidden: 403,
    e.NotFound: 404,
    e.Conflict: 409,
    e.WorkflowFailed: 422,
}


def status_of(error: e.IsoflowError) -> int:
    """The HTTP status of an engine error."""
    for kind, status in STATUS.items():
        if isinstance(error, kind):
            return status
    return 400


def _handle(error: e.IsoflowError) -> tuple[Response | str | dict[str, object], int]:
    get_session().rollback()
    status = status_of(error)
    if request.path.startswith("/api/"):
        return {"error": {"code": error.code, "message": error.message, "details": error.details}}, status
    return render_template("error.html", error=error, status=status), status


def init_app(app: Flask) -> None:
    """Register the handler."""
    app.register_error_handler(e.IsoflowError, _handle)

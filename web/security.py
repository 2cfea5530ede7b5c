"""CSRF protection on every form and the security headers of every response."""

from __future__ import annotations

from flask import Flask, request
from flask_wtf.csrf import CSRFProtect  # type: ignore[import-untyped]
from werkzeug.wrappers import Response

csrf = CSRFProtect()

_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)


def _headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", _CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if request.endpoint != "static":
        # Pages and API answers carry agency records: never keep them in shared caches.
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def init_app(app: Flask) -> None:
    """Turn on CSRF checks (the API checks its own: see web.api) and the headers."""
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", 8 * 3600)
    csrf.init_app(app)
    app.after_request(_headers)

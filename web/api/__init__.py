"""The JSON API under /api/v1: the same engine use cases as the pages, errors in one JSON shape."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, g, request

from web.auth import current_actor
from web.db import commit
from web.errors import error_body
from web.security import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
PUBLIC_ENDPOINTS = {"api.openapi_document"}
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


@bp.before_request
def _authenticate() -> Any:
    """Session cookie or Bearer token; cookie-authenticated writes must carry the CSRF token."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if current_actor() is None:
        message = "Cần đăng nhập hoặc mã truy cập hợp lệ (login or a valid Bearer token required)"
        return error_body("unauthorized", message), 401, {"WWW-Authenticate": 'Bearer realm="isoflow"'}
    if g.get("auth_method") == "token":
        commit()  # the token's last use, recorded by the authentication step
    elif request.method not in SAFE_METHODS:
        csrf.protect()
    return None


def init_app(app: Flask) -> None:
    """Register the API (it checks CSRF itself, only for cookie sessions)."""
    from web.api import collaboration, instances, me, openapi, tasks  # noqa: F401 - the routes register on import

    csrf.exempt(bp)
    app.register_blueprint(bp)

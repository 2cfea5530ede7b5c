"""Liveness and readiness."""

from __future__ import annotations

from flask import Blueprint
from sqlalchemy import text

from web.db import get_session

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> tuple[dict[str, str], int]:
    """200 when the app and its database answer."""
    get_session().execute(text("SELECT 1"))
    return {"status": "ok"}, 200

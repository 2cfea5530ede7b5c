"""One database session per request; the request owns the commit."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, g
from sqlalchemy.orm import Session

from engine.clock import Clock


def get_session() -> Session:
    """The request's session, opened on first use."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["isoflow.factory"]()
    session: Session = g.db_session
    return session


def get_clock() -> Clock:
    """The app's clock."""
    clock: Clock = current_app.extensions["isoflow.clock"]
    return clock


def _close(exc: BaseException | None) -> Any:
    session: Session | None = g.pop("db_session", None)
    if session is None:
        return
    if exc is not None:
        session.rollback()
    session.close()


def init_app(app: Flask) -> None:
    """Close (and on error roll back) the request's session at teardown."""
    app.teardown_appcontext(_close)


def commit() -> None:
    """Commit the request's unit of work (views call this once, after their use case)."""
    get_session().commit()

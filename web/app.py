"""The app factory: the one place where the web layer is wired."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask

from engine.clock import SystemClock
from engine.settings import Settings
from models.db import make_engine, make_session_factory
from web import auth, db, errors, health, inbox


def create_app(settings: Settings | None = None, *, clock: object | None = None) -> Flask:
    """Build the Flask app for `settings` (default: from the environment)."""
    settings = settings or Settings.from_env()
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.is_production,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=8),
        ISOFLOW_SETTINGS=settings,
    )
    app.extensions["isoflow.factory"] = make_session_factory(make_engine(settings.database_url))
    app.extensions["isoflow.clock"] = clock or SystemClock()
    db.init_app(app)
    errors.init_app(app)
    app.register_blueprint(health.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(inbox.bp)
    return app

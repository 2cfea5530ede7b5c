"""The app factory: the one place where the web layer is wired."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask.json.provider import DefaultJSONProvider

from engine.accounts import has_demo_accounts
from engine.calendar_overrides import install_calendar
from engine.clock import Clock, SystemClock
from engine.settings import Settings
from models.db import make_engine, make_session_factory, unit_of_work
from web import (
    absence,
    account,
    admin,
    auth,
    db,
    errors,
    health,
    i18n,
    inbox,
    instances,
    notifications,
    security,
    task_extras,
    tasks,
)
from web.api import init_app as init_api

MAX_UPLOAD_BYTES = 12 * 1024 * 1024  # one 10 MB evidence file plus the form around it


class UnicodeJSON(DefaultJSONProvider):
    """JSON answers in UTF-8 as they are: Vietnamese stays readable to integrators."""

    ensure_ascii = False


def create_app(settings: Settings | None = None, *, clock: Clock | None = None) -> Flask:
    """Build the Flask app for `settings` (default: from the environment)."""
    settings = settings or Settings.from_env()
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        SESSION_COOKIE_NAME="isoflow_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.is_production,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=8),
        MAX_CONTENT_LENGTH=MAX_UPLOAD_BYTES,
        ISOFLOW_SETTINGS=settings,
    )
    app.json = UnicodeJSON(app)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    if settings.is_production and settings.secret_key == Settings.secret_key:
        raise RuntimeError("ISOFLOW_SECRET_KEY must be set when ISOFLOW_ENV=production")
    factory = make_session_factory(make_engine(settings.database_url))
    with unit_of_work(factory) as session:
        # Deadlines computed in requests honour the administrator's calendar overrides.
        install_calendar(session)
        if settings.is_production and has_demo_accounts(session):
            raise RuntimeError("demo accounts exist and ISOFLOW_ENV=production: remove them before serving")
    app.extensions["isoflow.factory"] = factory
    app.extensions["isoflow.clock"] = clock or SystemClock()
    db.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    auth.init_app(app)
    for blueprint in (health.bp, auth.bp, inbox.bp, tasks.bp, task_extras.bp, instances.bp, absence.bp, account.bp,
                      admin.bp, notifications.bp):
        app.register_blueprint(blueprint)
    init_api(app)
    return app

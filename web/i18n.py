"""Language: Vietnamese by default, English on request; dates as dd/mm/yyyy in Vietnam time."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, Flask, redirect, request, session
from flask_babel import Babel, get_locale  # type: ignore[import-untyped]
from flask_babel import gettext as _gettext
from flask_babel import lazy_gettext as _lazy_gettext
from werkzeug.wrappers import Response

from engine.clock import VIETNAM

LANGUAGES = ("vi", "en")
COOKIE = "isoflow_lang"
bp = Blueprint("i18n", __name__)


def gettext(message: str, **values: Any) -> str:
    """The message in the request's language (Flask-Babel, typed for our callers)."""
    return str(_gettext(message, **values))


def lazy_gettext(message: str) -> Any:
    """A message translated when shown (for module-level labels)."""
    return _lazy_gettext(message)


babel = Babel()

ROLE_LABELS = {
    "iso_officer": lazy_gettext("ISO officer"),
    "agency_head": lazy_gettext("Agency head"),
    "internal_auditor": lazy_gettext("Internal auditor"),
    "supervisor": lazy_gettext("Supervisor"),
    "admin": lazy_gettext("Administrator"),
}
STATUS_LABELS = {
    "ready": lazy_gettext("Waiting"),
    "completed": lazy_gettext("Completed"),
    "cancelled": lazy_gettext("Cancelled"),
    "running": lazy_gettext("Running"),
    "suspended": lazy_gettext("Suspended"),
    "waiting": lazy_gettext("Waiting"),
    "fired": lazy_gettext("Fired"),
}
HISTORY_LABELS = {
    "instance_started": lazy_gettext("Cycle started"),
    "instance_completed": lazy_gettext("Cycle completed"),
    "task_created": lazy_gettext("Task created"),
    "task_claimed": lazy_gettext("Task claimed"),
    "task_released": lazy_gettext("Task released"),
    "task_completed": lazy_gettext("Task completed"),
    "task_cancelled": lazy_gettext("Task cancelled"),
    "task_reassigned": lazy_gettext("Task reassigned"),
    "acted_for": lazy_gettext("Acted as substitute"),
    "comment_added": lazy_gettext("Comment added"),
    "attachment_added": lazy_gettext("File attached"),
    "timer_fired": lazy_gettext("Deadline reached"),
}


def select_locale() -> str:
    """The language the visitor chose (session, then cookie), else Vietnamese."""
    chosen = session.get("lang") or request.cookies.get(COOKIE)
    return chosen if chosen in LANGUAGES else "vi"


def language() -> str:
    """The current language code."""
    return str(get_locale() or "vi")


def vn_date(value: datetime | None) -> str:
    """dd/mm/yyyy of an instant, in Vietnam time."""
    return value.astimezone(VIETNAM).strftime("%d/%m/%Y") if value else "—"


def vn_datetime(value: datetime | None) -> str:
    """dd/mm/yyyy HH:MM of an instant, in Vietnam time."""
    return value.astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M") if value else "—"


def days_left(due: datetime | None, now: datetime) -> int | None:
    """Calendar days from today to the due day, in Vietnam (negative when overdue)."""
    if due is None:
        return None
    return (due.astimezone(VIETNAM).date() - now.astimezone(VIETNAM).date()).days


@bp.get("/lang/<code>")
def switch(code: str) -> Response:
    """Remember the chosen language and go back where the visitor was."""
    target = request.args.get("next", "")
    if not target.startswith("/") or target.startswith("//"):
        target = "/"
    response = redirect(target)
    if code in LANGUAGES:
        session["lang"] = code
        response.set_cookie(COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax", httponly=True,
                            secure=request.is_secure)
    return response


def init_app(app: Flask) -> None:
    """Wire Flask-Babel, the language switch and the date filters."""
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "vi")
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Asia/Ho_Chi_Minh")
    babel.init_app(app, locale_selector=select_locale)
    app.register_blueprint(bp)
    app.jinja_env.filters.update(vndate=vn_date, vndatetime=vn_datetime)
    app.jinja_env.globals.update(
        language=language, role_label=lambda r: ROLE_LABELS.get(r or "", r or "—"),
        status_label=lambda s: STATUS_LABELS.get(s, s), history_label=lambda k: HISTORY_LABELS.get(k, k),
    )

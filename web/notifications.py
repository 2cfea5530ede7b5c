"""The bell: in-app notifications (reminders, escalations) with their unread count."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from werkzeug.wrappers import Response

from engine.notifications import list_notifications, mark_all_read, mark_read
from web.auth import login_required, require_actor
from web.db import commit, get_clock, get_session

bp = Blueprint("notifications", __name__)


def _user_id() -> int:
    user_id = require_actor().user_id
    assert user_id is not None  # a logged-in person, never the system
    return user_id


@bp.get("/notifications")
@login_required
def index() -> str:
    """My notifications, newest first."""
    return render_template("notifications.html", items=list_notifications(get_session(), _user_id(), limit=100))


@bp.post("/notifications/<int:notification_id>/read")
@login_required
def read(notification_id: int) -> Response:
    """Mark one read and open what it is about."""
    session = get_session()
    mark_read(session, _user_id(), notification_id, get_clock().now())
    commit()
    return redirect(url_for("notifications.index"))


@bp.post("/notifications/read-all")
@login_required
def read_all() -> Response:
    """Mark every notification read."""
    mark_all_read(get_session(), _user_id(), get_clock().now())
    commit()
    return redirect(url_for("notifications.index"))

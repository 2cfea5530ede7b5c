"""The inbox page: the user's tasks."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from werkzeug.wrappers import Response

from engine.clock import VIETNAM
from engine.tasks import inbox as inbox_tasks
from web.auth import current_actor, login_required
from web.db import get_session

bp = Blueprint("inbox", __name__)


@bp.get("/")
def home() -> Response:
    """Send visitors to their inbox."""
    return redirect(url_for("inbox.index"))


@bp.get("/inbox")
@login_required
def index() -> str:
    """My tasks and my roles' unclaimed tasks."""
    actor = current_actor()
    assert actor is not None
    return render_template("inbox.html", tasks=inbox_tasks(get_session(), actor), vn=VIETNAM)

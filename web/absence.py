"""Out of office: name a substitute for a date range; new tasks of your roles go to them."""

from __future__ import annotations

from datetime import date, datetime

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from engine.delegation import cancel_substitute, colleagues, set_substitute, substitutions_of, today_in_vietnam
from engine.errors import ValidationFailed
from web.auth import login_required, require_actor
from web.db import commit, get_clock, get_session
from web.i18n import gettext

bp = Blueprint("absence", __name__)


def _day(name: str) -> date:
    text = request.form.get(name, "").strip()
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValidationFailed(gettext("Enter dates as dd/mm/yyyy."), details={name: gettext("Enter dates as dd/mm/yyyy.")})


@bp.get("/absence")
@login_required
def index() -> str:
    """My absences and the ones where I stand in."""
    actor = require_actor()
    today = today_in_vietnam(get_clock().now())
    people = [c for c in colleagues(get_session(), actor) if c.username != actor.username]
    return render_template("absence.html", items=substitutions_of(get_session(), actor, today),
                           colleagues=people, today=today)


@bp.post("/absence")
@login_required
def create() -> Response:
    """Record an absence."""
    set_substitute(get_session(), get_clock(), require_actor(), request.form.get("substitute", ""),
                   _day("first_day"), _day("last_day"))
    commit()
    flash(gettext("Substitute set: during your absence, new tasks of your roles go to them."), "success")
    return redirect(url_for("absence.index"))


@bp.post("/absence/<int:substitution_id>/cancel")
@login_required
def cancel(substitution_id: int) -> Response:
    """End an absence early."""
    cancel_substitute(get_session(), get_clock(), require_actor(), substitution_id)
    commit()
    flash(gettext("Absence cancelled."), "success")
    return redirect(url_for("absence.index"))

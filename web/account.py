"""The logged-in user's own account: changing the password."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from engine.accounts import MIN_PASSWORD_LENGTH, change_password, new_password_problems
from engine.errors import ValidationFailed
from web.auth import login_required, require_actor
from web.db import commit, get_clock, get_session
from web.i18n import gettext

bp = Blueprint("account", __name__)


def _page(errors: dict[str, str] | None = None) -> str:
    return render_template("password.html", errors=errors or {}, min_length=MIN_PASSWORD_LENGTH)


@bp.get("/account/password")
@login_required
def password() -> str:
    """The password form."""
    return _page()


@bp.post("/account/password")
@login_required
def change() -> Response | tuple[str, int]:
    """Change the password; refusals come back field by field, and the session stays valid."""
    actor = require_actor()
    current = request.form.get("current_password", "")
    new = request.form.get("new_password", "")
    try:
        if new != request.form.get("confirm_password", ""):
            mismatch = {"confirm_password": gettext("The two new passwords do not match.")}
            raise ValidationFailed(gettext("The password was not changed."),
                                   details={**new_password_problems(actor.username, new), **mismatch})
        change_password(get_session(), get_clock(), actor, current, new)
    except ValidationFailed as failure:
        get_session().rollback()
        flash(gettext("The password was not changed."), "error")
        return _page(failure.details), 400
    commit()
    flash(gettext("Your password has been changed."), "success")
    return redirect(url_for("inbox.index"))

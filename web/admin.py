"""Administration of API tokens: issue (the secret is shown once), list, revoke."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from engine.accounts import active_usernames
from engine.tokens import create_token, list_tokens, revoke_token
from web.auth import login_required, require_actor
from web.db import commit, get_clock, get_session
from web.i18n import gettext

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/tokens")
@login_required
def tokens() -> str:
    """The token list (administrators only)."""
    rows = list_tokens(get_session(), require_actor())
    return render_template("tokens.html", tokens=rows, users=active_usernames(get_session()), issued=None)


@bp.post("/tokens")
@login_required
def issue() -> str:
    """Issue a token and show its secret this one time."""
    actor = require_actor()
    issued = create_token(get_session(), get_clock().now(), actor, request.form.get("username", ""),
                          request.form.get("name", ""))
    commit()
    rows = list_tokens(get_session(), actor)
    return render_template("tokens.html", tokens=rows, users=active_usernames(get_session()), issued=issued)


@bp.post("/tokens/<int:token_id>/revoke")
@login_required
def revoke(token_id: int) -> Response:
    """Revoke a token."""
    revoke_token(get_session(), get_clock().now(), require_actor(), token_id)
    commit()
    flash(gettext("Token revoked."), "success")
    return redirect(url_for("admin.tokens"))

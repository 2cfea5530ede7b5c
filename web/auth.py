"""Log in and out; the current user's Actor for views."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Blueprint, g, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from engine.accounts import actor_for, authenticate
from engine.records import Actor
from models import User
from web.db import get_session

bp = Blueprint("auth", __name__)
F = TypeVar("F", bound=Callable[..., Any])


def current_actor() -> Actor | None:
    """The logged-in user's Actor, or None."""
    if "actor" in g:
        return cast(Actor | None, g.actor)
    user_id = session.get("user_id")
    actor = None
    if user_id is not None:
        user = get_session().get(User, user_id)
        if user is not None and user.is_active:
            actor = actor_for(get_session(), user)
            g.user = user
    g.actor = actor
    return actor


def login_required(view: F) -> F:
    """Redirect anonymous visitors to the login page."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if current_actor() is None:
            return redirect(url_for("auth.login", next=request.path))
        return view(*args, **kwargs)

    return cast(F, wrapped)


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response | tuple[str, int]:
    """The login form."""
    if request.method == "POST":
        user = authenticate(get_session(), request.form.get("username", ""), request.form.get("password", ""))
        if user is None:
            return render_template("login.html", error="Tên đăng nhập hoặc mật khẩu không đúng."), 401
        session.clear()
        session["user_id"] = user.id
        target = request.args.get("next", "")
        return redirect(target if target.startswith("/") and not target.startswith("//") else url_for("inbox.index"))
    return render_template("login.html")


@bp.post("/logout")
def logout() -> Response:
    """Forget the session."""
    session.clear()
    return redirect(url_for("auth.login"))

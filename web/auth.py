"""Log in and out; who the request acts as (session cookie, or a Bearer token on the API)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Blueprint, Flask, g, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from engine.accounts import actor_for, log_in
from engine.delegation import effective_actor, today_in_vietnam
from engine.inbox import inbox_count
from engine.notifications import unread_count
from engine.records import Actor
from engine.tokens import user_for_token
from models import User
from web.db import commit, get_clock, get_session
from web.i18n import gettext

bp = Blueprint("auth", __name__)
F = TypeVar("F", bound=Callable[..., Any])


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    return secret.strip() if scheme.lower() == "bearer" and secret.strip() else None


def _user() -> User | None:
    if request.path.startswith("/api/") and _bearer() is not None:
        user = user_for_token(get_session(), get_clock().now(), _bearer() or "")
        g.auth_method = "token" if user is not None else "bad_token"
        return user
    user_id = session.get("user_id")
    user = get_session().get(User, user_id) if user_id is not None else None
    g.auth_method = "session" if user is not None else None
    return user if user is not None and user.is_active else None


def current_actor() -> Actor | None:
    """The Actor of the logged-in user (with the roles of absent colleagues they stand in for), or None."""
    if "actor" in g:
        return cast(Actor | None, g.actor)
    user = _user()
    actor = None
    if user is not None:
        g.user = user
        own = actor_for(get_session(), user)
        actor = effective_actor(get_session(), own, today_in_vietnam(get_clock().now()))
    g.actor = actor
    return actor


def require_actor() -> Actor:
    """The current Actor of a view that login_required guards."""
    actor = current_actor()
    assert actor is not None, "guarded by login_required"
    return actor


def login_required(view: F) -> F:
    """Redirect anonymous visitors to the login page."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if current_actor() is None:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return cast(F, wrapped)


def _safe_next() -> str:
    target = request.args.get("next", "")
    return target if target.startswith("/") and not target.startswith("//") else url_for("inbox.index")


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response | tuple[str, int]:
    """The login form; repeated failures are slowed down per account and per address."""
    if request.method == "GET":
        return render_template("login.html")
    username = request.form.get("username", "").strip()
    result = log_in(get_session(), get_clock().now(), username, request.form.get("password", ""),
                    request.remote_addr or "unknown")
    commit()
    if result.throttled:
        message = gettext("Too many failed attempts. Please wait 15 minutes and try again.")
        return render_template("login.html", error=message, username=username), 429
    if result.user is None:
        message = gettext("Wrong username or password.")
        return render_template("login.html", error=message, username=username), 401
    lang = session.get("lang")
    session.clear()  # a fresh session on login: no fixation
    session.permanent = True
    session["user_id"] = result.user.id
    if lang:
        session["lang"] = lang
    return redirect(_safe_next())


@bp.post("/logout")
def logout() -> Response:
    """Forget the session (the language choice stays)."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    return redirect(url_for("auth.login"))


def _navigation() -> dict[str, Any]:
    if request.path.startswith("/api/") or request.endpoint in (None, "static"):
        return {}
    actor = current_actor()
    if actor is None or actor.user_id is None:
        return {"nav_count": 0, "unread": 0, "actor": actor}
    session = get_session()
    return {"nav_count": inbox_count(session, actor), "unread": unread_count(session, actor.user_id), "actor": actor}


def init_app(app: Flask) -> None:
    """Put the task count of the navigation bar into every page."""
    app.context_processor(_navigation)

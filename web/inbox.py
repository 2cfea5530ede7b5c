"""The inbox page: my tasks and my roles' unclaimed tasks, filtered, sorted and paginated."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from engine.inbox import DUE_FILTERS, SORTS, STATUSES, InboxQuery, inbox_page, inbox_processes
from web.auth import login_required, require_actor
from web.db import get_clock, get_session
from web.i18n import days_left

bp = Blueprint("inbox", __name__)


def query_from_args() -> InboxQuery:
    """The inbox query of the request's parameters (shared with the API)."""
    args = request.args

    def number(name: str, default: int) -> int:
        text = args.get(name, "")
        return int(text) if text.isdigit() else default

    return InboxQuery(
        process=args.get("process") or None, agency=args.get("agency") or None,
        status=args.get("status") or "open", due=args.get("due") or None, sort=args.get("sort") or "due",
        page=number("page", 1), per_page=number("per_page", 25),
    )


@bp.get("/")
def home() -> Response:
    """Send visitors to their inbox."""
    return redirect(url_for("inbox.index"))


@bp.get("/inbox")
@login_required
def index() -> str:
    """The task list."""
    actor = require_actor()
    query = query_from_args()
    now = get_clock().now()
    page = inbox_page(get_session(), actor, query, now)
    return render_template(
        "inbox.html", page=page, query=query, now=now, days_left=days_left,
        processes=inbox_processes(get_session(), actor), statuses=STATUSES, due_filters=DUE_FILTERS, sorts=SORTS,
        headed=any(role == "agency_head" for _, role in actor.memberships), page_url=_page_url,
    )


def _page_url(number: int) -> str:
    """The inbox URL with the same filters, at another page."""
    args: dict[str, Any] = {**request.args.to_dict(), "page": number}
    return url_for("inbox.index", **args)

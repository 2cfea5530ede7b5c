"""Instances: the agency's cycles and the history of one (who did what, when)."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from engine.access import reads_everything
from engine.errors import Forbidden
from engine.instances import instance_detail, list_instances
from engine.task_queries import unassignable_tasks
from web.auth import login_required, require_actor
from web.db import get_session

bp = Blueprint("instances", __name__)
PER_PAGE = 50


@bp.get("/instances")
@login_required
def index() -> str:
    """Cycles the user may see, a page at a time."""
    page = int(request.args["page"]) if request.args.get("page", "").isdigit() and int(request.args["page"]) > 0 else 1
    rows = list_instances(get_session(), require_actor(), limit=PER_PAGE + 1, offset=(page - 1) * PER_PAGE)
    return render_template("instances.html", rows=rows[:PER_PAGE], page=page, has_next=len(rows) > PER_PAGE)


@bp.get("/instances/<int:instance_id>")
@login_required
def show(instance_id: int) -> str:
    """One cycle: its tasks, deadlines and history."""
    return render_template("instance.html", detail=instance_detail(get_session(), instance_id, require_actor()))


@bp.get("/unassignable")
@login_required
def unassignable() -> str:
    """For supervisors: ready tasks whose role nobody holds in their agency, so none is lost."""
    actor = require_actor()
    if not reads_everything(actor):
        raise Forbidden("Chỉ cán bộ giám sát hoặc quản trị xem được trang này (supervisors and administrators only)")
    return render_template("unassignable.html", tasks=unassignable_tasks(get_session(), limit=500))

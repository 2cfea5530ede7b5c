"""Tasks: list (the inbox), read, claim, release, complete, reassign."""

from __future__ import annotations

from typing import Any

from flask import request

from engine.errors import ValidationFailed
from engine.inbox import InboxQuery, inbox_page
from engine.task_access import task_permissions
from engine.tasks import claim, complete_task, get_task, reassign, release, task_documentation, task_form
from web.api import bp
from web.api.schemas import (
    CompleteRequestSchema,
    CompleteResultSchema,
    ReassignRequestSchema,
    TaskDetailSchema,
    TaskListQuerySchema,
    TaskListSchema,
    TaskSchema,
    load,
)
from web.auth import require_actor
from web.db import commit, get_clock, get_session


def _body() -> Any:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ValidationFailed("Cần một đối tượng JSON (a JSON object body is required)", details={"(body)": "object"})
    return body


@bp.get("/tasks")
def list_tasks() -> Any:
    """My tasks and my roles' unclaimed tasks, filtered, sorted and paginated."""
    query = InboxQuery(**load(TaskListQuerySchema(), request.args.to_dict()))
    page = inbox_page(get_session(), require_actor(), query, get_clock().now())
    return TaskListSchema().dump(page)


@bp.get("/tasks/<int:task_id>")
def show_task(task_id: int) -> Any:
    """A task with its form, documentation and what the caller may do."""
    actor, session = require_actor(), get_session()
    return TaskDetailSchema().dump({
        "task": get_task(session, actor, task_id), "form": task_form(session, actor, task_id),
        "documentation": task_documentation(session, actor, task_id),
        "permissions": task_permissions(session, actor, task_id),
    })


@bp.post("/tasks/<int:task_id>/claim")
def claim_task(task_id: int) -> Any:
    """Take an offered task."""
    task = claim(get_session(), get_clock(), require_actor(), task_id)
    commit()
    return TaskSchema().dump(task)


@bp.post("/tasks/<int:task_id>/release")
def release_task(task_id: int) -> Any:
    """Give a claimed task back."""
    task = release(get_session(), get_clock(), require_actor(), task_id)
    commit()
    return TaskSchema().dump(task)


@bp.post("/tasks/<int:task_id>/complete")
def complete(task_id: int) -> Any:
    """Complete a task with form data (validated against its JSON Schema)."""
    body = load(CompleteRequestSchema(), _body())
    actor, session = require_actor(), get_session()
    following = complete_task(session, get_clock(), actor, task_id, body["data"],
                              expected_version=body["expected_version"])
    commit()
    return CompleteResultSchema().dump({"task": get_task(session, actor, task_id), "next_tasks": following})


@bp.post("/tasks/<int:task_id>/reassign")
def reassign_task(task_id: int) -> Any:
    """The agency head gives a task to a colleague of the agency."""
    body = load(ReassignRequestSchema(), _body())
    task = reassign(get_session(), get_clock(), require_actor(), task_id, body["username"])
    commit()
    return TaskSchema().dump(task)

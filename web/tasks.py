"""The task page: what the step is and why, its form, draft, completion and what comes next."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from engine.attachments import add_attachment, attachments_of
from engine.comments import comments_of
from engine.delegation import task_colleagues
from engine.drafts import load_draft, save_draft
from engine.errors import ValidationFailed
from engine.records import Actor
from engine.task_access import task_permissions
from engine.task_queries import tasks_of_instance
from engine.tasks import claim, complete_task, get_task, release, task_documentation, task_form
from web.auth import login_required, require_actor
from web.db import commit, get_clock, get_session
from web.form_model import PREFIX, Field, build_fields, field_labels, parse_submission, shown
from web.i18n import days_left, gettext, language

bp = Blueprint("tasks", __name__)
bp.add_app_template_global(shown, "shown")
EMPTY_FORM: dict[str, Any] = {"schema": {"type": "object", "properties": {}}}


def _form_and_fields(actor: Actor, task_id: int) -> tuple[dict[str, Any], list[Field]]:
    form = task_form(get_session(), actor, task_id) or EMPTY_FORM
    return form, build_fields(form["schema"], form.get("ui"), language())


def page_context(
    actor: Actor, task_id: int, *, values: dict[str, Any] | None = None, errors: dict[str, str] | None = None
) -> dict[str, Any]:
    """Everything the task page shows."""
    session = get_session()
    task = get_task(session, actor, task_id)
    form, fields = _form_and_fields(actor, task_id)
    permissions = task_permissions(session, actor, task_id)
    draft = load_draft(session, actor, task_id) if permissions.can_complete else None
    now = get_clock().now()
    return {
        "task": task, "form": form, "fields": fields, "permissions": permissions,
        "documentation": task_documentation(session, actor, task_id),
        "values": values if values is not None else (draft[0] if draft else {}),
        "draft_saved_at": draft[1] if draft else None, "errors": errors or {}, "labels": field_labels(fields),
        "comments": comments_of(session, actor, task_id), "attachments": attachments_of(session, actor, task_id),
        "colleagues": task_colleagues(session, actor, task_id) if permissions.can_reassign else [],
        "days": days_left(task.due_at, now), "prefix": PREFIX,
    }


@bp.get("/tasks/<int:task_id>")
@login_required
def show(task_id: int) -> str:
    """The task page."""
    return render_template("task.html", **page_context(require_actor(), task_id))


@bp.post("/tasks/<int:task_id>/claim")
@login_required
def claim_task(task_id: int) -> Response:
    """Take the task."""
    claim(get_session(), get_clock(), require_actor(), task_id)
    commit()
    flash(gettext("You took this task; colleagues no longer see it as open."), "success")
    return redirect(url_for("tasks.show", task_id=task_id))


@bp.post("/tasks/<int:task_id>/release")
@login_required
def release_task(task_id: int) -> Response:
    """Give the task back to the role's pool."""
    release(get_session(), get_clock(), require_actor(), task_id)
    commit()
    flash(gettext("You gave the task back to your colleagues."), "success")
    return redirect(url_for("tasks.show", task_id=task_id))


def _store_files(actor: Actor, task_id: int, form: dict[str, Any], fields: list[Field], data: dict[str, Any]) -> None:
    """Save the files of file inputs as attachments and put their ids in the data."""
    properties = form["schema"].get("properties", {})
    for field_ in (f for f in fields if f.kind == "file"):
        upload = request.files.get(PREFIX + field_.key)
        if upload is not None and upload.filename:
            record = add_attachment(get_session(), get_clock(), actor, task_id, upload.filename, upload.read())
            data[field_.key] = record.id
        value = data.get(field_.key)
        wants_integer = properties.get(field_.key, {}).get("type") == "integer"
        if value is not None:
            data[field_.key] = int(value) if wants_integer and str(value).isdigit() else str(value)


def _version() -> int | None:
    text = request.form.get("version", "")
    return int(text) if text.isdigit() else None


@bp.post("/tasks/<int:task_id>")
@login_required
def submit(task_id: int) -> Response | tuple[str, int]:
    """Save the form as a draft, or complete the task with it."""
    actor = require_actor()
    session, clock = get_session(), get_clock()
    form, fields = _form_and_fields(actor, task_id)
    data = parse_submission(form["schema"], fields, request.form)
    _store_files(actor, task_id, form, fields, data)
    if request.form.get("action") == "draft":
        save_draft(session, clock, actor, task_id, data)
        commit()
        flash(gettext("Draft saved."), "success")
        return redirect(url_for("tasks.show", task_id=task_id))
    try:
        complete_task(session, clock, actor, task_id, data, expected_version=_version())
    except ValidationFailed as failure:
        # Keep what was typed and uploaded, so nothing is lost while the user corrects it.
        save_draft(session, clock, actor, task_id, data)
        commit()
        flash(gettext("Please correct the highlighted fields."), "error")
        context = page_context(actor, task_id, values=data, errors=failure.details)
        return render_template("task.html", **context), 400
    commit()
    return redirect(url_for("tasks.done", task_id=task_id))


@bp.get("/tasks/<int:task_id>/done")
@login_required
def done(task_id: int) -> str:
    """What happened and what comes next after completing a task."""
    actor = require_actor()
    session = get_session()
    task = get_task(session, actor, task_id)
    following = [t for t in tasks_of_instance(session, task.instance_id) if t.status == "ready"]
    return render_template("task_done.html", task=task, following=following)

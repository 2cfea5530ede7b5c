"""Around a task: comments, evidence files (upload and scoped download), reassignment by the head."""

from __future__ import annotations

import io

from flask import Blueprint, flash, redirect, request, send_file, url_for
from werkzeug.wrappers import Response

from engine.attachments import AttachmentRecord, add_attachment, attachment_content
from engine.comments import add_comment
from engine.errors import ValidationFailed
from engine.tasks import reassign
from web.auth import login_required, require_actor
from web.db import commit, get_clock, get_session
from web.i18n import gettext

bp = Blueprint("task_extras", __name__)


def _back(task_id: int) -> Response:
    return redirect(url_for("tasks.show", task_id=task_id))


@bp.post("/tasks/<int:task_id>/comments")
@login_required
def comment(task_id: int) -> Response:
    """Add a comment."""
    add_comment(get_session(), get_clock(), require_actor(), task_id, request.form.get("body", ""))
    commit()
    flash(gettext("Comment added."), "success")
    return _back(task_id)


@bp.post("/tasks/<int:task_id>/attachments")
@login_required
def upload(task_id: int) -> Response:
    """Attach an evidence file."""
    file = request.files.get("file")
    if file is None or not file.filename:
        raise ValidationFailed(gettext("Choose a file to upload."), details={"file": gettext("Choose a file.")})
    add_attachment(get_session(), get_clock(), require_actor(), task_id, file.filename, file.read())
    commit()
    flash(gettext("File attached."), "success")
    return _back(task_id)


@bp.get("/attachments/<int:attachment_id>")
@login_required
def download(attachment_id: int) -> Response:
    """Download an attachment (only for those who may see its task)."""
    meta, content = attachment_content(get_session(), require_actor(), attachment_id)
    return file_response(meta, content)


def file_response(meta: AttachmentRecord, content: bytes) -> Response:
    """An attachment as a download with its checksum (the page and the API answer alike)."""
    response = send_file(io.BytesIO(content), mimetype=meta.content_type, as_attachment=True,
                         download_name=meta.filename, etag=meta.sha256, max_age=0)
    response.headers["X-Checksum-SHA256"] = meta.sha256
    return response


@bp.post("/tasks/<int:task_id>/reassign")
@login_required
def reassign_task(task_id: int) -> Response:
    """The agency head gives the task to a colleague."""
    reassign(get_session(), get_clock(), require_actor(), task_id, request.form.get("username", ""))
    commit()
    flash(gettext("Task reassigned."), "success")
    return _back(task_id)

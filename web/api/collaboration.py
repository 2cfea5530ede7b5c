"""Comments and evidence files of a task: the same use cases and scoping as the task page."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC
from typing import Any

from flask import request, url_for

from engine.attachments import add_attachment, attachment_content, attachments_of
from engine.comments import add_comment, comments_of
from engine.errors import ValidationFailed
from web.api import bp
from web.api.schemas import (
    AttachmentListSchema,
    AttachmentSchema,
    CommentListSchema,
    CommentRequestSchema,
    CommentSchema,
    load,
)
from web.auth import require_actor
from web.db import commit, get_clock, get_session
from web.task_extras import file_response


@bp.get("/tasks/<int:task_id>/comments")
def list_comments(task_id: int) -> Any:
    """The comments of a task the caller can see, oldest first."""
    return CommentListSchema().dump({"items": comments_of(get_session(), require_actor(), task_id)})


@bp.post("/tasks/<int:task_id>/comments")
def create_comment(task_id: int) -> Any:
    """Comment on a task of an agency where the caller holds a role (supervisors: any agency)."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ValidationFailed("Cần một đối tượng JSON (a JSON object body is required)", details={"(body)": "object"})
    text = load(CommentRequestSchema(), body)["body"]
    comment = add_comment(get_session(), get_clock(), require_actor(), task_id, text)
    commit()
    # In UTC, as the list shows it once read back from the database.
    return CommentSchema().dump(replace(comment, created_at=comment.created_at.astimezone(UTC))), 201


@bp.get("/tasks/<int:task_id>/attachments")
def list_attachments(task_id: int) -> Any:
    """The evidence files of a task the caller can see, without their bytes."""
    return AttachmentListSchema().dump({"items": attachments_of(get_session(), require_actor(), task_id)})


@bp.post("/tasks/<int:task_id>/attachments")
def upload_attachment(task_id: int) -> Any:
    """Attach an evidence file (multipart/form-data, field `file`) to a task the caller works on."""
    file = request.files.get("file")
    if file is None or not file.filename:
        raise ValidationFailed("Cần một tệp trong trường 'file' (a file in the field 'file' is required)",
                               details={"file": "multipart/form-data"})
    meta = add_attachment(get_session(), get_clock(), require_actor(), task_id, file.filename, file.read())
    commit()
    location = url_for("api.download_attachment", attachment_id=meta.id)
    created = replace(meta, uploaded_at=meta.uploaded_at.astimezone(UTC))  # in UTC, as the list shows it
    return AttachmentSchema().dump(created), 201, {"Location": location}


@bp.get("/attachments/<int:attachment_id>")
def download_attachment(attachment_id: int) -> Any:
    """The bytes of an attachment, for those who may see its task (checksum in X-Checksum-SHA256)."""
    meta, content = attachment_content(get_session(), require_actor(), attachment_id)
    return file_response(meta, content)

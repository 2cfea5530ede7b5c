"""Marshmallow schemas: the shapes the API accepts and returns (and documents in OpenAPI)."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate
from marshmallow import ValidationError as SchemaError

from engine.comments import MAX_COMMENT
from engine.errors import ValidationFailed
from engine.inbox import DUE_FILTERS, MAX_PER_PAGE, SORTS, STATUSES

INSTANCE_STATUSES = ("running", "suspended", "completed", "cancelled")


class ErrorBodySchema(Schema):
    """What went wrong: a stable code, a message, and details per field."""

    code = fields.String(required=True)
    message = fields.String(required=True)
    details = fields.Dict(keys=fields.String(), values=fields.Raw(), required=True)


class ErrorSchema(Schema):
    """Every error answer of the API."""

    error = fields.Nested(ErrorBodySchema, required=True)


class MembershipSchema(Schema):
    """A role held in an agency."""

    agency_code = fields.String(required=True)
    agency_name = fields.String(required=True)
    role = fields.String(required=True)


class MeSchema(Schema):
    """The caller."""

    username = fields.String(required=True)
    full_name = fields.String(required=True)
    is_supervisor = fields.Boolean(required=True)
    is_admin = fields.Boolean(required=True)
    memberships = fields.List(fields.Nested(MembershipSchema), required=True)


class AgencySchema(Schema):
    """An agency."""

    id = fields.Integer(required=True)
    code = fields.String(required=True)
    name = fields.String(required=True)
    level = fields.String(required=True)
    status = fields.String(required=True)
    valid_from = fields.Date(required=True)
    valid_to = fields.Date(required=True, allow_none=True)


class AgencyListSchema(Schema):
    """A page of agencies."""

    items = fields.List(fields.Nested(AgencySchema), required=True)
    total = fields.Integer(required=True)
    limit = fields.Integer(required=True)
    offset = fields.Integer(required=True)


class PageQuerySchema(Schema):
    """limit/offset paging."""

    limit = fields.Integer(load_default=100, validate=validate.Range(1, 1000))
    offset = fields.Integer(load_default=0, validate=validate.Range(0))


class TaskSchema(Schema):
    """A human task."""

    id = fields.Integer(required=True)
    instance_id = fields.Integer(required=True)
    business_key = fields.String(required=True)
    process_key = fields.String(required=True)
    spec_id = fields.String(required=True)
    name = fields.String(required=True)
    lane = fields.String(required=True, allow_none=True)
    role = fields.String(required=True, allow_none=True)
    agency_code = fields.String(required=True)
    agency_name = fields.String(required=True)
    assignee = fields.String(required=True, allow_none=True)
    status = fields.String(required=True)
    due_at = fields.DateTime(required=True, allow_none=True)
    created_at = fields.DateTime(required=True)
    instance_version = fields.Integer(required=True)
    unassignable = fields.Boolean(required=True)


class TaskListQuerySchema(Schema):
    """Filters, sort and page of the task list."""

    process = fields.String(load_default=None)
    agency = fields.String(load_default=None, metadata={"description": "agency code, e.g. VL-013"})
    status = fields.String(load_default="open", validate=validate.OneOf(STATUSES))
    due = fields.String(load_default=None, validate=validate.OneOf(DUE_FILTERS))
    sort = fields.String(load_default="due", validate=validate.OneOf(SORTS))
    page = fields.Integer(load_default=1, validate=validate.Range(1))
    per_page = fields.Integer(load_default=25, validate=validate.Range(1, MAX_PER_PAGE))


class TaskListSchema(Schema):
    """A page of tasks with the total count."""

    items = fields.List(fields.Nested(TaskSchema), required=True)
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    pages = fields.Integer(required=True)


class PermissionsSchema(Schema):
    """What the caller may do with the task now."""

    can_claim = fields.Boolean(required=True)
    can_release = fields.Boolean(required=True)
    can_complete = fields.Boolean(required=True)
    can_reassign = fields.Boolean(required=True)


class TaskDetailSchema(Schema):
    """A task with its form (JSON Schema), documentation and the caller's permissions."""

    task = fields.Nested(TaskSchema, required=True)
    form = fields.Dict(required=True, allow_none=True)
    documentation = fields.String(required=True, allow_none=True)
    permissions = fields.Nested(PermissionsSchema, required=True)


class CompleteRequestSchema(Schema):
    """Form data for completing a task, with the instance version the caller saw."""

    data = fields.Dict(keys=fields.String(), values=fields.Raw(), required=True)
    expected_version = fields.Integer(load_default=None, allow_none=True)


class ReassignRequestSchema(Schema):
    """The colleague who gets the task."""

    username = fields.String(required=True, validate=validate.Length(1, 64))


class CompleteResultSchema(Schema):
    """The completed task and the tasks that are now ready in its instance."""

    task = fields.Nested(TaskSchema, required=True)
    next_tasks = fields.List(fields.Nested(TaskSchema), required=True)


class InstanceSchema(Schema):
    """A process instance (one agency's cycle of one year)."""

    id = fields.Integer(required=True)
    business_key = fields.String(required=True)
    process_key = fields.String(required=True)
    definition_version = fields.Integer(required=True)
    agency_code = fields.String(required=True)
    agency_name = fields.String(required=True)
    cycle_year = fields.Integer(required=True, allow_none=True)
    status = fields.String(required=True)
    version = fields.Integer(required=True)
    started_at = fields.DateTime(required=True)
    ended_at = fields.DateTime(required=True, allow_none=True)


class InstanceQuerySchema(PageQuerySchema):
    """Filters and page of the instance list."""

    year = fields.Integer(load_default=None)
    status = fields.String(load_default=None, validate=validate.OneOf(INSTANCE_STATUSES))


class InstanceListSchema(Schema):
    """A page of instances."""

    items = fields.List(fields.Nested(InstanceSchema), required=True)
    limit = fields.Integer(required=True)
    offset = fields.Integer(required=True)


class TimerSchema(Schema):
    """A deadline timer."""

    id = fields.Integer(required=True)
    spec_id = fields.String(required=True)
    name = fields.String(required=True)
    due_at = fields.DateTime(required=True)
    status = fields.String(required=True)
    fired_at = fields.DateTime(required=True, allow_none=True)


class HistorySchema(Schema):
    """One step of the audit history."""

    at = fields.DateTime(required=True)
    actor = fields.String(required=True)
    kind = fields.String(required=True)
    spec_id = fields.String(required=True, allow_none=True)
    task_name = fields.String(required=True, allow_none=True)
    data = fields.Dict(required=True)


class InstanceDetailSchema(Schema):
    """An instance with its tasks, timers and history."""

    instance = fields.Nested(InstanceSchema, required=True)
    tasks = fields.List(fields.Nested(TaskSchema), required=True)
    timers = fields.List(fields.Nested(TimerSchema), required=True)
    history = fields.List(fields.Nested(HistorySchema), required=True)


class CommentSchema(Schema):
    """A comment on a task."""

    id = fields.Integer(required=True)
    author = fields.String(required=True)
    author_full_name = fields.String(required=True)
    body = fields.String(required=True)
    created_at = fields.DateTime(required=True)


class CommentListSchema(Schema):
    """The comments of a task, oldest first."""

    items = fields.List(fields.Nested(CommentSchema), required=True)


class CommentRequestSchema(Schema):
    """The text of a new comment."""

    body = fields.String(required=True, validate=validate.Length(1, MAX_COMMENT))


class AttachmentSchema(Schema):
    """An evidence file of a task, without its bytes (download them from /attachments/{id})."""

    id = fields.Integer(required=True)
    task_id = fields.Integer(required=True)
    filename = fields.String(required=True)
    content_type = fields.String(required=True)
    size = fields.Integer(required=True)
    sha256 = fields.String(required=True)
    uploaded_by = fields.String(required=True)
    uploaded_at = fields.DateTime(required=True)


class AttachmentListSchema(Schema):
    """The attachments of a task, oldest first."""

    items = fields.List(fields.Nested(AttachmentSchema), required=True)


def _flat(messages: Any, prefix: str = "") -> dict[str, str]:
    if isinstance(messages, dict):
        flat: dict[str, str] = {}
        for key, value in messages.items():
            flat.update(_flat(value, f"{prefix}{key}" if not prefix else f"{prefix}.{key}"))
        return flat
    if isinstance(messages, list):
        return {prefix or "(request)": "; ".join(str(m) for m in messages)}
    return {prefix or "(request)": str(messages)}


def load(schema: Schema, data: Any) -> dict[str, Any]:
    """Load request data, turning schema errors into the engine's ValidationFailed (400)."""
    try:
        loaded: dict[str, Any] = schema.load(data)
    except SchemaError as exc:
        raise ValidationFailed("Yêu cầu không hợp lệ (invalid request)", details=_flat(exc.messages)) from exc
    return loaded

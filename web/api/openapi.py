"""The OpenAPI 3 document of the API, generated from the marshmallow schemas."""

from __future__ import annotations

from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import current_app

from web.api import bp
from web.api import schemas as s

_ERRORS = {
    "400": "Invalid request or form data (details per field)",
    "401": "Not logged in and no valid Bearer token",
    "403": "Not allowed (e.g. a role the caller does not hold)",
    "404": "No such resource, or not visible to the caller",
    "409": "Conflict: already completed, claimed by someone else, or a stale version",
    "413": "The upload is larger than the server accepts",
}
_TASK_ID = {"in": "path", "name": "task_id", "required": True, "schema": {"type": "integer"}}
_INSTANCE_ID = {"in": "path", "name": "instance_id", "required": True, "schema": {"type": "integer"}}
_ATTACHMENT_ID = {"in": "path", "name": "attachment_id", "required": True, "schema": {"type": "integer"}}
_BINARY = {"type": "string", "format": "binary"}
_UPLOAD = {"multipart/form-data": {"schema": {"type": "object", "required": ["file"],
                                              "properties": {"file": {**_BINARY, "description": "the evidence file"}}}}}
_DOWNLOAD = {
    "description": "The file (its type as stored; SHA-256 checksum in the X-Checksum-SHA256 header)",
    "content": {"*/*": {"schema": _BINARY}},
    "headers": {"X-Checksum-SHA256": {"schema": {"type": "string"}}},
}


def _operation(summary: str, tag: str, ok: str | None, errors: tuple[str, ...], *,
               params: list[Any] | None = None, body: str | dict[str, Any] | None = None,
               status: str = "200") -> dict[str, Any]:
    """`ok` names the answer's schema (None: a file download); a dict `body` is the request's content as is."""
    answer = {"description": "OK", "content": {"application/json": {"schema": ok}}} if ok else _DOWNLOAD
    responses: dict[str, Any] = {status: answer}
    for code in ("401", *errors):
        responses[code] = {"description": _ERRORS[code], "content": {"application/json": {"schema": "Error"}}}
    operation: dict[str, Any] = {"summary": summary, "tags": [tag], "responses": responses,
                                 "parameters": params or []}
    if body is not None:
        content = body if isinstance(body, dict) else {"application/json": {"schema": body}}
        operation["requestBody"] = {"required": True, "content": content}
    return operation


def _paths() -> dict[str, dict[str, Any]]:
    task_errors = ("403", "404", "409")
    return {
        "/me": {"get": _operation("The caller and their roles", "me", "Me", ())},
        "/agencies": {"get": _operation("Agencies the caller may read", "agencies", "AgencyList", ("400",),
                                        params=[{"in": "query", "schema": s.PageQuerySchema}])},
        "/tasks": {"get": _operation("My tasks and my roles' unclaimed tasks", "tasks", "TaskList", ("400",),
                                     params=[{"in": "query", "schema": s.TaskListQuerySchema}])},
        "/tasks/{task_id}": {"get": _operation("A task with its form", "tasks", "TaskDetail", ("404",),
                                               params=[_TASK_ID])},
        "/tasks/{task_id}/comments": {
            "get": _operation("The comments of a task", "collaboration", "CommentList", ("404",), params=[_TASK_ID]),
            "post": _operation("Comment on a task", "collaboration", "Comment", ("400", "403", "404"),
                               params=[_TASK_ID], body="CommentRequest", status="201"),
        },
        "/tasks/{task_id}/attachments": {
            "get": _operation("The evidence files of a task", "collaboration", "AttachmentList", ("404",),
                              params=[_TASK_ID]),
            "post": _operation("Attach an evidence file (PDF, image, office document or UTF-8 text, up to 10 MB)",
                               "collaboration", "Attachment", ("400", *task_errors, "413"), params=[_TASK_ID],
                               body=_UPLOAD, status="201"),
        },
        "/attachments/{attachment_id}": {"get": _operation(
            "Download an evidence file", "collaboration", None, ("404",), params=[_ATTACHMENT_ID])},
        "/tasks/{task_id}/claim": {"post": _operation("Claim a task", "tasks", "Task", task_errors,
                                                      params=[_TASK_ID])},
        "/tasks/{task_id}/release": {"post": _operation("Release a claimed task", "tasks", "Task", task_errors,
                                                        params=[_TASK_ID])},
        "/tasks/{task_id}/complete": {"post": _operation(
            "Complete a task with form data", "tasks", "CompleteResult", ("400", *task_errors), params=[_TASK_ID],
            body="CompleteRequest")},
        "/tasks/{task_id}/reassign": {"post": _operation(
            "Reassign a task within the agency (agency head)", "tasks", "Task", ("400", *task_errors),
            params=[_TASK_ID], body="ReassignRequest")},
        "/instances": {"get": _operation("Instances the caller may read", "instances", "InstanceList", ("400",),
                                         params=[{"in": "query", "schema": s.InstanceQuerySchema}])},
        "/instances/{instance_id}": {"get": _operation("An instance with its history", "instances",
                                                       "InstanceDetail", ("404",), params=[_INSTANCE_ID])},
    }


_COMPONENTS = {
    "Error": s.ErrorSchema, "Me": s.MeSchema, "AgencyList": s.AgencyListSchema, "Task": s.TaskSchema,
    "TaskList": s.TaskListSchema, "TaskDetail": s.TaskDetailSchema, "CompleteRequest": s.CompleteRequestSchema,
    "CompleteResult": s.CompleteResultSchema, "ReassignRequest": s.ReassignRequestSchema,
    "InstanceList": s.InstanceListSchema, "InstanceDetail": s.InstanceDetailSchema,
    "Comment": s.CommentSchema, "CommentList": s.CommentListSchema, "CommentRequest": s.CommentRequestSchema,
    "Attachment": s.AttachmentSchema, "AttachmentList": s.AttachmentListSchema,
}


def build_document() -> dict[str, Any]:
    """The OpenAPI 3.0 document as a dict."""
    spec = APISpec(
        title="isoflow API", version="1.0.0", openapi_version="3.0.3", plugins=[MarshmallowPlugin()],
        info={"description": "Tasks and cycles of the ISO 9001:2015 QMS of the province's agencies."},
        servers=[{"url": "/api/v1"}],
    )
    spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    spec.components.security_scheme("cookieAuth", {"type": "apiKey", "in": "cookie", "name": "isoflow_session"})
    for name, schema in _COMPONENTS.items():
        spec.components.schema(name, schema=schema)
    for path, operations in _paths().items():
        spec.path(path=path, operations=operations)
    document = spec.to_dict()
    document["security"] = [{"bearerAuth": []}, {"cookieAuth": []}]
    return document


@bp.get("/openapi.json")
def openapi_document() -> Any:
    """The OpenAPI document (public: it describes, it does not reveal data)."""
    if "isoflow.openapi" not in current_app.extensions:
        current_app.extensions["isoflow.openapi"] = build_document()
    return current_app.extensions["isoflow.openapi"]

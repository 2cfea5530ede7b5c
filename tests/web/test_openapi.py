"""The OpenAPI document is valid, and every documented operation answers as documented."""

from __future__ import annotations

import io
import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from sqlalchemy.orm import Session

from engine.accounts import actor_by_username
from engine.attachments import add_attachment
from engine.clock import VirtualClock
from tests.web.test_api import bearer, fill


def as_json_schema(node: Any, components: dict[str, Any]) -> Any:
    """An OpenAPI 3.0 schema as plain JSON Schema: references inlined, `nullable` as a null type."""
    if isinstance(node, list):
        return [as_json_schema(item, components) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return as_json_schema(components[node["$ref"].rsplit("/", 1)[-1]], components)
    converted = {key: as_json_schema(value, components) for key, value in node.items() if key != "nullable"}
    if node.get("nullable") and "type" in converted:
        converted["type"] = [converted["type"], "null"]
    return converted


def _check(document: dict[str, Any], path: str, method: str, response: Any) -> None:
    documented = document["paths"][path][method]["responses"]
    status = str(response.status_code)
    assert status in documented, f"{method.upper()} {path} answered {status}, documented {sorted(documented)}"
    content = documented[status]["content"]
    if "application/json" not in content:  # a file download: any documented media type, and a body
        assert "*/*" in content or response.mimetype in content, f"{method.upper()} {path}: {response.mimetype}"
        assert response.data and response.mimetype != "application/json"
        return
    schema = content["application/json"]["schema"]
    body = response.get_json()
    errors = list(Draft202012Validator(as_json_schema(schema, document["components"]["schemas"])).iter_errors(body))
    assert not errors, f"{method.upper()} {path} {status}: {errors[0].message}"


def _call(client: FlaskClient, method: str, url: str, headers: dict[str, str] | None, body: Any,
          multipart: bool) -> Any:
    """Send a JSON body, or a fresh evidence file to a multipart operation."""
    if multipart:
        upload = {"file": (io.BytesIO(b"%PDF-1.7 minh chung"), "minh-chung.pdf")}
        return client.open(url, method=method.upper(), headers=headers, data=upload, content_type="multipart/form-data")
    return client.open(url, method=method.upper(), headers=headers, json=body)


def test_the_document_is_valid_openapi(app: Flask) -> None:
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    validate(document)
    assert document["openapi"].startswith("3.")
    expected = {"/me", "/agencies", "/tasks", "/tasks/{task_id}/complete", "/instances/{instance_id}",
                "/tasks/{task_id}/comments", "/tasks/{task_id}/attachments", "/attachments/{attachment_id}"}
    assert expected <= set(document["paths"])


def test_every_documented_operation_answers_as_documented(
    app: Flask, seeded: Session, clock: VirtualClock, cycles: dict[str, int]
) -> None:
    client = app.test_client()
    document = client.get("/api/v1/openapi.json").get_json()
    officer = bearer(seeded, clock, "demo.officer")
    task = client.get("/api/v1/tasks", headers=officer).get_json()["items"][0]
    form = client.get(f"/api/v1/tasks/{task['id']}", headers=officer).get_json()["form"]
    attachment = add_attachment(seeded, clock, actor_by_username(seeded, "demo.officer"), task["id"], "bc.pdf",
                                b"%PDF-1.4")
    seeded.commit()
    values = {"task_id": task["id"], "instance_id": cycles["VL-013"], "attachment_id": attachment.id}
    bodies = {"CompleteRequest": {"data": fill(form["schema"])}, "ReassignRequest": {"username": "demo.auditor"},
              "CommentRequest": {"body": "Đề nghị bổ sung minh chứng."}}
    seen = set()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            url = "/api/v1" + re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]), path)
            content = operation.get("requestBody", {}).get("content", {})
            body_ref = content.get("application/json", {}).get("schema")
            body = bodies[body_ref["$ref"].rsplit("/", 1)[-1]] if body_ref else None
            multipart = "multipart/form-data" in content
            _check(document, path, method, _call(client, method, url, None, body, multipart))  # 401
            answer = _call(client, method, url, officer, body, multipart)
            _check(document, path, method, answer)
            seen.add((method, path, answer.status_code))
            if "{" in path:
                missing = "/api/v1" + re.sub(r"\{(\w+)\}", "999999", path)
                _check(document, path, method, _call(client, method, missing, officer, body, multipart))
    # The officer's own task is still open when its comments and files are exercised.
    assert {("post", "/tasks/{task_id}/comments", 201), ("post", "/tasks/{task_id}/attachments", 201),
            ("get", "/attachments/{attachment_id}", 200)} <= seen

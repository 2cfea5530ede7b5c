"""The OpenAPI document is valid, and every documented operation answers as documented."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from sqlalchemy.orm import Session

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
    schema = documented[status]["content"]["application/json"]["schema"]
    body = response.get_json()
    errors = list(Draft202012Validator(as_json_schema(schema, document["components"]["schemas"])).iter_errors(body))
    assert not errors, f"{method.upper()} {path} {status}: {errors[0].message}"


def test_the_document_is_valid_openapi(app: Flask) -> None:
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    validate(document)
    assert document["openapi"].startswith("3.")
    expected = {"/me", "/agencies", "/tasks", "/tasks/{task_id}/complete", "/instances/{instance_id}"}
    assert expected <= set(document["paths"])


def test_every_documented_operation_answers_as_documented(
    app: Flask, seeded: Session, clock: VirtualClock, cycles: dict[str, int]
) -> None:
    client = app.test_client()
    document = client.get("/api/v1/openapi.json").get_json()
    officer = bearer(seeded, clock, "demo.officer")
    task = client.get("/api/v1/tasks", headers=officer).get_json()["items"][0]
    form = client.get(f"/api/v1/tasks/{task['id']}", headers=officer).get_json()["form"]
    values = {"task_id": task["id"], "instance_id": cycles["VL-013"]}
    bodies = {"CompleteRequest": {"data": fill(form["schema"])}, "ReassignRequest": {"username": "demo.auditor"}}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            url = "/api/v1" + re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]), path)
            body_ref = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            body = bodies[body_ref["$ref"].rsplit("/", 1)[-1]] if body_ref else None
            _check(document, path, method, client.open(url, method=method.upper(), json=body))  # 401
            _check(document, path, method, client.open(url, method=method.upper(), headers=officer, json=body))
            if "{" in path:
                missing = "/api/v1" + re.sub(r"\{(\w+)\}", "999999", path)
                _check(document, path, method, client.open(missing, method=method.upper(), headers=officer,
                                                           json=body))

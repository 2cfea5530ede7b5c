"""The JSON API: the same use cases as the pages, one error shape, session or Bearer authentication."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from engine.clock import VirtualClock
from engine.records import SYSTEM
from engine.tokens import create_token
from tests.web.form_filler import fill

Login = Callable[[str], FlaskClient]


def bearer(session: Session, clock: VirtualClock, username: str) -> dict[str, str]:
    """Authorization headers with a fresh token for a user."""
    issued = create_token(session, clock.now(), SYSTEM, username, "test")
    session.commit()
    return {"Authorization": f"Bearer {issued.secret}"}


def _error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    body: dict[str, Any] = response.get_json()["error"]
    assert body["code"] == code and isinstance(body["message"], str) and isinstance(body["details"], dict)
    return body


def test_anonymous_callers_get_401_in_the_error_shape(client: FlaskClient) -> None:
    response = client.get("/api/v1/tasks")
    _error(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    _error(client.get("/api/v1/me", headers={"Authorization": "Bearer isf_wrong"}), 401, "unauthorized")


def test_me_and_agencies(app: Flask, seeded: Session, clock: VirtualClock) -> None:
    client = app.test_client()
    headers = bearer(seeded, clock, "demo.officer")
    me = client.get("/api/v1/me", headers=headers).get_json()
    assert me["username"] == "demo.officer" and me["is_supervisor"] is False
    assert me["memberships"] == [{"agency_code": "VL-013", "agency_name": "Sở Khoa học và Công nghệ",
                                  "role": "iso_officer"}]
    agencies = client.get("/api/v1/agencies", headers=headers).get_json()
    assert agencies["total"] == 1 and agencies["items"][0]["code"] == "VL-013"
    supervisor = client.get("/api/v1/agencies?limit=5", headers=bearer(seeded, clock, "demo.supervisor")).get_json()
    assert supervisor["total"] == 143 and len(supervisor["items"]) == 5


def test_task_list_get_claim_release_and_complete(
    app: Flask, seeded: Session, clock: VirtualClock, cycles: dict[str, int]
) -> None:
    client, headers = app.test_client(), bearer(seeded, clock, "demo.officer")
    listing = client.get("/api/v1/tasks?per_page=10", headers=headers).get_json()
    assert listing["total"] == 1 and listing["pages"] == 1
    task = listing["items"][0]
    assert task["business_key"] == "VL-013/2024" and task["role"] == "iso_officer"
    detail = client.get(f"/api/v1/tasks/{task['id']}", headers=headers).get_json()
    assert detail["form"]["legal_basis"] and detail["permissions"]["can_complete"] is True
    claimed = client.post(f"/api/v1/tasks/{task['id']}/claim", headers=headers).get_json()
    assert claimed["assignee"] == "demo.officer"
    released = client.post(f"/api/v1/tasks/{task['id']}/release", headers=headers).get_json()
    assert released["assignee"] is None
    data = fill(detail["form"]["schema"])
    done = client.post(f"/api/v1/tasks/{task['id']}/complete", headers=headers,
                       json={"data": data, "expected_version": task["instance_version"]}).get_json()
    assert done["task"]["status"] == "completed"
    assert [t["role"] for t in done["next_tasks"]] == ["agency_head"]
    again = client.post(f"/api/v1/tasks/{task['id']}/complete", headers=headers, json={"data": data})
    _error(again, 409, "conflict")


def test_validation_errors_list_each_field(
    app: Flask, seeded: Session, clock: VirtualClock, cycles: dict[str, int]
) -> None:
    client, headers = app.test_client(), bearer(seeded, clock, "demo.officer")
    task = client.get("/api/v1/tasks", headers=headers).get_json()["items"][0]
    body = _error(client.post(f"/api/v1/tasks/{task['id']}/complete", headers=headers, json={"data": {}}),
                  400, "validation_failed")
    assert body["details"] and all("bắt buộc" in text for text in body["details"].values())
    _error(client.post(f"/api/v1/tasks/{task['id']}/complete", headers=headers, json={"date": {}}),
           400, "validation_failed")
    _error(client.post(f"/api/v1/tasks/{task['id']}/complete", headers=headers, data="nope"), 400, "validation_failed")
    _error(client.get("/api/v1/tasks?sort=random", headers=headers), 400, "validation_failed")


def test_wrong_role_is_403_and_unknown_is_404(app: Flask, seeded: Session, clock: VirtualClock,
                                               cycles: dict[str, int]) -> None:
    client = app.test_client()
    task_id = client.get("/api/v1/tasks", headers=bearer(seeded, clock, "demo.officer")).get_json()["items"][0]["id"]
    head = bearer(seeded, clock, "demo.head")
    _error(client.post(f"/api/v1/tasks/{task_id}/claim", headers=head), 403, "forbidden")
    _error(client.get("/api/v1/tasks/99999", headers=head), 404, "not_found")
    _error(client.get("/api/v1/nothing-here", headers=head), 404, "not_found")
    _error(client.delete(f"/api/v1/tasks/{task_id}", headers=head), 405, "method_not_allowed")


def test_instances_list_and_history(app: Flask, seeded: Session, clock: VirtualClock, cycles: dict[str, int]) -> None:
    client, headers = app.test_client(), bearer(seeded, clock, "demo.head")
    listing = client.get("/api/v1/instances", headers=headers).get_json()
    assert [i["business_key"] for i in listing["items"]] == ["VL-013/2024"]
    detail = client.get(f"/api/v1/instances/{cycles['VL-013']}", headers=headers).get_json()
    assert detail["instance"]["agency_code"] == "VL-013"
    assert [h["kind"] for h in detail["history"]][:2] == ["instance_started", "task_created"]
    supervisor = bearer(seeded, clock, "demo.supervisor")
    assert len(client.get("/api/v1/instances", headers=supervisor).get_json()["items"]) == 2


def test_a_revoked_token_no_longer_works(app: Flask, login: Login, seeded: Session, clock: VirtualClock) -> None:
    headers = bearer(seeded, clock, "demo.officer")
    client = app.test_client()
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    admin = login("demo.admin")
    html = admin.get("/admin/tokens").get_data(as_text=True)
    token_id = html.split("/admin/tokens/")[1].split("/revoke")[0]
    from tests.web.conftest import csrf_token

    assert admin.post(f"/admin/tokens/{token_id}/revoke",
                      data={"csrf_token": csrf_token(admin, "/admin/tokens")}).status_code == 302
    _error(client.get("/api/v1/me", headers=headers), 401, "unauthorized")


def test_cookie_sessions_need_the_csrf_header_for_writes(login: Login, cycles: dict[str, int]) -> None:
    from tests.web.conftest import csrf_token

    client = login("demo.officer")
    task_id = client.get("/api/v1/tasks").get_json()["items"][0]["id"]
    _error(client.post(f"/api/v1/tasks/{task_id}/claim"), 400, "csrf_failed")
    token = csrf_token(client, "/inbox")
    assert client.post(f"/api/v1/tasks/{task_id}/claim", headers={"X-CSRFToken": token}).status_code == 200

"""Scoping matrix: roles × pages and endpoints on one agency's task, instance, attachment and history.

Members of the agency read it; only the role (or assignee) acts; other agencies get 404 on reads (nothing
is shown) and 403 on changes; supervisors and administrators read everything but complete only supervisor tasks.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.accounts import actor_by_username
from engine.attachments import add_attachment
from engine.clock import VirtualClock
from engine.definitions import deploy_folder
from engine.instances import agency_by_code, start_instance
from models import HumanTask
from tests.web.conftest import TEST_PROCESSES, csrf_token, log_in


@dataclass(frozen=True)
class World:
    """One officer task of VL-013 with an attachment, and one supervisor task about VL-013."""

    task: int
    instance: int
    attachment: int
    supervisor_task: int


@pytest.fixture
def world(seeded: Session, clock: VirtualClock, cycles: dict[str, int]) -> World:
    deploy_folder(seeded, clock, TEST_PROCESSES, "test")
    inspection = start_instance(seeded, clock, "web_supervisor_test", agency_by_code(seeded, "VL-013"), 2024,
                                key="VL-013/2024/inspection")
    task = seeded.scalars(select(HumanTask.id).where(HumanTask.instance_id == cycles["VL-013"])).one()
    attachment = add_attachment(seeded, clock, actor_by_username(seeded, "demo.officer"), task, "bc.pdf", b"%PDF-1")
    supervisor_task = seeded.scalars(select(HumanTask.id).where(HumanTask.instance_id == inspection.instance_id)).one()
    seeded.commit()
    return World(task, cycles["VL-013"], attachment.id, supervisor_task)


READ_PAGES = ("/tasks/{task}", "/instances/{instance}", "/attachments/{attachment}", "/api/v1/tasks/{task}",
              "/api/v1/instances/{instance}", "/api/v1/tasks/{task}/comments", "/api/v1/tasks/{task}/attachments",
              "/api/v1/attachments/{attachment}")
# user -> (read status, claim status, complete status, supervisor-task complete status)
MATRIX = {
    "demo.officer": (200, 200, 200, 403),
    "demo.head": (200, 403, 403, 403),
    "demo.auditor": (200, 403, 403, 403),
    "demo.commune.officer": (404, 403, 403, 403),
    "demo.supervisor": (200, 403, 403, 200),
    "demo.admin": (200, 403, 403, 403),
}


def _client(app: Flask, username: str) -> FlaskClient:
    client = app.test_client()
    log_in(client, username)
    return client


def _api_post(client: FlaskClient, path: str, body: dict[str, object] | None = None) -> int:
    headers = {"X-CSRFToken": csrf_token(client, "/inbox")}
    return client.post(path, headers=headers, json=body).status_code


@pytest.mark.parametrize("username", sorted(MATRIX))
def test_reading_pages_and_endpoints(app: Flask, world: World, username: str) -> None:
    client = _client(app, username)
    expected = MATRIX[username][0]
    for template in READ_PAGES:
        path = template.format(**vars(world))
        assert client.get(path).status_code == expected, (username, path)
    api_list = client.get("/api/v1/instances").get_json()["items"]
    assert (world.instance in [i["id"] for i in api_list]) == (expected == 200)


@pytest.mark.parametrize("username", sorted(MATRIX))
def test_acting_on_tasks(app: Flask, world: World, username: str) -> None:
    client = _client(app, username)
    _, claim, complete, supervise = MATRIX[username]
    page_claim = client.post(f"/tasks/{world.task}/claim", data={"csrf_token": csrf_token(client, "/inbox")})
    assert page_claim.status_code == (302 if claim == 200 else claim), username
    form = client.get(f"/api/v1/tasks/{world.task}").get_json()
    data = {}
    if form and "form" in form:
        from tests.web.form_filler import fill

        data = fill(form["form"]["schema"])
    assert _api_post(client, f"/api/v1/tasks/{world.task}/complete", {"data": data}) == complete, username
    assert _api_post(client, f"/api/v1/tasks/{world.supervisor_task}/complete", {"data": {}}) == supervise, username


@pytest.mark.parametrize("username", sorted(MATRIX))
def test_comments_and_uploads_follow_the_same_rules(app: Flask, world: World, username: str) -> None:
    import io

    client = _client(app, username)
    read, claim, _, _ = MATRIX[username]
    token = csrf_token(client, "/inbox")
    comment = client.post(f"/tasks/{world.task}/comments", data={"csrf_token": token, "body": "Ý kiến"})
    assert comment.status_code == (302 if read == 200 else 403), username
    upload = client.post(f"/tasks/{world.task}/attachments", content_type="multipart/form-data",
                         data={"csrf_token": token, "file": (io.BytesIO(b"%PDF-1.7"), "minh-chung.pdf")})
    assert upload.status_code == (302 if claim == 200 else claim), username
    headers = {"X-CSRFToken": token}
    api_comment = client.post(f"/api/v1/tasks/{world.task}/comments", headers=headers, json={"body": "Ý kiến"})
    assert api_comment.status_code == (201 if read == 200 else 403), username
    api_upload = client.post(f"/api/v1/tasks/{world.task}/attachments", headers=headers,
                             content_type="multipart/form-data",
                             data={"file": (io.BytesIO(b"%PDF-1.7"), "minh-chung.pdf")})
    assert api_upload.status_code == (201 if claim == 200 else claim), username


def test_anonymous_visitors_are_sent_to_login_or_get_401(client: FlaskClient, world: World) -> None:
    for template in READ_PAGES:
        path = template.format(**vars(world))
        expected = 401 if path.startswith("/api/") else 302
        assert client.get(path).status_code == expected, path

"""Comments and attachments on the JSON API: the page's use cases, limits and scoping."""

from __future__ import annotations

import hashlib
import io
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.clock import VirtualClock
from models import Attachment, HistoryEvent, TaskComment
from tests.web.conftest import csrf_token, log_in
from tests.web.test_api import bearer

PDF = b"%PDF-1.4\nBien ban danh gia noi bo"


def _upload(client: FlaskClient, task_id: int, headers: dict[str, str], content: bytes, name: str) -> Any:
    return client.post(f"/api/v1/tasks/{task_id}/attachments", headers=headers, content_type="multipart/form-data",
                       data={"file": (io.BytesIO(content), name)})


def _counts(session: Session) -> tuple[int | None, ...]:
    session.expire_all()
    return tuple(session.scalar(select(func.count(model.id))) for model in (TaskComment, Attachment, HistoryEvent))


def _error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    body: dict[str, Any] = response.get_json()["error"]
    assert body["code"] == code
    return body


def log_in_client(app: Flask, username: str) -> FlaskClient:
    """A browser logged in as a user."""
    client = app.test_client()
    log_in(client, username)
    return client


def test_comments_are_listed_and_added(app: Flask, seeded: Session, clock: VirtualClock, form_process: int) -> None:
    client, officer, head = app.test_client(), bearer(seeded, clock, "demo.officer"), bearer(seeded, clock, "demo.head")
    url = f"/api/v1/tasks/{form_process}/comments"
    assert client.get(url, headers=officer).get_json() == {"items": []}
    created = client.post(url, headers=head, json={"body": "  Đề nghị bổ sung minh chứng.  "})
    assert created.status_code == 201
    comment = created.get_json()
    assert comment["author"] == "demo.head" and comment["body"] == "Đề nghị bổ sung minh chứng."
    items = client.get(url, headers=officer).get_json()["items"]
    assert items == [comment] and items[0]["created_at"].startswith("2024-01-02T01:00:00")
    page = log_in_client(app, "demo.officer").get(f"/tasks/{form_process}").get_data(as_text=True)
    assert "Đề nghị bổ sung minh chứng." in page  # the page shows what the API added


def test_refused_comments_change_nothing(app: Flask, seeded: Session, clock: VirtualClock, form_process: int) -> None:
    client, officer = app.test_client(), bearer(seeded, clock, "demo.officer")
    url = f"/api/v1/tasks/{form_process}/comments"
    before = _counts(seeded)
    for body in ({"body": "   "}, {}):
        assert "body" in _error(client.post(url, headers=officer, json=body), 400, "validation_failed")["details"]
    _error(client.post(url, headers=officer, data="not json"), 400, "validation_failed")
    _error(client.post(url, headers=officer, json={"body": "x" * 4001}), 400, "validation_failed")
    commune = bearer(seeded, clock, "demo.commune.officer")
    _error(client.post(url, headers=commune, json={"body": "Ý kiến"}), 403, "forbidden")
    _error(client.get(url, headers=commune), 404, "not_found")
    _error(client.post("/api/v1/tasks/999999/comments", headers=officer, json={"body": "Ý kiến"}), 404, "not_found")
    assert _counts(seeded) == before


def test_a_cookie_session_must_send_the_csrf_token(app: Flask, seeded: Session, form_process: int) -> None:
    client = log_in_client(app, "demo.officer")
    url = f"/api/v1/tasks/{form_process}/comments"
    before = _counts(seeded)
    _error(client.post(url, json={"body": "Ý kiến"}), 400, "csrf_failed")
    assert _counts(seeded) == before
    headers = {"X-CSRFToken": csrf_token(client, "/inbox")}
    assert client.post(url, headers=headers, json={"body": "Ý kiến"}).status_code == 201


def test_evidence_is_uploaded_listed_and_downloaded(
    app: Flask, seeded: Session, clock: VirtualClock, form_process: int
) -> None:
    client, officer = app.test_client(), bearer(seeded, clock, "demo.officer")
    created = _upload(client, form_process, officer, PDF, "Biên bản đánh giá.pdf")
    assert created.status_code == 201, created.get_data(as_text=True)
    meta = created.get_json()
    assert meta["filename"] == "Biên bản đánh giá.pdf" and meta["content_type"] == "application/pdf"
    assert meta["size"] == len(PDF) and meta["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert meta["uploaded_by"] == "demo.officer" and meta["task_id"] == form_process
    assert created.headers["Location"] == f"/api/v1/attachments/{meta['id']}"
    listing = client.get(f"/api/v1/tasks/{form_process}/attachments", headers=officer).get_json()
    assert listing == {"items": [meta]}
    download = client.get(created.headers["Location"], headers=officer)
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["X-Checksum-SHA256"] == meta["sha256"]
    assert "attachment" in download.headers["Content-Disposition"]
    supervisor = bearer(seeded, clock, "demo.supervisor")
    assert client.get(created.headers["Location"], headers=supervisor).status_code == 200
    page = log_in_client(app, "demo.officer").get(f"/attachments/{meta['id']}")
    assert page.data == PDF  # the page serves what the API stored


def test_refused_uploads_change_nothing(app: Flask, seeded: Session, clock: VirtualClock, form_process: int) -> None:
    client, officer = app.test_client(), bearer(seeded, clock, "demo.officer")
    before = _counts(seeded)
    assert "file" in _error(_upload(client, form_process, officer, b"MZ\x90\x00", "virus.exe"), 400,
                            "validation_failed")["details"]
    _error(_upload(client, form_process, officer, b"<html>", "fake.pdf"), 400, "validation_failed")
    _error(_upload(client, form_process, officer, b"", "empty.pdf"), 400, "validation_failed")
    _error(_upload(client, form_process, officer, b"%PDF-" + b"0" * (13 * 1024 * 1024), "huge.pdf"), 413, "too_large")
    missing = client.post(f"/api/v1/tasks/{form_process}/attachments", headers=officer, json={"file": "x"})
    assert "file" in _error(missing, 400, "validation_failed")["details"]
    head = bearer(seeded, clock, "demo.head")  # sees the task, but it is not theirs to work on
    _error(_upload(client, form_process, head, PDF, "bb.pdf"), 403, "forbidden")
    commune = bearer(seeded, clock, "demo.commune.officer")
    _error(_upload(client, form_process, commune, PDF, "bb.pdf"), 403, "forbidden")
    _error(client.get(f"/api/v1/tasks/{form_process}/attachments", headers=commune), 404, "not_found")
    _error(_upload(client, 999999, officer, PDF, "bb.pdf"), 404, "not_found")
    assert _counts(seeded) == before


def test_attachments_of_another_agency_are_not_found(
    app: Flask, seeded: Session, clock: VirtualClock, form_process: int
) -> None:
    client, officer = app.test_client(), bearer(seeded, clock, "demo.officer")
    attachment = _upload(client, form_process, officer, PDF, "bb.pdf").get_json()["id"]
    commune = bearer(seeded, clock, "demo.commune.officer")
    _error(client.get(f"/api/v1/attachments/{attachment}", headers=commune), 404, "not_found")
    _error(client.get("/api/v1/attachments/999999", headers=officer), 404, "not_found")
    _error(client.get(f"/api/v1/attachments/{attachment}"), 401, "unauthorized")

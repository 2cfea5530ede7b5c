"""Attachments (limits, checksum, scoped download), comments, the instance history page, admin tokens."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable

from flask.testing import FlaskClient

from tests.web.conftest import csrf_token

Login = Callable[[str], FlaskClient]


def _upload(client: FlaskClient, task_id: int, content: bytes, name: str) -> int:
    data = {"csrf_token": csrf_token(client, "/inbox"), "file": (io.BytesIO(content), name)}
    return client.post(f"/tasks/{task_id}/attachments", data=data, content_type="multipart/form-data").status_code


def test_evidence_is_stored_with_its_checksum_and_downloaded_only_by_readers(login: Login, form_process: int) -> None:
    officer = login("demo.officer")
    content = b"%PDF-1.4\nBien ban danh gia"
    assert _upload(officer, form_process, content, "Biên bản đánh giá.pdf") == 302
    page = officer.get(f"/tasks/{form_process}").get_data(as_text=True)
    assert "Biên bản đánh giá.pdf" in page
    link = page.split('href="/attachments/')[1].split('"')[0]
    download = officer.get(f"/attachments/{link}")
    assert download.status_code == 200 and download.data == content
    assert download.headers["X-Checksum-SHA256"] == hashlib.sha256(content).hexdigest()
    assert download.headers["Content-Type"] == "application/pdf"
    assert "attachment" in download.headers["Content-Disposition"]
    assert login("demo.commune.officer").get(f"/attachments/{link}").status_code == 404
    assert login("demo.supervisor").get(f"/attachments/{link}").status_code == 200


def test_files_of_the_wrong_type_or_content_are_refused(login: Login, form_process: int) -> None:
    officer = login("demo.officer")
    assert _upload(officer, form_process, b"MZ\x90\x00", "virus.exe") == 400
    assert _upload(officer, form_process, b"<html>", "fake.pdf") == 400
    assert _upload(officer, form_process, b"", "empty.pdf") == 400
    assert _upload(officer, form_process, b"\xff\xfe\x00bad", "notes.txt") == 400
    assert _upload(officer, form_process, "Ghi chú".encode(), "notes.txt") == 302


def test_too_large_uploads_are_refused(login: Login, form_process: int) -> None:
    officer = login("demo.officer")
    assert _upload(officer, form_process, b"%PDF-" + b"0" * (10 * 1024 * 1024), "big.pdf") == 400
    assert _upload(officer, form_process, b"%PDF-" + b"0" * (13 * 1024 * 1024), "huge.pdf") == 413


def test_comments_are_shared_with_everyone_who_sees_the_task(login: Login, form_process: int) -> None:
    head = login("demo.head")
    response = head.post(f"/tasks/{form_process}/comments",
                         data={"csrf_token": csrf_token(head, "/inbox"), "body": "Đề nghị bổ sung minh chứng."})
    assert response.status_code == 302
    assert "Đề nghị bổ sung minh chứng." in login("demo.officer").get(f"/tasks/{form_process}").get_data(as_text=True)
    empty = head.post(f"/tasks/{form_process}/comments", data={"csrf_token": csrf_token(head, "/inbox"), "body": " "})
    assert empty.status_code == 400


def test_the_agency_sees_its_cycles_and_their_history(login: Login, cycles: dict[str, int]) -> None:
    head = login("demo.head")
    listing = head.get("/instances").get_data(as_text=True)
    assert "VL-013/2024" in listing and "VL-049/2024" not in listing
    history = head.get(f"/instances/{cycles['VL-013']}").get_data(as_text=True)
    assert "Bắt đầu chu kỳ" in history and "Tạo công việc" in history and "02/01/2024" in history


def test_an_administrator_issues_a_token_shown_once(login: Login) -> None:
    admin = login("demo.admin")
    response = admin.post("/admin/tokens", data={"csrf_token": csrf_token(admin, "/admin/tokens"),
                                                 "username": "demo.officer", "name": "Một cửa"})
    html = response.get_data(as_text=True)
    secret = html.split('data-testid="token-secret">')[1].split("<")[0]
    assert secret.startswith("isf_")
    assert secret not in admin.get("/admin/tokens").get_data(as_text=True)
    assert admin.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    assert login("demo.officer").get("/admin/tokens").status_code == 403

"""The task page: form rendered from JSON Schema, validation messages, drafts, completion, next step."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import HistoryEvent, HumanTask, TaskDraft
from tests.web.conftest import csrf_token

Login = Callable[[str], FlaskClient]


def _post(client: FlaskClient, task_id: int, data: dict[str, object]) -> object:
    data = {"csrf_token": csrf_token(client, f"/tasks/{task_id}"), **data}
    return client.post(f"/tasks/{task_id}", data=data, content_type="multipart/form-data")


def test_task_page_shows_the_step_its_legal_basis_and_every_kind_of_input(login: Login, form_process: int) -> None:
    html = login("demo.officer").get(f"/tasks/{form_process}").get_data(as_text=True)
    assert "Lập báo cáo đánh giá nội bộ" in html
    assert "TCVN ISO 9001:2015 mục 9.2" in html
    assert "ghi nhận kết quả đánh giá và các phát hiện" in html  # the BPMN documentation
    assert 'name="f.auditor"' in html and 'name="f.scope"' in html  # text, textarea
    assert 'name="f.nonconformities" value="" inputmode="numeric"' in re.sub(r"\s+", " ", html)
    assert 'placeholder="dd/mm/yyyy"' in html  # date
    assert 'type="checkbox" id="f-impartial"' in html  # boolean
    assert '<option value="dat"' in html and ">Đạt</option>" in html  # select with Vietnamese labels
    assert 'name="f.findings.0.description"' in html and "data-add-row" in html  # repeating rows
    assert 'type="file" id="f-evidence"' in html  # upload
    assert "10/01/2024" in html and "còn 8 ngày" in html  # due date, days left


def test_invalid_data_shows_vietnamese_messages_per_field_and_keeps_the_input(
    login: Login, form_process: int, seeded: Session
) -> None:
    client = login("demo.officer")
    response = _post(client, form_process, {
        "action": "complete", "f.auditor": "Lê Văn Cường", "f.nonconformities": "nhiều", "f.audit_date": "31/02/2024",
        "f.findings.0.description": "x", "f.findings.1.description": "", "f.result": "",
    })
    assert response.status_code == 400  # type: ignore[attr-defined]
    html = response.get_data(as_text=True)  # type: ignore[attr-defined]
    assert "Biểu mẫu có lỗi" in html
    assert "Trường này là bắt buộc" in html  # result
    assert "Giá trị không đúng kiểu dữ liệu" in html  # nonconformities
    assert "Giá trị không đúng định dạng" in html  # 31/02/2024
    assert "Nội dung quá ngắn" in html  # findings row description
    assert 'value="Lê Văn Cường"' in html and 'value="nhiều"' in html
    assert seeded.get(HumanTask, form_process).status == "ready"  # type: ignore[union-attr]
    assert seeded.scalars(select(TaskDraft.data)).one()["auditor"] == "Lê Văn Cường"


def test_valid_data_completes_the_task_and_shows_the_next_step(
    login: Login, form_process: int, seeded: Session
) -> None:
    client = login("demo.officer")
    response = _post(client, form_process, {
        "action": "complete", "f.auditor": "Lê Văn Cường", "f.audit_date": "15/03/2024", "f.nonconformities": "2",
        "f.score": "8,5", "f.impartial": "on", "f.result": "dat", "f.areas": "Văn phòng\nPhòng Quản lý",
        "f.findings.0.description": "Thiếu hồ sơ", "f.findings.0.clause": "7.5", "f.findings.0.due": "30/04/2024",
        "f.findings.7.description": "", "f.findings.9.description": "Quy trình chưa cập nhật",
    })
    assert response.status_code == 302  # type: ignore[attr-defined]
    done = client.get(response.headers["Location"]).get_data(as_text=True)  # type: ignore[attr-defined]
    assert "Bước tiếp theo" in done and "Xem xét báo cáo" in done and "Thủ trưởng cơ quan" in done
    submitted = seeded.scalars(select(HistoryEvent.data).where(HistoryEvent.kind == "task_completed")).one()
    assert submitted == {
        "auditor": "Lê Văn Cường", "audit_date": "2024-03-15", "nonconformities": 2, "score": 8.5, "impartial": True,
        "result": "dat", "areas": ["Văn phòng", "Phòng Quản lý"],
        "findings": [{"description": "Thiếu hồ sơ", "clause": "7.5", "due": "2024-04-30"},
                     {"description": "Quy trình chưa cập nhật"}],
    }
    assert seeded.scalars(select(TaskDraft)).all() == []


def test_a_draft_is_kept_and_shown_again(login: Login, form_process: int) -> None:
    client = login("demo.officer")
    response = _post(client, form_process, {"action": "draft", "f.auditor": "Nháp", "f.audit_date": "01/02/2024"})
    assert response.status_code == 302  # type: ignore[attr-defined]
    html = client.get(f"/tasks/{form_process}").get_data(as_text=True)
    assert 'value="Nháp"' in html and 'value="01/02/2024"' in html and "Bản nháp đã lưu lúc" in html


def test_a_file_input_stores_an_attachment_and_submits_its_id(login: Login, form_process: int, seeded: Session) -> None:
    import io

    client = login("demo.officer")
    response = _post(client, form_process, {
        "action": "draft", "f.evidence": (io.BytesIO(b"%PDF-1.4 report"), "Báo cáo.pdf"),
    })
    assert response.status_code == 302  # type: ignore[attr-defined]
    draft = seeded.scalars(select(TaskDraft.data)).one()
    assert isinstance(draft["evidence"], int)
    html = client.get(f"/tasks/{form_process}").get_data(as_text=True)
    assert "Báo cáo.pdf" in html and f'name="f.evidence" value="{draft["evidence"]}"' in html


def test_a_stale_version_is_a_conflict(login: Login, form_process: int) -> None:
    client = login("demo.officer")
    response = _post(client, form_process, {"action": "complete", "version": "99", "f.auditor": "Lê Văn Cường",
                                            "f.audit_date": "15/03/2024", "f.nonconformities": "0", "f.result": "dat"})
    assert response.status_code == 409  # type: ignore[attr-defined]
    assert "vui lòng tải lại" in response.get_data(as_text=True)  # type: ignore[attr-defined]

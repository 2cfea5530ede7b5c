"""iso_management_review, iso_republish and iso_legal_update on their own."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.errors import Forbidden
from models import QmsAnnouncement, QmsDocument, QmsLegalUpdate, QmsManagementReview
from tests.processes import data as d
from tests.processes.conftest import Scenario, vn

LEGAL = {"legal_number": "05/2024/TT-BKHCN", "legal_title": "Thông tư sửa đổi thủ tục", "effective_date": "2024-01-31",
         "source": "one_stop_system"}


def test_management_review_records_inputs_minutes_outputs(sc: Scenario) -> None:
    review = sc.start("iso_management_review")
    sc.do("demo.officer", review, "review_inputs", d.REVIEW_INPUTS)
    sc.do("demo.officer", review, "review_minutes", d.REVIEW_MINUTES)
    with pytest.raises(Forbidden):
        sc.do("demo.officer", review, "approve_review", d.APPROVE_REVIEW)
    sc.do("demo.head", review, "approve_review", {"review_approved": False, "comment": "Bổ sung thời hạn"})
    assert sc.ready_specs(review) == ["review_minutes"]
    sc.do("demo.officer", review, "review_minutes", d.REVIEW_MINUTES)
    sc.do("demo.head", review, "approve_review", d.APPROVE_REVIEW)
    assert sc.status(review) == "completed"
    row = sc.session.scalars(select(QmsManagementReview).where(QmsManagementReview.instance_id == review)).one()
    assert row.status == "approved" and row.chaired_by == "Trần Thị Bình"
    assert row.inputs and set(d.REVIEW_INPUTS) <= set(row.inputs)
    assert [o["kind"] for o in row.outputs or []] == ["improvement", "resource_need"]


def test_reannouncement_after_a_merger(sc: Scenario) -> None:
    republish = sc.start("iso_republish", code="VL-049")
    data = dict(d.PREPARE_ANNOUNCEMENT, announcement_kind="reorganized", reason="Sáp nhập xã")
    sc.do("demo.commune.officer", republish, "prepare_announcement", data)
    with pytest.raises(Forbidden):
        sc.do("demo.commune.officer", republish, "sign_announcement", d.SIGN_ANNOUNCEMENT)
    sc.do("demo.commune.head", republish, "sign_announcement", {"announcement_signed": False, "comment": "Sửa phạm vi"})
    sc.do("demo.commune.officer", republish, "prepare_announcement", data)
    sc.do("demo.commune.head", republish, "sign_announcement", d.SIGN_ANNOUNCEMENT)
    sc.do("demo.commune.officer", republish, "notify_and_post", d.NOTIFY)
    assert sc.status(republish) == "completed"
    row = sc.session.scalars(select(QmsAnnouncement).where(QmsAnnouncement.instance_id == republish)).one()
    assert (row.kind, row.status, row.decision_number, row.notice_number) == (
        "reorganized", "published", "32/QĐ-SKHCN", "33/SKHCN-VP")


def test_legal_update_deadline_is_three_months_by_the_civil_code(sc: Scenario) -> None:
    update = sc.start("iso_legal_update")
    sc.do("demo.officer", update, "register_change", LEGAL)
    # 31/1 + 3 months = 30/4 (a holiday), 1/5 (a holiday) -> Thursday 2/5/2024.
    assert sc.timers(update) == {"update_remind_month": "waiting"}
    assert [f.spec_id for f in sc.at(vn(2024, 4, 1, 8))] == ["update_remind_month"]  # 31/3 is a Sunday
    assert [f.spec_id for f in sc.at(vn(2024, 4, 25, 8))] == ["update_remind_week"]
    assert sc.at(vn(2024, 5, 2, 16, 59)) == []
    assert [f.spec_id for f in sc.at(vn(2024, 5, 2, 17))] == ["update_overdue"]
    assert sc.ready_specs(update) == ["assess_impact", "escalate_update"]
    sc.do("demo.head", update, "escalate_update", {"reason": "Thiếu nhân sự", "instruction": "Hoàn thành trong tuần",
                                                   "expected_date": "2024-05-10"})
    sc.do("demo.officer", update, "assess_impact", {"impact_summary": "Sửa 1 quy trình", "no_change_needed": False,
                                                    "affected_documents": "QT-05"})
    sc.do("demo.officer", update, "revise_documents", {"documents": d.documents(["work_procedure"]),
                                                       "summary": "Sửa QT-05"})
    sc.do("demo.head", update, "approve_update", {"update_approved": True, "decision_number": "50/QĐ",
                                                  "decision_date": "2024-05-08", "applied_from": "2024-05-09"})
    assert sc.status(update) == "completed"
    row = sc.session.scalars(select(QmsLegalUpdate).where(QmsLegalUpdate.instance_id == update)).one()
    assert (row.status, row.escalated, row.due_at) == ("applied", True, vn(2024, 5, 2, 17))
    doc = sc.session.scalars(select(QmsDocument).where(QmsDocument.instance_id == update)).one()
    assert (doc.status, doc.approval_number) == ("issued", "50/QĐ")


def test_legal_update_in_time_ends_its_reminders(sc: Scenario) -> None:
    update = sc.start("iso_legal_update")
    sc.do("demo.officer", update, "register_change", LEGAL)
    sc.do("demo.officer", update, "assess_impact", {"impact_summary": "Không ảnh hưởng", "no_change_needed": True})
    assert sc.ready_specs(update) == ["approve_update"]
    with pytest.raises(Forbidden):
        sc.do("demo.officer", update, "approve_update", {"update_approved": True, "decision_date": "2024-02-10",
                                                         "applied_from": "2024-02-10"})
    sc.do("demo.head", update, "approve_update", {"update_approved": True, "decision_date": "2024-02-10",
                                                  "applied_from": "2024-02-10"})
    assert sc.status(update) == "completed"
    assert sc.timers(update) == {"update_remind_month": "cancelled"}
    assert sc.at(vn(2024, 6, 1)) == []

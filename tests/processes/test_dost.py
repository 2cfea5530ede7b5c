"""dost_yearly_plan (windows are start data) and dost_inspection (2-month corrective-action report)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.errors import Forbidden, ValidationFailed
from models import ProcessInstance, QmsInspection
from tests.processes import data as d
from tests.processes.conftest import Scenario, vn

TRAINING = {"events": [{"title": "Lớp tập huấn", "date": "2024-04-10", "participants": 120}]}
REPORT = {"report_number": "90/BC-SKHCN", "report_date": "2024-11-25", "summary": "Tổng hợp kết quả năm"}


def test_yearly_plan_opens_each_phase_on_its_window(sc: Scenario) -> None:
    for code in ["VL-001", "VL-002", "VL-013", "VL-049", "VL-050", "VL-051"]:
        sc.start_cycle(code)
    sc.clock.set(vn(2024, 3, 25))
    plan = sc.start("dost_yearly_plan", data={"windows": d.WINDOWS_2024})
    assert sc.ready_specs(plan) == ["deploy_plan"]
    with pytest.raises(Forbidden):
        sc.do("demo.officer", plan, "deploy_plan", {})
    sc.do("demo.supervisor", plan, "deploy_plan", {
        "plan_decision_number": "551/QĐ-UBND", "plan_decision_date": "2024-03-22", "guidance_number": "300/SKHCN",
        "guidance_date": "2024-03-25", "agency_count": 143})
    assert sc.ready_specs(plan) == ["iso18091_workshop", "organize_training", "train_auditors"], "March window is open"
    assert [f.spec_id for f in sc.at(vn(2024, 6, 3, 8))] == ["wait_it_plan"]
    assert sc.ready_specs(plan) == ["iso18091_workshop", "it_plan", "organize_training", "train_auditors"]
    assert sc.at(vn(2024, 7, 31, 17)) == []
    assert [f.spec_id for f in sc.at(vn(2024, 8, 1, 8))] == ["wait_reports"]
    assert "request_reports" in sc.ready_specs(plan)
    for task in ["organize_training", "train_auditors", "iso18091_workshop"]:
        sc.do("demo.supervisor", plan, task, TRAINING)
    sc.do("demo.supervisor", plan, "it_plan", {"decision_number": "70/QĐ", "decision_date": "2024-12-20",
                                               "summary": "CNTT"})
    sc.do("demo.supervisor", plan, "request_reports", {"request_number": "400/SKHCN", "request_date": "2024-08-01",
                                                       "report_deadline": "2024-09-30", "recipients": 143})
    sc.do("demo.supervisor", plan, "collect_reports", {"reports_received": 140, "reports_expected": 143})
    assert sc.ready_specs(plan) == [], "the inspection waits for its window"
    sc.at(vn(2024, 9, 3, 8))
    with pytest.raises(ValidationFailed) as too_few:
        sc.do("demo.supervisor", plan, "plan_inspections", {"plan_number": "1", "plan_date": "2024-09-05",
                                                            "all_through_reports": True, "onsite_agencies": ["VL-049"]})
    assert "2/6" in too_few.value.message
    with pytest.raises(ValidationFailed):
        sc.do("demo.supervisor", plan, "plan_inspections", {"plan_number": "1", "plan_date": "2024-09-05",
                                                            "all_through_reports": True,
                                                            "onsite_agencies": ["XX-1", "VL-049"]})
    sc.do("demo.supervisor", plan, "plan_inspections", {"plan_number": "1", "plan_date": "2024-09-05",
                                                        "all_through_reports": True,
                                                        "onsite_agencies": ["VL-049", "VL-050"]})
    # The plan starts one inspection for each agency chosen on site; the agency's officer will see it.
    inspections = sc.session.execute(
        select(ProcessInstance.business_key, ProcessInstance.status).where(
            ProcessInstance.business_key.like("%/dost_inspection"))
    ).all()
    assert sorted(inspections) == [("VL-049/2024/dost_inspection", "running"),
                                   ("VL-050/2024/dost_inspection", "running")]
    sc.do("demo.supervisor", plan, "inspection_results", {"inspected_onsite": 2, "agencies_with_findings": 1,
                                                          "report_number": "2", "summary": "Kết quả"})
    sc.at(vn(2024, 11, 1, 8))
    assert sc.task(plan, "provincial_report").due_at == vn(2024, 12, 2, 17), "30/11 is a Saturday"
    assert [f.spec_id for f in sc.at(vn(2024, 12, 2, 17))] == ["provincial_report_due"]
    sc.do("demo.supervisor", plan, "provincial_report", REPORT)
    sc.at(vn(2024, 12, 2, 17, 30))
    sc.do("demo.supervisor", plan, "ministry_report", dict(REPORT, agencies_applying=143, agencies_announced=140))
    assert sc.status(plan) == "completed"


def inspection_to_minutes(sc: Scenario, signed_on: str = "2024-09-20") -> int:
    inspection = sc.start("dost_inspection", code="VL-049")
    sc.do("demo.supervisor", inspection, "inspection_plan", {
        "plan_number": "19/KHKT", "plan_date": "2024-09-05", "inspection_kind": "onsite", "planned_date": "2024-09-20",
        "team": [{"full_name": "Hoàng Thị Giang", "position": "Trưởng đoàn"}]})
    sc.do("demo.supervisor", inspection, "inspection_decision", {
        "decision_number": "20/QĐKT", "decision_date": "2024-09-10", "team_leader": "Hoàng Thị Giang",
        "inspection_date": "2024-09-20"})
    with pytest.raises(Forbidden):
        sc.do("demo.commune.officer", inspection, "inspection_minutes", {})
    sc.do("demo.supervisor", inspection, "inspection_minutes", {
        "minutes_signed_on": signed_on, "signed_copies": 2, "conclusion": "Chưa cập nhật văn bản mới",
        "checks": [{"item": "legal_updates", "result": "not_met"}, {"item": "scope", "result": "met"}],
        "corrective_action_required": True, "required_actions": "Cập nhật quy trình"})
    return inspection


CORRECTIVE = {"report_number": "15/BC-UBND", "report_date": "2024-11-10",
              "actions": [{"issue": "Văn bản mới", "action": "Đã cập nhật", "completed_on": "2024-11-05"}]}


def test_inspection_corrective_report_accepted_after_a_notice(sc: Scenario) -> None:
    inspection = inspection_to_minutes(sc)
    report = sc.task(inspection, "corrective_report")
    assert report.role == "iso_officer" and report.due_at == vn(2024, 11, 20, 17), "2 months after 20/9"
    sc.do("demo.commune.officer", inspection, "corrective_report", CORRECTIVE)
    sc.do("demo.supervisor", inspection, "review_corrective_report", {
        "corrective_accepted": False, "notice_date": "2024-11-15", "reasons": "Thiếu bằng chứng",
        "resubmit_by": "2024-12-06"})
    assert sc.task(inspection, "corrective_report").due_at == vn(2024, 12, 6, 17)
    sc.do("demo.commune.officer", inspection, "corrective_report", CORRECTIVE)
    sc.do("demo.supervisor", inspection, "review_corrective_report", {"corrective_accepted": True,
                                                                      "notice_date": "2024-12-10"})
    assert sc.status(inspection) == "completed"
    row = sc.session.scalars(select(QmsInspection).where(QmsInspection.instance_id == inspection)).one()
    assert (row.status, row.accepted, row.corrective_required, row.decision_number) == ("closed", True, True, "20/QĐKT")
    assert row.corrective_due_at == vn(2024, 12, 6, 17)


def test_overdue_corrective_report_is_followed_up_by_the_department(sc: Scenario) -> None:
    inspection = inspection_to_minutes(sc)
    assert [f.spec_id for f in sc.at(vn(2024, 11, 20, 17))] == ["corrective_report_overdue"]
    assert sc.ready_specs(inspection) == ["corrective_report", "follow_up_corrective"]
    assert sc.task(inspection, "follow_up_corrective").role == "supervisor"
    sc.do("demo.commune.officer", inspection, "corrective_report", CORRECTIVE)
    sc.do("demo.supervisor", inspection, "review_corrective_report", {"corrective_accepted": True,
                                                                      "notice_date": "2024-11-25"})
    assert sc.status(inspection) == "completed"
    assert ("task_cancelled", "follow_up_corrective") in sc.history(inspection)

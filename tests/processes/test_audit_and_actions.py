"""iso_internal_audit and iso_corrective_action on their own: impartiality, segregation, due dates."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.errors import Forbidden, ValidationFailed
from models import QmsCorrectiveAction, QmsFinding
from tests.processes import data as d
from tests.processes.conftest import Scenario, vn

FINDING = {"clause": "8.5", "unit": "Bộ phận một cửa", "severity": "major", "description": "Trả kết quả trễ hạn"}


def test_internal_audit_happy_path_records_findings(sc: Scenario) -> None:
    audit = sc.start("iso_internal_audit")
    sc.do("demo.officer", audit, "audit_plan", d.audit_plan())
    sc.do("demo.auditor", audit, "audit_checklist", d.checklist())
    sc.do("auditor.two", audit, "record_findings", d.findings("minor", "observation"))
    sc.do("demo.auditor", audit, "audit_report", d.AUDIT_REPORT)
    sc.do("demo.head", audit, "accept_audit_report", {"audit_report_accepted": False, "comment": "Bổ sung bằng chứng"})
    assert sc.ready_specs(audit) == ["record_findings"]
    sc.do("demo.auditor", audit, "record_findings", d.findings("major", "minor", "observation"))
    sc.do("demo.auditor", audit, "audit_report", d.AUDIT_REPORT)
    sc.do("demo.head", audit, "accept_audit_report", d.ACCEPT_AUDIT)
    assert sc.status(audit) == "completed"
    rows = sc.session.scalars(select(QmsFinding).where(QmsFinding.instance_id == audit).order_by(QmsFinding.id)).all()
    assert [(f.clause, f.severity, f.unit) for f in rows] == [
        ("7.5", "major", "Bộ phận một cửa"), ("8.5", "minor", "Bộ phận một cửa"),
        ("9.1", "observation", "Bộ phận một cửa")]


def test_plan_refuses_an_auditor_on_their_own_unit(sc: Scenario) -> None:
    audit = sc.start("iso_internal_audit")
    own_unit = [{"unit": "Văn phòng Sở", "processes": "Văn thư", "auditor": "demo.auditor", "date": "2024-05-06"}]
    with pytest.raises(ValidationFailed) as refused:
        sc.do("demo.officer", audit, "audit_plan", d.audit_plan(own_unit))
    assert "schedule.0.auditor" in refused.value.details
    assert "không được đánh giá công việc của chính đơn vị mình" in refused.value.message
    assert "own unit" in refused.value.message
    stranger = [{"unit": "Văn phòng Sở", "processes": "Văn thư", "auditor": "someone.else", "date": "2024-05-06"}]
    with pytest.raises(ValidationFailed):
        sc.do("demo.officer", audit, "audit_plan", d.audit_plan(stranger))
    assert sc.ready_specs(audit) == ["audit_plan"]


def test_results_are_recorded_only_by_the_team_and_never_on_own_unit(sc: Scenario) -> None:
    audit = sc.start("iso_internal_audit")
    sc.do("demo.officer", audit, "audit_plan", d.audit_plan())
    with pytest.raises(Forbidden) as outsider:
        sc.do("officer.auditor", audit, "audit_checklist", d.checklist())
    assert "không thuộc đoàn đánh giá" in outsider.value.message
    with pytest.raises(ValidationFailed) as own:
        sc.do("demo.auditor", audit, "audit_checklist", d.checklist(unit="Văn phòng Sở"))
    assert "checklist.0.auditor" in own.value.details
    with pytest.raises(Forbidden):
        sc.do("demo.officer", audit, "audit_checklist", d.checklist())  # not an auditor at all
    sc.do("demo.auditor", audit, "audit_checklist", d.checklist())
    assert sc.ready_specs(audit) == ["record_findings"]


def corrective_action(sc: Scenario, due: str = "2024-06-28") -> int:
    action = sc.start("iso_corrective_action", data={"finding": FINDING})
    sc.do("demo.officer", action, "immediate_correction", d.CORRECTION)
    sc.do("demo.officer", action, "root_cause", d.ROOT_CAUSE)
    sc.do("demo.officer", action, "action_plan", d.action_plan(due))
    return action


def test_corrective_action_is_verified_by_someone_other_than_its_implementer(sc: Scenario) -> None:
    action = corrective_action(sc)
    sc.do("officer.auditor", action, "implement_action", d.IMPLEMENT)
    with pytest.raises(Forbidden) as refused:
        sc.do("officer.auditor", action, "verify_effectiveness", d.verify())
    assert "phải khác người đã thực hiện" in refused.value.message and "someone other" in refused.value.message
    sc.do("demo.auditor", action, "verify_effectiveness", d.verify(ok=False))
    record = sc.session.scalars(select(QmsCorrectiveAction).where(QmsCorrectiveAction.instance_id == action)).one()
    assert record.status == "reopened" and record.effective is False
    assert sc.ready_specs(action) == ["root_cause"], "an ineffective action goes back to the cause"
    sc.do("demo.officer", action, "root_cause", d.ROOT_CAUSE)
    sc.do("demo.officer", action, "action_plan", d.action_plan("2024-07-31"))
    sc.do("demo.officer", action, "implement_action", d.IMPLEMENT)
    with pytest.raises(Forbidden):
        sc.do("demo.officer", action, "verify_effectiveness", d.verify())  # an officer is no auditor
    sc.do("officer.auditor", action, "verify_effectiveness", d.verify())  # the latest implementer was someone else
    sc.session.refresh(record)
    assert (record.status, record.clause, record.severity, record.implemented_by, record.verified_by) == (
        "closed", "8.5", "major", "demo.officer", "officer.auditor")
    assert sc.status(action) == "completed"


def test_due_date_escalates_to_the_head_and_the_action_stays_open(sc: Scenario) -> None:
    action = corrective_action(sc, due="2024-06-28")
    implement = sc.task(action, "implement_action")
    assert implement.due_at == vn(2024, 6, 28, 17)
    assert sc.at(vn(2024, 6, 28, 16, 59)) == []
    assert [f.spec_id for f in sc.at(vn(2024, 6, 28, 17))] == ["action_overdue"]
    assert sc.ready_specs(action) == ["escalate_action", "implement_action"]
    assert sc.task(action, "escalate_action").role == "agency_head"
    sc.do("demo.officer", action, "implement_action", d.IMPLEMENT)
    sc.do("demo.auditor", action, "verify_effectiveness", d.verify())
    assert sc.status(action) == "completed"
    assert ("task_cancelled", "escalate_action") in sc.history(action), "closing the action ends the open escalation"

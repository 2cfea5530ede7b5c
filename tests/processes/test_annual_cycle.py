"""iso_annual_cycle end to end: the agency's year, its report deadline, roles and typed records."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.errors import Forbidden, NotFound, ValidationFailed
from models import QmsAnnouncement, QmsCorrectiveAction, QmsDocument, QmsFinding, QmsManagementReview, QmsYearlyReport
from tests.processes import data as d
from tests.processes.conftest import Scenario, vn


def run_to_audit(sc: Scenario, cycle: int, *, scope_status: str = "first") -> None:
    sc.do("demo.officer", cycle, "check_steering_committee", d.committee(exists=False))
    sc.do("demo.head", cycle, "sign_steering_decision", {"decision_number": "10/QĐ-SKHCN",
                                                         "decision_date": "2024-01-10"})
    sc.do("demo.officer", cycle, "build_documents", d.build(scope_status))
    sc.do("demo.head", cycle, "approve_documents", d.approve())
    sc.do("demo.officer", cycle, "apply_system", d.APPLY)


def run_audit(sc: Scenario, cycle: int, *severities: str) -> None:
    sc.do("demo.officer", cycle, "audit_plan", d.audit_plan())
    sc.do("demo.auditor", cycle, "audit_checklist", d.checklist())
    sc.do("demo.auditor", cycle, "record_findings", d.findings(*severities))
    sc.do("demo.auditor", cycle, "audit_report", d.AUDIT_REPORT)
    sc.do("demo.head", cycle, "accept_audit_report", d.ACCEPT_AUDIT)


def run_corrective_action(sc: Scenario, cycle: int, task_id: int, verifier: str = "demo.auditor") -> None:
    """Take one corrective action (started by its immediate-correction task) to closure."""
    before = {t.id for t in sc.ready(cycle)}
    sc.do("demo.officer", cycle, "immediate_correction", d.CORRECTION, task_id=task_id)
    step = next(t for t in sc.ready(cycle) if t.id not in before and t.spec_id == "root_cause")
    steps = [("root_cause", d.ROOT_CAUSE), ("action_plan", d.action_plan()), ("implement_action", d.IMPLEMENT)]
    for spec, payload in steps:
        assert step.spec_id == spec
        before = {t.id for t in sc.ready(cycle)}
        sc.do("demo.officer", cycle, spec, payload, task_id=step.id)
        step = next(t for t in sc.ready(cycle) if t.id not in before)
    assert step.spec_id == "verify_effectiveness"
    sc.do(verifier, cycle, "verify_effectiveness", d.verify(), task_id=step.id)


def run_review_to_report(sc: Scenario, cycle: int, *, announce: bool = True, stop_before_report: bool = False) -> None:
    sc.do("demo.officer", cycle, "review_inputs", d.REVIEW_INPUTS)
    sc.do("demo.officer", cycle, "review_minutes", d.REVIEW_MINUTES)
    sc.do("demo.head", cycle, "approve_review", d.APPROVE_REVIEW)
    sc.do("demo.head", cycle, "confirm_effectiveness", d.CONFIRM)
    if announce:
        sc.do("demo.officer", cycle, "prepare_announcement", d.PREPARE_ANNOUNCEMENT)
        sc.do("demo.head", cycle, "sign_announcement", d.SIGN_ANNOUNCEMENT)
        sc.do("demo.officer", cycle, "notify_and_post", d.NOTIFY)
    if stop_before_report:
        return
    sc.do("demo.officer", cycle, "prepare_report", d.PREPARE_REPORT)
    sc.do("demo.head", cycle, "submit_report", d.SUBMIT_REPORT)


def test_first_task_is_the_officers_and_visible_in_their_inbox(sc: Scenario) -> None:
    from engine.accounts import actor_by_username
    from engine.task_queries import inbox

    cycle = sc.start_cycle()
    assert sc.ready_specs(cycle) == ["check_steering_committee"]
    mine = inbox(sc.session, actor_by_username(sc.session, "demo.officer"))
    assert [t.spec_id for t in mine] == ["check_steering_committee"]
    assert mine[0].business_key == "VL-013/2024"


def test_happy_path_with_two_nonconformities(sc: Scenario) -> None:
    cycle = sc.start_cycle()
    run_to_audit(sc, cycle)
    run_audit(sc, cycle, "major", "observation", "minor")
    corrective = [t for t in sc.ready(cycle) if t.spec_id == "immediate_correction"]
    assert len(corrective) == 2, "one corrective action per nonconformity, none for the observation"
    for task in corrective:
        run_corrective_action(sc, cycle, task.id)
    run_review_to_report(sc, cycle)

    assert sc.status(cycle) == "completed"
    assert sc.timers(cycle) == {"report_reminder_month": "cancelled", "action_overdue": "cancelled"}, (
        "closing an action ends its due-date timer; submitting the report ends the deadline watcher")
    s = sc.session
    docs = s.scalars(select(QmsDocument).where(QmsDocument.instance_id == cycle)).all()
    assert {x.status for x in docs if x.record_key == "documents"} == {"issued"}
    assert len([x for x in docs if x.record_key == "documents"]) == len(d.MANDATORY)
    assert [x.approval_number for x in docs if x.kind == "steering_decision"] == ["10/QĐ-SKHCN"]
    found = s.scalars(select(QmsFinding).where(QmsFinding.instance_id == cycle).order_by(QmsFinding.id)).all()
    assert [(f.clause, f.severity) for f in found] == [("7.5", "major"), ("8.5", "observation"), ("9.1", "minor")]
    actions = s.scalars(select(QmsCorrectiveAction).where(QmsCorrectiveAction.instance_id == cycle)).all()
    assert sorted((a.clause, a.severity, a.status, a.implemented_by, a.verified_by) for a in actions) == [
        ("7.5", "major", "closed", "demo.officer", "demo.auditor"),
        ("9.1", "minor", "closed", "demo.officer", "demo.auditor"),
    ]
    assert len({a.scope for a in actions}) == 2
    review = s.scalars(select(QmsManagementReview).where(QmsManagementReview.instance_id == cycle)).one()
    assert review.status == "approved" and len(review.outputs or []) == 2 and review.inputs is not None
    announcement = s.scalars(select(QmsAnnouncement).where(QmsAnnouncement.instance_id == cycle)).one()
    assert (announcement.kind, announcement.decision_number, announcement.status) == (
        "first", "32/QĐ-SKHCN", "published")
    report = s.scalars(select(QmsYearlyReport).where(QmsYearlyReport.instance_id == cycle)).one()
    assert (report.status, report.report_number) == ("submitted", "40/BC-SKHCN")
    assert report.due_at == vn(2024, 9, 30, 17) and report.outline and report.outline["internal_audit_done"] is True


def test_rejections_loop_back(sc: Scenario) -> None:
    cycle = sc.start_cycle()
    sc.do("demo.officer", cycle, "check_steering_committee", d.committee())
    assert sc.ready_specs(cycle) == ["build_documents"], "a committee in place needs no new decision"
    sc.do("demo.officer", cycle, "build_documents", d.build("unchanged", "update", kinds=["work_procedure"]))
    sc.do("demo.head", cycle, "approve_documents", d.approve(ok=False))
    assert sc.ready_specs(cycle) == ["build_documents"]
    sc.do("demo.officer", cycle, "build_documents", d.build("unchanged", "update", kinds=["work_procedure", "scope"]))
    docs = sc.session.scalars(select(QmsDocument).where(QmsDocument.instance_id == cycle)).all()
    assert sorted(x.kind for x in docs) == ["scope", "work_procedure"], "a resubmission replaces the draft list"
    sc.do("demo.head", cycle, "approve_documents", d.approve())
    sc.do("demo.officer", cycle, "apply_system", d.APPLY)
    run_audit(sc, cycle)
    assert sc.ready_specs(cycle) == ["review_inputs"], "no nonconformity, no corrective action"
    sc.do("demo.officer", cycle, "review_inputs", d.REVIEW_INPUTS)
    sc.do("demo.officer", cycle, "review_minutes", d.REVIEW_MINUTES)
    sc.do("demo.head", cycle, "approve_review", d.APPROVE_REVIEW)
    sc.do("demo.head", cycle, "confirm_effectiveness", d.CONFIRM)
    assert sc.ready_specs(cycle) == ["prepare_report"], "scope unchanged: no re-announcement"
    sc.do("demo.officer", cycle, "prepare_report", d.PREPARE_REPORT)
    sc.do("demo.head", cycle, "submit_report", {"report_signed": False, "comment": "Bổ sung số liệu"})
    assert sc.ready_specs(cycle) == ["prepare_report"]


def test_report_deadline_reminds_then_escalates_to_head_and_supervisor(sc: Scenario) -> None:
    cycle = sc.start_cycle()
    assert sc.timers(cycle) == {"report_reminder_month": "waiting"}
    assert sc.at(vn(2024, 8, 30, 7, 59)) == []
    fired = sc.at(vn(2024, 8, 30, 8, 0))  # 30 days before 30/9 is Sat 31/8 -> 1/9 Sun, 2-3/9 holidays -> Wed 4/9?
    assert fired == [], "the first reminder waits for the first working day on or after 31 August"
    fired = sc.at(vn(2024, 9, 4, 8, 0))
    assert [f.spec_id for f in fired] == ["report_reminder_month"]
    fired = sc.at(vn(2024, 9, 23, 8, 0))
    assert [f.spec_id for f in fired] == ["report_reminder_week"]
    assert sc.ready_specs(cycle) == ["check_steering_committee"], "reminders create no work items"
    fired = sc.at(vn(2024, 9, 30, 17, 0))
    assert [f.spec_id for f in fired] == ["report_overdue"]
    assert sc.ready_specs(cycle) == ["check_steering_committee", "escalate_report_head", "follow_up_report"]
    follow_up = sc.task(cycle, "follow_up_report")
    assert follow_up.role == "supervisor" and sc.task(cycle, "escalate_report_head").role == "agency_head"
    sc.do("demo.supervisor", cycle, "follow_up_report", {"reminder_number": "99/SKHCN-TĐC",
                                                         "reminder_date": "2024-10-01"})
    sc.do("demo.head", cycle, "escalate_report_head", {"reason": "Chậm đánh giá nội bộ",
                                                       "instruction": "Hoàn thành ngay",
                                                       "expected_date": "2024-10-15"})
    report = sc.session.scalars(select(QmsYearlyReport).where(QmsYearlyReport.instance_id == cycle)).one()
    assert report.escalated is True
    assert sc.status(cycle) == "running", "the cycle goes on after the escalation"
    assert ("timer_fired", "report_overdue") in sc.history(cycle)


def test_submitting_the_report_cancels_open_escalations(sc: Scenario) -> None:
    cycle = sc.start_cycle()
    run_to_audit(sc, cycle, scope_status="unchanged")
    sc.at(vn(2024, 10, 1, 8, 0))
    assert "follow_up_report" in sc.ready_specs(cycle)
    run_audit(sc, cycle)
    run_review_to_report(sc, cycle, announce=False)
    assert sc.status(cycle) == "completed"
    assert ("task_cancelled", "follow_up_report") in sc.history(cycle)
    assert ("task_cancelled", "escalate_report_head") in sc.history(cycle)


def test_heads_task_cannot_be_completed_by_the_officer(sc: Scenario) -> None:
    cycle = sc.start_cycle()
    sc.do("demo.officer", cycle, "check_steering_committee", d.committee(exists=False))
    with pytest.raises(Forbidden):
        sc.do("demo.officer", cycle, "sign_steering_decision", {"decision_number": "1", "decision_date": "2024-01-10"})
    with pytest.raises((Forbidden, NotFound)):  # another agency's head does not even see the task
        sc.do("demo.commune.head", cycle, "sign_steering_decision",
              {"decision_number": "1", "decision_date": "2024-01-10"})
    assert sc.ready_specs(cycle) == ["sign_steering_decision"]


def test_first_year_documents_must_cover_the_framework_model(sc: Scenario) -> None:
    cycle = sc.start_cycle()
    sc.do("demo.officer", cycle, "check_steering_committee", d.committee())
    with pytest.raises(ValidationFailed) as refused:
        sc.do("demo.officer", cycle, "build_documents", d.build(kinds=["scope", "quality_policy"]))
    assert "documents" in refused.value.details and "internal_audit" in refused.value.message
    with pytest.raises(ValidationFailed) as invalid:
        sc.do("demo.officer", cycle, "build_documents", {"work_kind": "build"})
    assert "summary" in invalid.value.details
    assert sc.session.scalars(select(QmsDocument)).all() == []
    assert sc.ready_specs(cycle) == ["build_documents"]


def test_report_tasks_carry_the_report_due_date(sc: Scenario) -> None:
    # The report tasks have no timer of their own: their `due` property names the report_due variable.
    cycle = sc.start_cycle()
    run_to_audit(sc, cycle)
    run_audit(sc, cycle)
    run_review_to_report(sc, cycle, stop_before_report=True)
    assert sc.task(cycle, "prepare_report").due_at == vn(2024, 9, 30, 17)
    sc.do("demo.officer", cycle, "prepare_report", d.PREPARE_REPORT)
    assert sc.task(cycle, "submit_report").due_at == vn(2024, 9, 30, 17)


def test_a_cycle_started_after_its_deadlines_records_every_timer_once(sc: Scenario) -> None:
    # Loading a past year: the reminders and the overdue deadline pass during the start itself.
    sc.clock.set(vn(2024, 10, 15))
    cycle = sc.start_cycle()
    assert sc.timers(cycle) == {"report_reminder_month": "fired", "report_reminder_week": "fired",
                                "report_overdue": "fired"}
    fired = sorted(spec or "" for _, spec in sc.history(cycle, "timer_fired"))
    assert fired == ["report_overdue", "report_reminder_month", "report_reminder_week"]
    assert sc.ready_specs(cycle) == ["check_steering_committee", "escalate_report_head", "follow_up_report"]
    # The parallel report watcher is not the first task's deadline.
    assert sc.task(cycle, "check_steering_committee").due_at is None

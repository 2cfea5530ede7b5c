"""The seed plan's 143 agencies run their 2024 cycle from start to report submitted."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from engine import instances, tasks
from engine.accounts import actor_by_username, create_user
from engine.clock import VirtualClock
from models import Agency, HumanTask, ProcessInstance, QmsYearlyReport, RoleMembership
from tests.processes import data as d
from tests.processes.conftest import vn

ROLES = {"province.officer": "iso_officer", "province.head": "agency_head", "province.auditor": "internal_auditor"}
LEAN_AUDIT_PLAN = dict(d.audit_plan(),
                       team=[{"username": "province.auditor", "full_name": "Chuyên gia", "unit": "Văn phòng"}],
                       schedule=[{"unit": "Bộ phận một cửa", "processes": "Tiếp nhận hồ sơ",
                                  "auditor": "province.auditor", "date": "2024-05-06"}])
STEPS: dict[str, tuple[str, dict[str, Any]]] = {
    "check_steering_committee": ("province.officer", d.committee()),
    "build_documents": ("province.officer", d.build("unchanged", "update", kinds=["work_procedure"])),
    "approve_documents": ("province.head", d.approve()),
    "apply_system": ("province.officer", d.APPLY),
    "audit_plan": ("province.officer", LEAN_AUDIT_PLAN),
    "audit_checklist": ("province.auditor", d.checklist("province.auditor")),
    "record_findings": ("province.auditor", {"findings": []}),
    "audit_report": ("province.auditor", d.AUDIT_REPORT),
    "accept_audit_report": ("province.head", d.ACCEPT_AUDIT),
    "review_inputs": ("province.officer", d.REVIEW_INPUTS),
    "review_minutes": ("province.officer", d.REVIEW_MINUTES),
    "approve_review": ("province.head", d.APPROVE_REVIEW),
    "confirm_effectiveness": ("province.head", d.CONFIRM),
    "prepare_report": ("province.officer", d.PREPARE_REPORT),
    "submit_report": ("province.head", d.SUBMIT_REPORT),
}


def test_every_agency_of_the_plan_submits_its_report(seeded: Any, clock: VirtualClock) -> None:
    session = seeded
    agencies = list(session.scalars(select(Agency)))
    assert len(agencies) == 143
    for username, role in ROLES.items():
        user = create_user(session, clock.now(), username, username, "secret-pass")
        session.add_all(RoleMembership(user_id=user.id, agency_id=a.id, role=role) for a in agencies)
    session.commit()
    actors = {name: actor_by_username(session, name) for name in ROLES}

    started = instances.start_cycle(session, clock, 2024)
    session.commit()
    assert len(started) == 143 and instances.start_cycle(session, clock, 2024) == []
    clock.set(vn(2024, 8, 1))
    for spec_id, (username, payload) in STEPS.items():
        ready = session.scalars(select(HumanTask.id).where(HumanTask.status == "ready", HumanTask.spec_id == spec_id))
        ids = list(ready)
        assert len(ids) == 143, spec_id
        for task_id in ids:
            tasks.complete_task(session, clock, actors[username], task_id, payload)
            session.commit()

    statuses = session.execute(select(ProcessInstance.status, func.count()).group_by(ProcessInstance.status)).all()
    assert statuses == [("completed", 143)]
    reports = select(func.count()).select_from(QmsYearlyReport).where(QmsYearlyReport.status == "submitted")
    submitted = session.scalar(reports)
    assert submitted == 143
    assert session.scalar(select(func.count()).select_from(HumanTask).where(HumanTask.status == "ready")) == 0

"""The engine use cases on a real (SQLite) database: deploy, start, inbox, complete, timers."""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import definitions, instances, task_queries, tasks, timers
from engine.accounts import actor_by_username
from engine.clock import VIETNAM, VirtualClock
from engine.errors import Conflict, Forbidden, InvalidDefinition, NotFound, ValidationFailed, WorkflowFailed
from engine.seed import seed_agencies, seed_demo_accounts
from engine.spiff.serializer import state_json
from models import HistoryEvent, HumanTask, ProcessDefinition, ProcessInstance, Timer
from tests.helpers import FIXTURE_PROCESSES, database_snapshot

DEMO = FIXTURE_PROCESSES / "engine_demo"


@pytest.fixture
def demo(session: Session, clock: VirtualClock) -> Session:
    """Agencies, demo accounts and the engine_demo test process, committed."""
    seed_agencies(session)
    seed_demo_accounts(session, clock)
    definitions.deploy_folder(session, clock, DEMO, "test")
    session.commit()
    return session


def start_demo(session: Session, clock: VirtualClock, code: str = "VL-013", year: int = 2024) -> int:
    agency = instances.agency_by_code(session, code)
    result = instances.start_instance(session, clock, "engine_demo", agency, year, key=f"{code}/{year}/engine_demo")
    session.commit()
    return result.instance_id


def first_task(session: Session, username: str) -> int:
    inbox = task_queries.inbox(session, actor_by_username(session, username))
    assert inbox, f"{username} has no task"
    return inbox[0].id


def test_deploy_is_versioned_and_idempotent(demo: Session, clock: VirtualClock, tmp_path: Path) -> None:
    again = definitions.deploy_folder(demo, clock, DEMO, "test")
    assert [(r.key, r.version, r.created) for r in again] == [("engine_demo", 1, False)]
    running = start_demo(demo, clock)

    changed = tmp_path / "engine_demo"
    shutil.copytree(DEMO, changed)
    bpmn = changed / "engine_demo.bpmn"
    bpmn.write_text(
        bpmn.read_text(encoding="utf-8").replace("Chuẩn bị hồ sơ", "Chuẩn bị hồ sơ (bản 2)"), encoding="utf-8"
    )
    result = definitions.deploy_folder(demo, clock, changed, "test")
    demo.commit()
    assert [(r.version, r.created) for r in result] == [(2, True)]

    # The running instance stays on version 1; a new instance gets version 2.
    assert instances.instance_detail(demo, running).instance.definition_version == 1
    newer = start_demo(demo, clock, code="VL-014")
    assert instances.instance_detail(demo, newer).instance.definition_version == 2
    assert task_queries.tasks_of_instance(demo, newer)[0].name == "Chuẩn bị hồ sơ (bản 2)"


def test_start_is_idempotent_per_business_key(demo: Session, clock: VirtualClock) -> None:
    first = start_demo(demo, clock)
    second = start_demo(demo, clock)
    assert first == second
    assert demo.scalar(select(func.count()).select_from(ProcessInstance)) == 1


def test_happy_path_moves_through_lanes_and_completes(demo: Session, clock: VirtualClock) -> None:
    instance_id = start_demo(demo, clock)
    assert task_queries.inbox(demo, actor_by_username(demo, "demo.head")) == []
    officer = actor_by_username(demo, "demo.officer")
    task_id = first_task(demo, "demo.officer")
    ready = tasks.complete_task(demo, clock, officer, task_id, {"pages": 5, "summary": "Hồ sơ", "divisor": 2})
    demo.commit()
    assert [(t.spec_id, t.role) for t in ready] == [("approve", "agency_head")]
    assert task_queries.inbox(demo, officer) == []

    head = actor_by_username(demo, "demo.head")
    assert tasks.complete_task(demo, clock, head, first_task(demo, "demo.head"), {"approved": True}) == []
    demo.commit()
    detail = instances.instance_detail(demo, instance_id)
    assert detail.instance.status == "completed"
    kinds = [h.kind for h in detail.history]
    assert kinds.count("task_completed") == 2 and kinds[-1] == "instance_completed"
    # The non-interrupting deadline timer was withdrawn with its task.
    assert [t.status for t in detail.timers] == ["cancelled"]
    completed = next(h for h in detail.history if h.kind == "task_completed")
    assert completed.actor == "demo.officer" and completed.data["pages"] == 5


def test_task_is_due_with_its_boundary_timer(demo: Session, clock: VirtualClock) -> None:
    instance_id = start_demo(demo, clock)
    task = task_queries.tasks_of_instance(demo, instance_id)[0]
    assert task.due_at == datetime(2024, 3, 31, 17, 0, tzinfo=VIETNAM)


def test_timer_fires_once_when_due(demo: Session, clock: VirtualClock) -> None:
    instance_id = start_demo(demo, clock)
    due = datetime(2024, 3, 31, 17, 0, tzinfo=VIETNAM)
    assert timers.fire_due(demo, due - timedelta(seconds=1)) == []
    fired = timers.fire_due(demo, due)
    demo.commit()
    assert [(f.spec_id, f.ok) for f in fired] == [("prepare_deadline", True)]
    assert timers.fire_due(demo, due + timedelta(days=30)) == []
    detail = instances.instance_detail(demo, instance_id)
    assert [h.kind for h in detail.history].count("timer_fired") == 1
    # Non-interrupting: the officer's task is still open after the deadline.
    assert [t.spec_id for t in detail.tasks if t.status == "ready"] == ["prepare"]


def test_suspend_resume_cancel(demo: Session, clock: VirtualClock) -> None:
    instance_id = start_demo(demo, clock)
    head = actor_by_username(demo, "demo.head")
    officer = actor_by_username(demo, "demo.officer")
    with pytest.raises(Forbidden):
        instances.set_status(demo, clock, instance_id, "suspend", actor=officer)
    instances.set_status(demo, clock, instance_id, "suspend", actor=head)
    demo.commit()
    with pytest.raises(Conflict):
        tasks.complete_task(demo, clock, officer, first_task(demo, "demo.officer"), {"pages": 1, "summary": "x"})
    demo.rollback()
    # A suspended instance's timers wait: nothing fires for it.
    assert timers.fire_due(demo, datetime(2024, 4, 1, tzinfo=VIETNAM)) == []
    instances.set_status(demo, clock, instance_id, "resume", actor=head)
    instances.set_status(demo, clock, instance_id, "cancel", actor=head, reason="trùng hồ sơ")
    demo.commit()
    detail = instances.instance_detail(demo, instance_id)
    assert detail.instance.status == "cancelled"
    assert [t.status for t in detail.tasks] == ["cancelled"]
    assert [t.status for t in detail.timers] == ["cancelled"]


def test_claim_and_release(demo: Session, clock: VirtualClock) -> None:
    start_demo(demo, clock)
    officer = actor_by_username(demo, "demo.officer")
    task_id = first_task(demo, "demo.officer")
    assert tasks.claim(demo, clock, officer, task_id).assignee == "demo.officer"
    assert tasks.release(demo, clock, officer, task_id).assignee is None


def test_unassignable_task_is_visible(demo: Session, clock: VirtualClock) -> None:
    # VL-020 has nobody holding the officer role: its task is flagged, not lost.
    instance_id = start_demo(demo, clock, code="VL-020")
    detail = instances.instance_detail(demo, instance_id)
    assert [t.unassignable for t in detail.tasks] == [True]
    assert instance_id in {t.instance_id for t in task_queries.unassignable_tasks(demo)}
    # VL-013 has an officer: not unassignable.
    assert all(not t.unassignable for t in task_queries.tasks_of_instance(demo, start_demo(demo, clock)))


# --- Bad input: a clear error and the database left exactly as it was -------------------------


@pytest.mark.parametrize(
    ("username", "task", "data", "error"),
    [
        ("demo.officer", "missing", {"pages": 1, "summary": "x"}, NotFound),
        ("demo.commune.officer", "first", {"pages": 1, "summary": "x"}, Forbidden),
        ("demo.head", "first", {"pages": 1, "summary": "x"}, Forbidden),
        ("demo.officer", "first", {"pages": "many", "summary": "x"}, ValidationFailed),
        ("demo.officer", "first", {"pages": 3}, ValidationFailed),
        ("demo.officer", "first", ["not", "an", "object"], ValidationFailed),
        ("demo.officer", "first", {"pages": 1, "summary": "x", "divisor": 0}, WorkflowFailed),
    ],
    ids=["unknown-task", "other-agency", "wrong-role", "wrong-type", "missing-field", "not-object", "script-error"],
)
def test_refused_completion_changes_nothing(
    demo: Session, clock: VirtualClock, username: str, task: str, data: object, error: type[Exception]
) -> None:
    start_demo(demo, clock)
    task_id = 999_999 if task == "missing" else first_task(demo, "demo.officer")
    if error is WorkflowFailed:
        # The division by zero happens in the head's script step: get there first.
        officer = actor_by_username(demo, "demo.officer")
        tasks.complete_task(demo, clock, officer, task_id, data)
        demo.commit()
        username, task_id, data = "demo.head", first_task(demo, "demo.head"), {"approved": True}
    before = database_snapshot(demo)
    with pytest.raises(error) as raised:
        tasks.complete_task(demo, clock, actor_by_username(demo, username), task_id, data)
    demo.rollback()
    assert str(raised.value)
    assert database_snapshot(demo) == before


def test_field_errors_are_reported_per_field(demo: Session, clock: VirtualClock) -> None:
    start_demo(demo, clock)
    with pytest.raises(ValidationFailed) as raised:
        tasks.complete_task(
            demo,
            clock,
            actor_by_username(demo, "demo.officer"),
            first_task(demo, "demo.officer"),
            {"pages": 0, "extra": 1},
        )
    assert set(raised.value.details) == {"pages", "summary", "extra"}
    assert "bắt buộc" in raised.value.details["summary"]


def test_completing_twice_and_stale_version_conflict(demo: Session, clock: VirtualClock) -> None:
    instance_id = start_demo(demo, clock)
    officer = actor_by_username(demo, "demo.officer")
    task_id = first_task(demo, "demo.officer")
    version = instances.instance_detail(demo, instance_id).instance.version
    tasks.complete_task(demo, clock, officer, task_id, {"pages": 1, "summary": "x"}, expected_version=version)
    demo.commit()
    before = database_snapshot(demo)
    with pytest.raises(Conflict):
        tasks.complete_task(demo, clock, officer, task_id, {"pages": 1, "summary": "x"})
    demo.rollback()
    head = actor_by_username(demo, "demo.head")
    with pytest.raises(Conflict, match="phiên bản"):
        tasks.complete_task(
            demo, clock, head, first_task(demo, "demo.head"), {"approved": True}, expected_version=version
        )
    demo.rollback()
    assert database_snapshot(demo) == before


def test_history_is_append_only(demo: Session, clock: VirtualClock) -> None:
    start_demo(demo, clock)
    event = demo.scalars(select(HistoryEvent)).first()
    assert event is not None
    event.kind = "rewritten"
    with pytest.raises(PermissionError):
        demo.flush()
    demo.rollback()


def test_projection_rows_match_workflow(demo: Session, clock: VirtualClock) -> None:
    instance_id = start_demo(demo, clock)
    assert demo.scalar(select(func.count()).select_from(HumanTask).where(HumanTask.instance_id == instance_id)) == 1
    assert demo.scalar(select(func.count()).select_from(Timer).where(Timer.instance_id == instance_id)) == 1
    state = demo.scalar(select(ProcessInstance.state).where(ProcessInstance.id == instance_id))
    assert state is not None and '"spec"' not in state_json(state) and len(state) < 8 * 1024


def test_deploy_folder_errors(demo: Session, clock: VirtualClock, tmp_path: Path) -> None:
    with pytest.raises(NotFound):
        definitions.deploy_folder(demo, clock, tmp_path / "nowhere", "test")
    with pytest.raises(InvalidDefinition, match="no process folders"):
        definitions.deploy_folder(demo, clock, tmp_path, "test")
    assert demo.scalar(select(func.count()).select_from(ProcessDefinition)) == 1


def test_row_errors_name_the_row() -> None:
    from engine.forms import validate_submission

    form = {"schema": {"type": "object", "properties": {"rows": {"type": "array", "items": {
        "type": "object", "required": ["clause"], "properties": {"clause": {"type": "string"}}}}}}}
    with pytest.raises(ValidationFailed) as raised:
        validate_submission(form, {"rows": [{"clause": "9.2"}, {}]})
    assert list(raised.value.details) == ["rows.1.clause"]

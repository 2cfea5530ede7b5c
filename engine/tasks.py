"""Use cases on human tasks: inbox, claim, release, complete."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, and_, exists, false, or_, select
from sqlalchemy.orm import Session, aliased

from engine.access import can_read_instance
from engine.clock import Clock
from engine.definitions import form_of, parsed_process
from engine.errors import Conflict, Forbidden, NotFound
from engine.forms import validate_submission
from engine.qms_records import store_records
from engine.task_rules import check_task_rules
from engine.projection import apply_snapshot, record
from engine.records import Actor, TaskRecord
from engine.spiff import runner
from models import Agency, HumanTask, ProcessDefinition, ProcessInstance, RoleMembership, User

Assignee = aliased(User)


def _task_query() -> Select[Any]:
    holder = aliased(RoleMembership)
    supervisor = aliased(RoleMembership)
    held_here = exists().where(holder.agency_id == HumanTask.agency_id, holder.role == HumanTask.role)
    any_supervisor = exists().where(supervisor.role == "supervisor")
    nobody_holds = ~or_(held_here, and_(HumanTask.role == "supervisor", any_supervisor))
    return (
        select(HumanTask, ProcessInstance.business_key, ProcessInstance.version, Agency.code, Agency.name,
               Assignee.username, nobody_holds.label("unassignable"))
        .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
        .join(Agency, Agency.id == HumanTask.agency_id)
        .outerjoin(Assignee, Assignee.id == HumanTask.assignee_id)
    )


def _to_record(row: Any) -> TaskRecord:
    task, key, version, code, agency_name, assignee, unassignable = row
    return TaskRecord(
        id=task.id, instance_id=task.instance_id, business_key=key, process_key=task.process_key,
        spec_id=task.spec_id, name=task.name, lane=task.lane, role=task.role, agency_code=code,
        agency_name=agency_name, assignee=assignee, status=task.status, due_at=task.due_at,
        created_at=task.created_at, instance_version=version,
        unassignable=bool(unassignable) and task.status == "ready" and task.assignee_id is None,
    )


def _offered_to(actor: Actor) -> Any:
    """The SQL condition 'this ready task is the actor's or offered to one of their roles'."""
    offers = [
        and_(HumanTask.agency_id == agency_id, HumanTask.role == role)
        for agency_id, role in sorted(actor.memberships)
        if role != "supervisor"
    ]
    if actor.is_supervisor:
        offers.append(HumanTask.role == "supervisor")
    unclaimed = and_(HumanTask.assignee_id.is_(None), or_(*offers)) if offers else false()
    mine = HumanTask.assignee_id == actor.user_id if actor.user_id is not None else false()
    return and_(HumanTask.status == "ready", or_(mine, unclaimed))


def inbox(session: Session, actor: Actor, *, limit: int = 50, offset: int = 0) -> list[TaskRecord]:
    """Ready tasks assigned to the actor and unclaimed tasks offered to their roles, soonest due first."""
    query = (
        _task_query()
        .where(_offered_to(actor))
        .order_by(HumanTask.due_at.is_(None), HumanTask.due_at, HumanTask.id)
        .limit(limit)
        .offset(offset)
    )
    return [_to_record(row) for row in session.execute(query)]


def tasks_of_instance(session: Session, instance_id: int) -> list[TaskRecord]:
    """Every task of an instance, oldest first."""
    query = _task_query().where(HumanTask.instance_id == instance_id).order_by(HumanTask.id)
    return [_to_record(row) for row in session.execute(query)]


def unassignable_tasks(session: Session, *, limit: int = 200) -> list[TaskRecord]:
    """Ready, unclaimed tasks whose role nobody holds in their agency (for supervisors)."""
    query = _task_query().where(HumanTask.status == "ready", HumanTask.assignee_id.is_(None))
    return [r for r in (_to_record(row) for row in session.execute(query.limit(limit * 10))) if r.unassignable][:limit]


def _load(session: Session, task_id: int) -> HumanTask:
    task = session.get(HumanTask, task_id)
    if task is None:
        raise NotFound(f"Không tìm thấy công việc {task_id} (no task {task_id})")
    return task


def get_task(session: Session, actor: Actor, task_id: int) -> TaskRecord:
    """A task the actor may see."""
    task = _load(session, task_id)
    if not can_read_instance(actor, task.agency_id):
        raise NotFound(f"Không tìm thấy công việc {task_id} (no task {task_id})")
    return _to_record(session.execute(_task_query().where(HumanTask.id == task_id)).one())


def task_form(session: Session, actor: Actor, task_id: int) -> dict[str, Any] | None:
    """The form (JSON Schema and hints) of a task the actor may see."""
    task = _load(session, task_id)
    if not can_read_instance(actor, task.agency_id):
        raise NotFound(f"no task {task_id}")
    definition = session.get_one(ProcessDefinition, session.get_one(ProcessInstance, task.instance_id).definition_id)
    return form_of(session, definition, task.process_key, task.spec_id)


def _require_actionable(task: HumanTask, actor: Actor) -> None:
    if task.status != "ready":
        raise Conflict(f"Công việc {task.id} đã {_STATUS_VI.get(task.status, task.status)} (task {task.id} is {task.status})")
    if task.assignee_id is not None and task.assignee_id != actor.user_id:
        raise Forbidden(f"Công việc {task.id} đã được người khác nhận (task {task.id} is claimed by someone else)")
    if not actor.holds(task.agency_id, task.role) and task.assignee_id != actor.user_id:
        raise Forbidden(
            f"Bạn không giữ vai trò '{task.role}' tại cơ quan của công việc {task.id} "
            f"(you do not hold the role '{task.role}' in this task's agency)"
        )


_STATUS_VI = {"completed": "hoàn thành", "cancelled": "bị hủy"}


def claim(session: Session, clock: Clock, actor: Actor, task_id: int) -> TaskRecord:
    """Take an offered task so that it is the actor's alone."""
    task = _load(session, task_id)
    _require_actionable(task, actor)
    if task.assignee_id == actor.user_id:
        return get_task(session, actor, task_id)
    task.assignee_id = actor.user_id
    record(session, task.instance_id, clock.now(), actor.username, "task_claimed", spec_id=task.spec_id, task_name=task.name)
    session.flush()
    return get_task(session, actor, task_id)


def release(session: Session, clock: Clock, actor: Actor, task_id: int) -> TaskRecord:
    """Give a claimed task back to the role's pool."""
    task = _load(session, task_id)
    _require_actionable(task, actor)
    if task.assignee_id != actor.user_id:
        raise Conflict(f"task {task_id} is not claimed by you")
    task.assignee_id = None
    record(session, task.instance_id, clock.now(), actor.username, "task_released", spec_id=task.spec_id, task_name=task.name)
    session.flush()
    return get_task(session, actor, task_id)


def complete_task(
    session: Session,
    clock: Clock,
    actor: Actor,
    task_id: int,
    data: Any,
    *,
    expected_version: int | None = None,
) -> list[TaskRecord]:
    """Complete a task with form data; returns the instance's tasks that are now ready."""
    task = _load(session, task_id)
    if not can_read_instance(actor, task.agency_id):
        raise Forbidden(f"Công việc {task_id} thuộc cơ quan khác (task {task_id} belongs to another agency)")
    _require_actionable(task, actor)
    instance = session.get_one(ProcessInstance, task.instance_id)
    if instance.status != "running":
        raise Conflict(f"Hồ sơ {instance.business_key} đang ở trạng thái {instance.status} (instance is {instance.status})")
    if expected_version is not None and expected_version != instance.version:
        raise Conflict(
            f"Hồ sơ đã thay đổi (phiên bản {instance.version}, không phải {expected_version}); vui lòng tải lại "
            f"(instance changed: version {instance.version}, not {expected_version})"
        )
    definition = session.get_one(ProcessDefinition, instance.definition_id)
    submitted = validate_submission(form_of(session, definition, task.process_key, task.spec_id), data)
    check_task_rules(session, instance, task, actor, submitted)
    now = clock.now()
    snapshot = runner.complete(parsed_process(session, definition), instance.state, task.spiff_task_id, submitted, now)
    task.status = "completed"
    task.completed_at = now
    task.completed_by_id = actor.user_id
    if task.assignee_id is None:
        task.assignee_id = actor.user_id
    record(session, instance.id, now, actor.username, "task_completed", spec_id=task.spec_id, task_name=task.name,
           data=submitted)
    store_records(session, instance, definition, task.spec_id, submitted, now, actor.username)
    apply_snapshot(session, instance, definition, snapshot, now, actor.username)
    return [t for t in tasks_of_instance(session, instance.id) if t.status == "ready"]


def user_by_name(session: Session, username: str) -> User:
    """A user by login name, or NotFound."""
    user = session.scalars(select(User).where(User.username == username)).first()
    if user is None:
        raise NotFound(f"no user '{username}'")
    return user

"""Use cases on human tasks: claim, release, reassign, complete (the read side is engine/task_queries.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from engine.clock import Clock
from engine.definitions import definition_of_process, form_of, parsed_process
from engine.delegation import DELEGABLE_ROLES, acting_for, today_in_vietnam
from engine.errors import Conflict, Forbidden, NotFound, ValidationFailed
from engine.follow_ups import start_follow_ups
from engine.forms import validate_submission
from engine.projection import apply_snapshot, record
from engine.qms_records import store_records
from engine.records import Actor, TaskRecord
from engine.spiff import runner
from engine.task_access import is_head_of, load_task_to_act_on, load_visible_task, require_actionable
from engine.task_queries import (
    ready_tasks_of_instance,
    task_query,
    to_record,
)
from engine.task_rules import check_task_rules
from models import HumanTask, ProcessDefinition, ProcessInstance, RoleMembership, TaskDraft, User


def get_task(session: Session, actor: Actor, task_id: int) -> TaskRecord:
    """A task the actor may see."""
    load_visible_task(session, actor, task_id)
    return to_record(session.execute(task_query().where(HumanTask.id == task_id)).one())


def task_form(session: Session, actor: Actor, task_id: int) -> dict[str, Any] | None:
    """The form (JSON Schema and hints) of a task the actor may see."""
    task = load_visible_task(session, actor, task_id)
    definition = session.get_one(ProcessDefinition, session.get_one(ProcessInstance, task.instance_id).definition_id)
    return form_of(session, definition, task.process_key, task.spec_id)


def task_documentation(session: Session, actor: Actor, task_id: int) -> str | None:
    """The BPMN documentation of a task's step (what the modeller wrote about it)."""
    task = load_visible_task(session, actor, task_id)
    definition = session.get_one(ProcessDefinition, session.get_one(ProcessInstance, task.instance_id).definition_id)
    return parsed_process(session, definition).documentation.get((task.process_key, task.spec_id)) or None


def _acting_note(session: Session, clock: Clock, actor: Actor, task: HumanTask, action: str) -> None:
    """Record in the history that a substitute acted for an absent colleague."""
    absent = acting_for(session, actor, task.agency_id, task.role, today_in_vietnam(clock.now()))
    if absent is not None and task.assignee_id != actor.user_id:
        record(session, task.instance_id, clock.now(), actor.username, "acted_for", spec_id=task.spec_id,
               task_name=task.name, data={"on_behalf_of": absent, "action": action})


def claim(session: Session, clock: Clock, actor: Actor, task_id: int) -> TaskRecord:
    """Take an offered task so that it is the actor's alone."""
    task = load_task_to_act_on(session, actor, task_id)
    require_actionable(task, actor)
    if task.assignee_id == actor.user_id:
        return get_task(session, actor, task_id)
    _acting_note(session, clock, actor, task, "claim")
    task.assignee_id = actor.user_id
    record(session, task.instance_id, clock.now(), actor.username, "task_claimed",
           spec_id=task.spec_id, task_name=task.name)
    session.flush()
    return get_task(session, actor, task_id)


def release(session: Session, clock: Clock, actor: Actor, task_id: int) -> TaskRecord:
    """Give a claimed task back to the role's pool."""
    task = load_task_to_act_on(session, actor, task_id)
    require_actionable(task, actor)
    if task.assignee_id != actor.user_id:
        raise Conflict(f"Công việc {task_id} không do bạn nhận (task {task_id} is not claimed by you)")
    task.assignee_id = None
    record(session, task.instance_id, clock.now(), actor.username, "task_released",
           spec_id=task.spec_id, task_name=task.name)
    session.flush()
    return get_task(session, actor, task_id)


def reassign(session: Session, clock: Clock, actor: Actor, task_id: int, username: str) -> TaskRecord:
    """The agency head gives a ready task to a colleague who holds a work role in the task's agency."""
    task = load_task_to_act_on(session, actor, task_id)
    if not is_head_of(actor, task.agency_id):
        raise Forbidden(f"Chỉ thủ trưởng cơ quan được giao lại công việc {task_id} (only the agency head may reassign)")
    if task.status != "ready":
        raise Conflict(f"Công việc {task_id} không còn chờ xử lý (task {task_id} is {task.status})")
    target = session.scalars(
        select(User)
        .join(RoleMembership, RoleMembership.user_id == User.id)
        .where(User.username == username, User.is_active.is_(True), RoleMembership.agency_id == task.agency_id,
               RoleMembership.role.in_(DELEGABLE_ROLES))
    ).first()
    if target is None:
        raise ValidationFailed(
            "Người nhận phải làm việc tại cơ quan của công việc (the new assignee must work in the task's agency)",
            details={"username": f"'{username}' không thuộc cơ quan này (not a member of this agency)"},
        )
    previous = session.get(User, task.assignee_id) if task.assignee_id is not None else None
    before = previous.username if previous is not None else None
    task.assignee_id = target.id
    record(session, task.instance_id, clock.now(), actor.username, "task_reassigned", spec_id=task.spec_id,
           task_name=task.name, data={"from": before, "to": target.username})
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
    task = load_task_to_act_on(session, actor, task_id)
    require_actionable(task, actor)
    instance = session.get_one(ProcessInstance, task.instance_id)
    if instance.status != "running":
        raise Conflict(
            f"Hồ sơ {instance.business_key} đang ở trạng thái {instance.status} (instance is {instance.status})"
        )
    if expected_version is not None and expected_version != instance.version:
        raise Conflict(
            f"Hồ sơ đã thay đổi (phiên bản {instance.version}, không phải {expected_version}); vui lòng tải lại "
            f"(instance changed: version {instance.version}, not {expected_version})"
        )
    definition = session.get_one(ProcessDefinition, instance.definition_id)
    submitted = validate_submission(form_of(session, definition, task.process_key, task.spec_id), data)
    workflow = runner.open_workflow(parsed_process(session, definition), instance.state)
    check_task_rules(session, instance, task, actor, submitted, workflow.context)
    context = workflow.context(task.spiff_task_id)
    now = clock.now()
    snapshot = workflow.complete(task.spiff_task_id, submitted, now)
    _acting_note(session, clock, actor, task, "complete")
    task.status = "completed"
    task.completed_at = now
    task.completed_by_id = actor.user_id
    if task.assignee_id is None:
        task.assignee_id = actor.user_id
    record(session, instance.id, now, actor.username, "task_completed", spec_id=task.spec_id, task_name=task.name,
           data=submitted)
    store_records(session, instance, definition, task, submitted, context, now, actor.username)
    apply_snapshot(session, instance, definition, snapshot, now, actor.username)
    owner = definition_of_process(session, definition, task.process_key)
    start_follow_ups(session, clock, actor, instance, owner, task, submitted, now)
    session.execute(delete(TaskDraft).where(TaskDraft.task_id == task.id))
    return ready_tasks_of_instance(session, instance.id)


def user_by_name(session: Session, username: str) -> User:
    """A user by login name, or NotFound."""
    user = session.scalars(select(User).where(User.username == username)).first()
    if user is None:
        raise NotFound(f"no user '{username}'")
    return user


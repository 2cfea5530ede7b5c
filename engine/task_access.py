"""Who may see and act on one task: the checks every task use case shares."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from engine.access import can_read_instance
from engine.errors import Conflict, Forbidden, NotFound
from engine.records import Actor
from models import HumanTask

_STATUS_VI = {"completed": "hoàn thành", "cancelled": "bị hủy"}


@dataclass(frozen=True)
class TaskPermissions:
    """What the actor may do with a task right now (the pages show only these actions)."""

    can_claim: bool
    can_release: bool
    can_complete: bool
    can_reassign: bool


def not_found(task_id: int) -> NotFound:
    """The one answer for a task that does not exist or that the actor may not see."""
    return NotFound(f"Không tìm thấy công việc {task_id} (no task {task_id})")


def load_visible_task(session: Session, actor: Actor, task_id: int) -> HumanTask:
    """The task row if it exists and the actor may read its agency; NotFound otherwise (no existence leak)."""
    task = session.get(HumanTask, task_id)
    if task is None or not can_read_instance(actor, task.agency_id):
        raise not_found(task_id)
    return task


def load_task_to_act_on(session: Session, actor: Actor, task_id: int) -> HumanTask:
    """The task row for a change: NotFound if it does not exist, Forbidden if it is another agency's.

    Reads answer 404 for other agencies (nothing is revealed); changes keep the engine's long-standing
    403 "belongs to another agency", which callers such as the CLI rely on.
    """
    task = session.get(HumanTask, task_id)
    if task is None:
        raise not_found(task_id)
    if not can_read_instance(actor, task.agency_id):
        raise Forbidden(f"Công việc {task_id} thuộc cơ quan khác (task {task_id} belongs to another agency)")
    return task


def require_actionable(task: HumanTask, actor: Actor) -> None:
    """Refuse unless the task is ready and the actor is its assignee or holds its role in its agency."""
    if task.status != "ready":
        raise Conflict(
            f"Công việc {task.id} đã {_STATUS_VI.get(task.status, task.status)} (task {task.id} is {task.status})"
        )
    if task.assignee_id is not None and task.assignee_id != actor.user_id:
        raise Forbidden(f"Công việc {task.id} đã được người khác nhận (task {task.id} is claimed by someone else)")
    if not actor.holds(task.agency_id, task.role) and task.assignee_id != actor.user_id:
        raise Forbidden(
            f"Bạn không giữ vai trò '{task.role}' tại cơ quan của công việc {task.id} "
            f"(you do not hold the role '{task.role}' in this task's agency)"
        )


def is_head_of(actor: Actor, agency_id: int) -> bool:
    """True if the actor is the head of the agency (heads reassign work within it)."""
    return (agency_id, "agency_head") in actor.memberships


def permissions(task: HumanTask, actor: Actor) -> TaskPermissions:
    """The actions open to the actor on a task they can see."""
    ready = task.status == "ready"
    mine = task.assignee_id is not None and task.assignee_id == actor.user_id
    offered = task.assignee_id is None and actor.holds(task.agency_id, task.role)
    return TaskPermissions(
        can_claim=ready and offered,
        can_release=ready and mine,
        can_complete=ready and (mine or offered),
        can_reassign=ready and is_head_of(actor, task.agency_id),
    )


def task_permissions(session: Session, actor: Actor, task_id: int) -> TaskPermissions:
    """The actions open to the actor on a task they may see (NotFound otherwise)."""
    return permissions(load_visible_task(session, actor, task_id), actor)

"""Reading human tasks: inboxes, an instance's tasks, tasks nobody can take (plain indexed SQL)."""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import Select, and_, exists, false, or_, select, union_all
from sqlalchemy.orm import Session, aliased

from engine.records import Actor, TaskRecord
from models import Agency, HumanTask, ProcessInstance, RoleMembership, User

Assignee = aliased(User)


@cache
def task_query() -> Select[*tuple[Any, ...]]:
    """Tasks joined with what a list shows: instance key and version, agency, assignee, unassignable flag.

    Built once and reused (statements are immutable); building it costs more than running it.
    """
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


def to_record(row: Any) -> TaskRecord:
    """A row of task_query() as a TaskRecord."""
    task, key, version, code, agency_name, assignee, unassignable = row
    return TaskRecord(
        id=task.id, instance_id=task.instance_id, business_key=key, process_key=task.process_key,
        spec_id=task.spec_id, name=task.name, lane=task.lane, role=task.role, agency_code=code,
        agency_name=agency_name, assignee=assignee, status=task.status, due_at=task.due_at,
        created_at=task.created_at, instance_version=version,
        unassignable=bool(unassignable) and task.status == "ready" and task.assignee_id is None,
    )


def offered_to(actor: Actor) -> Any:
    """The SQL condition 'this ready task is the actor's or offered to one of their roles'.

    Written as `id IN (one indexed lookup per role UNION ALL the assignee lookup)`: a plain OR makes
    SQLite scan every ready task once most tasks are unclaimed (the assignee index then looks useless).
    """
    ready = HumanTask.status == "ready"
    unclaimed = HumanTask.assignee_id.is_(None)
    lookups = [
        select(HumanTask.id).where(ready, unclaimed, HumanTask.agency_id == agency_id, HumanTask.role == role)
        for agency_id, role in sorted(actor.memberships)
        if role != "supervisor"
    ]
    if actor.is_supervisor:
        lookups.append(select(HumanTask.id).where(ready, unclaimed, HumanTask.role == "supervisor"))
    if actor.user_id is not None:
        lookups.append(select(HumanTask.id).where(ready, HumanTask.assignee_id == actor.user_id))
    if not lookups:
        return false()
    return HumanTask.id.in_(union_all(*lookups) if len(lookups) > 1 else lookups[0])


def inbox(session: Session, actor: Actor, *, limit: int = 50, offset: int = 0) -> list[TaskRecord]:
    """Ready tasks assigned to the actor and unclaimed tasks offered to their roles, soonest due first."""
    query = (
        task_query()
        .where(offered_to(actor))
        .order_by(HumanTask.due_at.is_(None), HumanTask.due_at, HumanTask.id)
        .limit(limit)
        .offset(offset)
    )
    return [to_record(row) for row in session.execute(query)]


def ready_tasks_of_instance(session: Session, instance_id: int) -> list[TaskRecord]:
    """The tasks of an instance that wait for a person now."""
    query = task_query().where(HumanTask.instance_id == instance_id, HumanTask.status == "ready").order_by(HumanTask.id)
    return [to_record(row) for row in session.execute(query)]


def tasks_of_instance(session: Session, instance_id: int) -> list[TaskRecord]:
    """Every task of an instance, oldest first."""
    query = task_query().where(HumanTask.instance_id == instance_id).order_by(HumanTask.id)
    return [to_record(row) for row in session.execute(query)]


def unassignable_tasks(session: Session, *, limit: int = 200) -> list[TaskRecord]:
    """Ready, unclaimed tasks whose role nobody holds in their agency (for supervisors)."""
    query = task_query().where(HumanTask.status == "ready", HumanTask.assignee_id.is_(None))
    return [r for r in (to_record(row) for row in session.execute(query.limit(limit * 10))) if r.unassignable][:limit]

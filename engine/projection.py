"""Keep the human-task and timer projections in step with the workflow state."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from engine.definitions import definition_of_process
from engine.errors import Conflict
from engine.spiff.runner import Snapshot, WaitingTimer
from models import HistoryEvent, HumanTask, ProcessDefinition, ProcessInstance, Timer
from models.agency import ROLES


def role_for_lane(definition: ProcessDefinition, lane: str | None) -> str | None:
    """The role a lane's tasks are offered to (process.json 'lanes', or the lane named as a role)."""
    if lane is None:
        return None
    role = definition.settings.get("lanes", {}).get(lane, lane)
    return role if role in ROLES else None


def _owner(
    session: Session, definition: ProcessDefinition, process_key: str, cache: dict[str, ProcessDefinition]
) -> ProcessDefinition:
    if process_key not in cache:
        cache[process_key] = definition_of_process(session, definition, process_key)
    return cache[process_key]


def record(
    session: Session,
    instance_id: int,
    now: datetime,
    actor: str,
    kind: str,
    *,
    spec_id: str | None = None,
    task_name: str | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    """Append one event to an instance's history."""
    session.add(
        HistoryEvent(
            instance_id=instance_id,
            at=now,
            actor=actor,
            kind=kind,
            spec_id=spec_id,
            task_name=task_name,
            data=data or {},
        )
    )


def _open_rows(session: Session, model: type[Any], instance_id: int, status: str) -> dict[str, Any]:
    rows: Iterable[Any] = session.scalars(select(model).where(model.instance_id == instance_id, model.status == status))
    # Rows changed in memory but not yet flushed (the task being completed) count as they are now.
    return {row.spiff_task_id: row for row in rows if row.status == status}


def apply_snapshot(
    session: Session,
    instance: ProcessInstance,
    definition: ProcessDefinition,
    snapshot: Snapshot,
    now: datetime,
    actor: str,
) -> None:
    """Store the new state and project its ready tasks and waiting timers, in this transaction."""
    instance.state = snapshot.state
    # The version check comes first, so that a stale writer fails with a Conflict before it inserts
    # the projection rows a concurrent winner also inserts (they share workflow task ids).
    flush_or_conflict(session)
    with session.no_autoflush:
        _project(session, instance, definition, snapshot, now, actor)
    flush_or_conflict(session)


def _project(
    session: Session,
    instance: ProcessInstance,
    definition: ProcessDefinition,
    snapshot: Snapshot,
    now: datetime,
    actor: str,
) -> None:
    owners: dict[str, ProcessDefinition] = {}
    open_tasks = _open_rows(session, HumanTask, instance.id, "ready")
    for ready in snapshot.ready_tasks:
        row = open_tasks.pop(ready.task_id, None)
        if row is not None:
            # A fired deadline timer leaves the task open and overdue: keep its due date.
            if ready.due_at is not None:
                row.due_at = ready.due_at
            continue
        session.add(
            HumanTask(
                instance_id=instance.id,
                spiff_task_id=ready.task_id,
                spec_id=ready.spec_id,
                process_key=ready.process_id,
                name=ready.name,
                lane=ready.lane,
                role=role_for_lane(_owner(session, definition, ready.process_id, owners), ready.lane),
                agency_id=instance.agency_id,
                status="ready",
                due_at=ready.due_at,
                created_at=now,
            )
        )
        record(session, instance.id, now, actor, "task_created", spec_id=ready.spec_id, task_name=ready.name)
    for gone in open_tasks.values():
        gone.status = "cancelled"
        gone.completed_at = now
        record(session, instance.id, now, actor, "task_cancelled", spec_id=gone.spec_id, task_name=gone.name)
    waiting = _open_rows(session, Timer, instance.id, "waiting")
    for fired in snapshot.fired_timers:
        _record_fired(session, instance, waiting.pop(fired.task_id, None), fired, now)
    for timer in snapshot.timers:
        row = waiting.pop(timer.task_id, None)
        if row is not None:
            row.due_at = timer.due_at
            continue
        session.add(
            Timer(
                instance_id=instance.id,
                spiff_task_id=timer.task_id,
                spec_id=timer.spec_id,
                name=timer.name,
                due_at=timer.due_at,
                status="waiting",
            )
        )
    for gone in waiting.values():
        gone.status = "cancelled"
    if snapshot.completed and instance.status != "completed":
        instance.status = "completed"
        instance.ended_at = now
        record(session, instance.id, now, actor, "instance_completed")


def _record_fired(session: Session, instance: ProcessInstance, row: Timer | None, fired: WaitingTimer,
                  now: datetime) -> None:
    """A timer fired: its row (made now if it began and fired within this step) and one history entry."""
    if row is None:
        row = session.scalars(
            select(Timer).where(Timer.instance_id == instance.id, Timer.spiff_task_id == fired.task_id)
        ).first()
    if row is None:
        row = Timer(instance_id=instance.id, spiff_task_id=fired.task_id, spec_id=fired.spec_id, name=fired.name,
                    due_at=fired.due_at)
        session.add(row)
    row.status = "fired"
    row.fired_at = now
    record(session, instance.id, now, "system", "timer_fired", spec_id=fired.spec_id, task_name=fired.name,
           data={"due_at": fired.due_at.isoformat()})


def flush_or_conflict(session: Session) -> None:
    """Flush; a stale instance version becomes a Conflict the caller can act on."""
    try:
        session.flush()
    except StaleDataError as exc:
        raise Conflict(
            "Hồ sơ đã được người khác cập nhật; vui lòng tải lại và thử lại "
            "(the instance was changed by someone else; reload and try again)"
        ) from exc

"""Fire due timers: claimed per instance so that parallel sweeps never fire one twice."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.definitions import parsed_process
from engine.errors import IsoflowError
from engine.projection import apply_snapshot, record
from engine.records import FiredTimer
from engine.spiff import runner
from models import ProcessDefinition, ProcessInstance, Timer


def _claim_due_instances(session: Session, now: datetime, limit: int) -> list[ProcessInstance]:
    due = select(Timer.instance_id).where(Timer.status == "waiting", Timer.due_at <= now)
    query = (
        select(ProcessInstance)
        .where(ProcessInstance.id.in_(due), ProcessInstance.status == "running")
        .order_by(ProcessInstance.id)
        .limit(limit)
        # Row locks on PostgreSQL: another sweep skips instances this one holds (SQLite ignores
        # this and serialises writers instead).
        .with_for_update(skip_locked=True)
    )
    return list(session.scalars(query))


def fire_due(session: Session, now: datetime, *, limit: int = 100) -> list[FiredTimer]:
    """Fire every timer due at `now` of up to `limit` instances; the caller commits."""
    fired: list[FiredTimer] = []
    for instance in _claim_due_instances(session, now, limit):
        due_timers = list(
            session.scalars(
                select(Timer).where(Timer.instance_id == instance.id, Timer.status == "waiting", Timer.due_at <= now)
            )
        )
        definition = session.get_one(ProcessDefinition, instance.definition_id)
        try:
            with session.begin_nested():
                snapshot = runner.fire_timers(parsed_process(session, definition), instance.state, now)
                # The projection marks each fired timer and writes its one history entry.
                apply_snapshot(session, instance, definition, snapshot, now, "system")
            fired.extend(
                FiredTimer(timer.id, instance.id, timer.spec_id, timer.due_at, ok=True)
                for timer in due_timers
                if timer.status == "fired"
            )
        except IsoflowError as exc:
            # An incident: the timer is parked as failed (not retried forever) and recorded.
            for timer in due_timers:
                timer.status = "failed"
                record(
                    session,
                    instance.id,
                    now,
                    "system",
                    "timer_failed",
                    spec_id=timer.spec_id,
                    task_name=timer.name,
                    data={"error": exc.message},
                )
                fired.append(
                    FiredTimer(timer.id, instance.id, timer.spec_id, timer.due_at, ok=False, message=exc.message)
                )
            session.flush()
    return fired

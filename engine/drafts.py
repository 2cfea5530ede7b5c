"""Form data saved as a draft, per task and user, until the task is completed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.clock import Clock
from engine.errors import ValidationFailed
from engine.records import Actor
from engine.task_access import load_task_to_act_on, load_visible_task, require_actionable
from models import TaskDraft

MAX_DRAFT_BYTES = 256 * 1024


def save_draft(session: Session, clock: Clock, actor: Actor, task_id: int, data: dict[str, Any]) -> datetime:
    """Keep unfinished form data (not validated) for the actor; returns when it was saved."""
    task = load_task_to_act_on(session, actor, task_id)
    require_actionable(task, actor)
    if not isinstance(data, dict) or len(repr(data).encode("utf-8")) > MAX_DRAFT_BYTES or actor.user_id is None:
        raise ValidationFailed("Bản nháp không hợp lệ (invalid draft)", details={"(form)": "object ≤ 256 KiB"})
    now = clock.now()
    draft = session.scalars(
        select(TaskDraft).where(TaskDraft.task_id == task_id, TaskDraft.user_id == actor.user_id)
    ).first()
    if draft is None:
        session.add(TaskDraft(task_id=task_id, user_id=actor.user_id, data=data, updated_at=now))
    else:
        draft.data = data
        draft.updated_at = now
    session.flush()
    return now


def load_draft(session: Session, actor: Actor, task_id: int) -> tuple[dict[str, Any], datetime] | None:
    """The actor's draft of a task and when it was saved, or None."""
    load_visible_task(session, actor, task_id)
    draft = session.scalars(
        select(TaskDraft).where(TaskDraft.task_id == task_id, TaskDraft.user_id == actor.user_id)
    ).first()
    return (dict(draft.data), draft.updated_at) if draft is not None else None

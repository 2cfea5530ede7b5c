"""Rules a task completion must obey beyond its form (e.g. segregation of duties)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from engine.records import Actor
from models import HumanTask, ProcessInstance


def check_task_rules(
    session: Session, instance: ProcessInstance, task: HumanTask, actor: Actor, data: dict[str, Any]
) -> None:
    """Raise Forbidden or ValidationFailed if the completion breaks a process rule (none yet)."""
    return None

"""Read-only questions about a stored workflow state."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from engine.spiff.loader import ParsedProcess
from engine.spiff.serializer import load_state


@dataclass(frozen=True)
class TaskContext:
    """Where a task sits: its scope (the calling task's id for a called process, "" at top level) and data."""

    scope: str
    data: dict[str, Any] = field(default_factory=dict)
    process_data: dict[str, Any] = field(default_factory=dict)


def task_context(process: ParsedProcess, state: bytes, task_id: str) -> TaskContext:
    """The scope and data of one task of a stored workflow (empty if the task is not there)."""
    workflow = load_state(state, process.spec, process.subprocess_specs)
    try:
        task = workflow.get_task_from_id(UUID(task_id))
    except (ValueError, KeyError):
        task = None
    if task is None:
        return TaskContext("", {}, dict(workflow.data))
    scope = "" if task.workflow is workflow else str(task.workflow.parent_task_id)
    return TaskContext(scope, dict(task.data), dict(workflow.data))

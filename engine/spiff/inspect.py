"""Read-only questions about a workflow or a stored workflow state."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow

from engine.spiff.loader import ParsedProcess
from engine.spiff.serializer import load_state


@dataclass(frozen=True)
class TaskContext:
    """Where a task sits: its scope (the calling task's id for a called process, "" at top level) and data."""

    scope: str
    data: dict[str, Any] = field(default_factory=dict)
    process_data: dict[str, Any] = field(default_factory=dict)


def context_in(workflow: BpmnWorkflow, task_id: str) -> TaskContext:
    """The scope and data of one task of a loaded workflow (empty if the task is not there)."""
    try:
        task = workflow.get_task_from_id(UUID(task_id))
    except (ValueError, KeyError):
        task = None
    if task is None:
        return TaskContext("", {}, dict(workflow.data))
    scope = "" if task.workflow is workflow else str(task.workflow.parent_task_id)
    return TaskContext(scope, dict(task.data), dict(workflow.data))


def task_context(process: ParsedProcess, state: bytes, task_id: str) -> TaskContext:
    """The scope and data of one task of a stored workflow state."""
    return context_in(load_state(state, process.spec, process.subprocess_specs), task_id)

"""Run workflow operations: each takes state text and returns a Snapshot of plain data."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from engine.deadlines import script_helpers
from engine.errors import Conflict, NotFound, WorkflowFailed
from engine.spiff.inspect import TaskContext, context_in
from engine.spiff.loader import ParsedProcess
from engine.spiff.scripting import RestrictedEnvironment, ScriptRefused
from engine.spiff.serializer import dump_state, load_state
from engine.spiff.time_hook import current_instant, workflow_time

# SpiffWorkflow fires a timer when its target is strictly before "now"; a timer due at the
# instant of a sweep must fire in that sweep.
_TIMER_EPSILON = timedelta(microseconds=1)
_MAX_ROUNDS = 50


@dataclass(frozen=True)
class ReadyTask:
    """A user task waiting for a person."""

    task_id: str
    spec_id: str
    name: str
    lane: str | None
    process_id: str
    documentation: str | None
    due_at: datetime | None


@dataclass(frozen=True)
class WaitingTimer:
    """A timer event waiting for its due time."""

    task_id: str
    spec_id: str
    name: str
    due_at: datetime


@dataclass(frozen=True)
class Snapshot:
    """The workflow after an operation: its state text and what it now waits for."""

    state: bytes
    ready_tasks: tuple[ReadyTask, ...]
    timers: tuple[WaitingTimer, ...]
    completed: bool
    data: Mapping[str, Any]
    # Timers that fired during the operation, including ones that began and fired within it.
    fired_timers: tuple[WaitingTimer, ...] = ()


_SCRIPT_ENGINE: PythonScriptEngine | None = None


def configure_script_helpers(helpers: Mapping[str, Callable[..., Any]]) -> None:
    """Install extra safe helper functions (e.g. calendar arithmetic) for process scripts."""
    global _SCRIPT_ENGINE
    _SCRIPT_ENGINE = PythonScriptEngine(environment=RestrictedEnvironment(helpers))


def _script_engine() -> PythonScriptEngine:
    global _SCRIPT_ENGINE
    if _SCRIPT_ENGINE is None:
        _SCRIPT_ENGINE = PythonScriptEngine(environment=RestrictedEnvironment(script_helpers()))
    return _SCRIPT_ENGINE


def _timer_due(task: Task) -> datetime | None:
    definition = task.task_spec.event_definition
    details = definition.details(task)
    value = details.value
    if value is None:
        return None
    parsed = TimerEventDefinition.parse_time_or_duration(value) if isinstance(value, str) else None
    if not isinstance(parsed, datetime):
        return None
    # Normalise SpiffWorkflow's (possibly clock-hooked) datetime to a plain UTC datetime.
    return datetime.fromtimestamp(parsed.timestamp(), tz=UTC)


def _is_timer(task: Task) -> bool:
    spec = task.task_spec
    return isinstance(spec, CatchingEvent) and isinstance(getattr(spec, "event_definition", None), TimerEventDefinition)


def _fired_timer_ids(workflow: BpmnWorkflow) -> frozenset[str]:
    return frozenset(str(t.id) for t in workflow.get_tasks(state=TaskState.COMPLETED) if _is_timer(t))


def _timer_record(task: Task, due: datetime) -> WaitingTimer:
    spec = task.task_spec
    return WaitingTimer(str(task.id), spec.bpmn_id, spec.bpmn_name or spec.bpmn_id, due)


def _boundary_dues(task: Task, timers: list[WaitingTimer]) -> list[datetime]:
    """Due times of the timers attached to a task (its boundary events), not of parallel branches."""
    parent = task.parent
    if parent is None or not isinstance(parent.task_spec, BoundaryEventSplit):
        return []
    siblings = {str(s.id) for s in parent.children}
    return [t.due_at for t in timers if t.task_id in siblings]


def _declared_due(task: Task) -> datetime | None:
    """The due date a user task names through its `due` property (a task-data variable)."""
    extensions = getattr(task.task_spec, "extensions", None) or {}
    variable = (extensions.get("properties") or {}).get("due")
    value = task.data.get(variable) if variable else None
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value if "T" in value else f"{value}T17:00:00+07:00")
    except ValueError:
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo else None


def _snapshot(workflow: BpmnWorkflow, fired_before: frozenset[str]) -> Snapshot:
    timers: list[WaitingTimer] = []
    for task in workflow.get_tasks(state=TaskState.WAITING):
        if _is_timer(task):
            due = _timer_due(task)
            if due is not None:
                timers.append(_timer_record(task, due))
    fired = [
        _timer_record(task, _timer_due(task) or _now_utc())
        for task in workflow.get_tasks(state=TaskState.COMPLETED)
        if _is_timer(task) and str(task.id) not in fired_before
    ]
    ready: list[ReadyTask] = []
    for task in workflow.get_tasks(state=TaskState.READY, manual=True):
        spec = task.task_spec
        # A timer attached to the task (boundary event) is its due date.
        dues = _boundary_dues(task, timers)
        ready.append(
            ReadyTask(
                task_id=str(task.id),
                spec_id=spec.bpmn_id,
                name=spec.bpmn_name or spec.bpmn_id,
                lane=spec.lane,
                process_id=task.workflow.spec.name,
                documentation=spec.documentation,
                due_at=min(dues) if dues else _declared_due(task),
            )
        )
    return Snapshot(
        state=dump_state(workflow),
        ready_tasks=tuple(ready),
        timers=tuple(timers),
        completed=workflow.completed,
        data=dict(workflow.data),
        fired_timers=tuple(fired),
    )


def _run_engine_steps(workflow: BpmnWorkflow) -> None:
    """Run until only people or the future are awaited.

    SpiffWorkflow checks its timers once more at the end of do_engine_steps; a timer found due then
    is left READY. Running again lets it (and whatever follows it, e.g. the next reminder) happen now.
    """
    for _ in range(_MAX_ROUNDS):
        workflow.do_engine_steps()
        if not any(not task.task_spec.manual for task in workflow.get_tasks(state=TaskState.READY)):
            return
    raise WorkflowFailed(f"the workflow did not come to rest after {_MAX_ROUNDS} rounds (a timer loop?)")


def _now_utc() -> datetime:
    instant = current_instant()
    return datetime.fromtimestamp(instant.timestamp(), tz=UTC) if instant else datetime.now(UTC)


def _run(
    process: ParsedProcess, now: datetime, step: Callable[[], BpmnWorkflow], fired_before: frozenset[str] = frozenset()
) -> Snapshot:
    try:
        with workflow_time(now):
            workflow = step()
            _run_engine_steps(workflow)
            return _snapshot(workflow, fired_before)
    except (SpiffWorkflowException, ScriptRefused) as exc:
        raise WorkflowFailed(f"{process.process_id}: {exc}") from exc
    except ValueError as exc:
        # SpiffWorkflow parses timer values itself and lets a bad date or duration escape as ValueError.
        raise WorkflowFailed(f"{process.process_id}: invalid timer date or duration: {exc}") from exc


def start(process: ParsedProcess, data: Mapping[str, Any], now: datetime) -> Snapshot:
    """Create a workflow, seed its data and run it to its first wait."""

    def step() -> BpmnWorkflow:
        workflow = BpmnWorkflow(process.spec, process.subprocess_specs, script_engine=_script_engine())
        workflow.data.update(data)
        start_task = workflow.get_next_task(state=TaskState.READY)
        if start_task is not None:
            start_task.data.update(data)
        return workflow

    return _run(process, now, step)


def _restore(process: ParsedProcess, state: bytes) -> BpmnWorkflow:
    workflow = load_state(state, process.spec, process.subprocess_specs)
    workflow.script_engine = _script_engine()
    return workflow


class OpenWorkflow:
    """A stored workflow loaded once for one operation: inspect its tasks, then complete one."""

    def __init__(self, process: ParsedProcess, state: bytes) -> None:
        self.process = process
        self._workflow = _restore(process, state)
        self._fired_before = _fired_timer_ids(self._workflow)

    def context(self, task_id: str) -> TaskContext:
        """Scope and data of a task as they are now."""
        return context_in(self._workflow, task_id)

    def complete(self, task_id: str, data: Mapping[str, Any], now: datetime) -> Snapshot:
        """Complete a ready user task with submitted data and run to the next wait (once per load)."""

        def step() -> BpmnWorkflow:
            workflow = self._workflow
            try:
                task = workflow.get_task_from_id(UUID(task_id))
            except (ValueError, SpiffWorkflowException):
                task = None
            if task is None:
                raise NotFound(f"task {task_id} is not part of this workflow")
            if task.state != TaskState.READY or not task.task_spec.manual:
                raise Conflict(f"task {task_id} is not waiting for completion")
            task.data.update(data)
            task.run()
            return workflow

        return _run(self.process, now, step, self._fired_before)


def open_workflow(process: ParsedProcess, state: bytes) -> OpenWorkflow:
    """Load a stored workflow for inspection and one completion."""
    return OpenWorkflow(process, state)


def complete(process: ParsedProcess, state: bytes, task_id: str, data: Mapping[str, Any], now: datetime) -> Snapshot:
    """Complete a ready user task with submitted data and run to the next wait."""
    return open_workflow(process, state).complete(task_id, data, now)


def fire_timers(process: ParsedProcess, state: bytes, now: datetime) -> Snapshot:
    """Let every timer due at `now` fire and run to the next wait."""

    workflow = _restore(process, state)
    fired_before = _fired_timer_ids(workflow)

    def step() -> BpmnWorkflow:
        workflow.refresh_timers()
        return workflow

    return _run(process, now + _TIMER_EPSILON, step, fired_before)


def cancel(process: ParsedProcess, state: bytes, now: datetime) -> Snapshot:
    """Cancel the workflow: nothing stays ready or waiting."""
    with workflow_time(now):
        workflow = _restore(process, state)
        workflow.cancel()
        return Snapshot(dump_state(workflow), (), (), True, dict(workflow.data))

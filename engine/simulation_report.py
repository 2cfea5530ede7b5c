"""The summary of a simulated year, computed from the database it leaves behind."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import (
    Agency,
    HumanTask,
    Notification,
    ProcessDefinition,
    ProcessInstance,
    QmsCorrectiveAction,
    ReminderLog,
    Timer,
)


@dataclass(frozen=True)
class StepRate:
    """How often one step (user task) of one process was done by its due date."""

    process_key: str
    spec_id: str
    name: str
    completed: int
    with_due_date: int
    on_time: int

    @property
    def rate(self) -> float | None:
        """Share of the step's due dates met (None when the step has no due date)."""
        return self.on_time / self.with_due_date if self.with_due_date else None


@dataclass(frozen=True)
class SimulationSummary:
    """What happened in a simulated year."""

    year: int
    seed: int
    agencies: int
    instances_started: int
    instances_completed: int
    cycles: int
    cycles_completed: int
    cycles_overdue: int  # still running past a deadline: an open task overdue or an escalation timer fired
    by_process: dict[str, dict[str, int]]
    tasks_completed: int
    tasks_open: int
    steps: list[StepRate]
    reminders: int
    escalations: dict[str, int]  # reminder chain: audience -> escalations sent
    escalation_timers: dict[str, int]  # the processes' own escalation timers (process.json kind) that fired
    overdue_agencies: list[str]  # agencies with an instance in that state at year end
    timers_fired: int
    timers_failed: int
    notifications: int
    legal_updates: int
    nonconformity_tasks: int
    corrective_actions: int = 0
    unfillable_tasks: int = 0
    problems: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (stored with the simulation run)."""
        data = asdict(self)
        data["steps"] = [{**asdict(s), "rate": s.rate} for s in self.steps]
        return data


def _escalation_kinds(session: Session) -> set[str]:
    """Ids of the timers that process.json declares escalations (kind "escalation")."""
    kinds: set[str] = set()
    for settings in session.scalars(select(ProcessDefinition.settings)):
        kinds |= {spec for spec, t in (settings or {}).get("timers", {}).items() if t.get("kind") == "escalation"}
    return kinds


def _escalated_instances(session: Session, kinds: set[str]) -> tuple[dict[str, int], dict[int, str]]:
    """Fired escalation timers by timer id, and the still running instances they fired in (id -> agency code)."""
    counts: dict[str, int] = {}
    running: dict[int, str] = {}
    rows = session.execute(
        select(Timer.spec_id, ProcessInstance.id, ProcessInstance.status, Agency.code)
        .join(ProcessInstance, ProcessInstance.id == Timer.instance_id)
        .join(Agency, Agency.id == ProcessInstance.agency_id)
        .where(Timer.status == "fired", Timer.spec_id.in_(kinds))
    )
    for spec_id, instance_id, status, code in rows:
        counts[spec_id] = counts.get(spec_id, 0) + 1
        if status == "running":
            running[instance_id] = code
    return dict(sorted(counts.items())), running


def compute_summary(
    session: Session,
    end: datetime,
    *,
    year: int,
    seed: int,
    agencies: int,
    cycle_process: str,
    legal_process: str,
    nonconformity_tasks: int,
    unfillable_tasks: int,
    problems: list[str],
) -> SimulationSummary:
    """Read the year's outcome from the tables (the same data the dashboard shows)."""
    by_process: dict[str, dict[str, int]] = {}
    rows = session.execute(
        select(ProcessDefinition.key, ProcessInstance.status, func.count())
        .join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id)
        .group_by(ProcessDefinition.key, ProcessInstance.status)
    )
    for key, status, count in rows:
        by_process.setdefault(key, {})[status] = int(count)
    logged_due = dict(
        session.execute(select(ReminderLog.task_id, func.max(ReminderLog.due_at)).group_by(ReminderLog.task_id)).all()
    )
    stats: dict[tuple[str, str], list[int]] = {}
    names: dict[tuple[str, str], str] = {}
    kinds = _escalation_kinds(session)
    escalation_timers, overdue_instances = _escalated_instances(session, kinds)
    completed = open_tasks = 0
    tasks = session.execute(
        select(HumanTask, Agency.code).join(Agency, Agency.id == HumanTask.agency_id).order_by(HumanTask.id)
    )
    for task, code in tasks:
        if task.status == "cancelled":
            continue
        step_key = (task.process_key, task.spec_id)
        names[step_key] = task.name
        counts = stats.setdefault(step_key, [0, 0, 0])
        due = task.due_at or logged_due.get(task.id)
        if task.status == "completed":
            completed += 1
            counts[0] += 1
        else:
            open_tasks += 1
        if due is None:
            continue
        if task.status == "completed" and task.completed_at is not None:
            counts[1] += 1
            counts[2] += int(task.completed_at <= due)
        elif due < end:
            counts[1] += 1
            overdue_instances[task.instance_id] = code
    escalations: dict[str, int] = {}
    reminders = 0
    for step, count in session.execute(
        select(ReminderLog.step, func.count()).where(ReminderLog.status == "sent").group_by(ReminderLog.step)
    ):
        if step.startswith("escalate_"):
            escalations[step.removeprefix("escalate_")] = int(count)
        else:
            reminders += int(count)
    timer_counts = dict(session.execute(select(Timer.status, func.count()).group_by(Timer.status)).all())
    cycles = by_process.get(cycle_process, {})
    overdue_cycles = session.scalar(
        select(func.count())
        .select_from(ProcessInstance)
        .join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id)
        .where(ProcessDefinition.key == cycle_process, ProcessInstance.id.in_(list(overdue_instances)))
    )
    return SimulationSummary(
        year=year,
        seed=seed,
        agencies=agencies,
        instances_started=sum(sum(v.values()) for v in by_process.values()),
        instances_completed=sum(v.get("completed", 0) for v in by_process.values()),
        cycles=sum(cycles.values()),
        cycles_completed=cycles.get("completed", 0),
        cycles_overdue=int(overdue_cycles or 0),
        by_process=by_process,
        tasks_completed=completed,
        tasks_open=open_tasks,
        steps=[StepRate(k[0], k[1], names[k], v[0], v[1], v[2]) for k, v in sorted(stats.items())],
        reminders=reminders,
        escalations=dict(sorted(escalations.items())),
        escalation_timers=escalation_timers,
        overdue_agencies=sorted(set(overdue_instances.values())),
        timers_fired=int(timer_counts.get("fired", 0)),
        timers_failed=int(timer_counts.get("failed", 0)),
        notifications=int(session.scalar(select(func.count()).select_from(Notification)) or 0),
        legal_updates=sum(by_process.get(legal_process, {}).values()),
        nonconformity_tasks=nonconformity_tasks,
        corrective_actions=int(session.scalar(select(func.count()).select_from(QmsCorrectiveAction)) or 0),
        unfillable_tasks=unfillable_tasks,
        problems=problems,
    )


def format_summary(summary: SimulationSummary, elapsed_seconds: float | None = None) -> str:
    """The summary as text for the terminal, Vietnamese first then English."""
    lines = [
        f"Mô phỏng năm {summary.year} (hạt giống {summary.seed}, {summary.agencies} cơ quan) / "
        f"Simulated year {summary.year} (seed {summary.seed}, {summary.agencies} agencies)",
        f"  Hồ sơ hoàn thành / instances completed: {summary.instances_completed}/{summary.instances_started}",
        f"  Chu kỳ năm hoàn thành / yearly cycles completed: {summary.cycles_completed}/{summary.cycles}; "
        f"quá hạn / overdue: {summary.cycles_overdue}",
    ]
    for process, statuses in sorted(summary.by_process.items()):
        parts = ", ".join(f"{status} {count}" for status, count in sorted(statuses.items()))
        lines.append(f"    {process}: {parts}")
    lines.append(f"  Công việc hoàn thành / tasks completed: {summary.tasks_completed}")
    lines.append(f"  Công việc còn mở / tasks still open: {summary.tasks_open}")
    lines.append("  Tỷ lệ đúng hạn theo bước / on-time rate per step:")
    for step in summary.steps:
        rate = (
            f"{step.rate:.0%} ({step.on_time}/{step.with_due_date})"
            if step.rate is not None
            else "không có hạn / no due date"
        )
        lines.append(f"    {step.process_key}/{step.spec_id} — {step.name}: {rate}; hoàn thành / done {step.completed}")
    escalations = ", ".join(f"{level} {count}" for level, count in summary.escalations.items()) or "0"
    overdue_timers = ", ".join(f"{spec} {count}" for spec, count in summary.escalation_timers.items()) or "0"
    lines += [
        f"  Nhắc việc / reminders: {summary.reminders}; chuyển cấp / escalations: {escalations}",
        f"  Hẹn giờ quá hạn của quy trình / process escalation timers fired: {overdue_timers}",
        f"  Thông báo / notifications: {summary.notifications}",
        f"  Hẹn giờ đã kích hoạt / timers fired: {summary.timers_fired}; lỗi / failed: {summary.timers_failed}",
        f"  Cập nhật văn bản pháp luật / legal updates started: {summary.legal_updates}",
        f"  Công việc có điểm không phù hợp / tasks reporting nonconformities: {summary.nonconformity_tasks}",
        f"  Hành động khắc phục / corrective actions: {summary.corrective_actions}",
        f"  Cơ quan còn việc quá hạn cuối năm / agencies with overdue work at year end: "
        f"{len(summary.overdue_agencies)}"
        + (
            f" ({', '.join(summary.overdue_agencies[:15])}{', …' if len(summary.overdue_agencies) > 15 else ''})"
            if summary.overdue_agencies
            else ""
        ),
    ]
    if summary.unfillable_tasks:
        lines.append(
            f"  Công việc mô phỏng không điền được / tasks the simulator could not fill: {summary.unfillable_tasks}"
        )
    for problem in summary.problems[:10]:
        lines.append(f"  ! {problem}")
    if elapsed_seconds is not None:
        lines.append(f"  Thời gian chạy / elapsed: {elapsed_seconds:.1f} s")
    return "\n".join(lines)

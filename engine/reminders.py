"""Reminders before a task's due date, when it is overdue, and escalation up the chain.

Every task with a due date (`human_task.due_at`, set by a timer attached to the task) has a
fixed list of steps: reminders some days before (default 7 and 1), an overdue reminder to the
assignee, then escalations to the agency head and to the supervisors after some working days.
Each step is claimed by inserting its `reminder_log` row; the unique key (task, step, due date)
makes a step happen once even when sweeps run twice or in parallel on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import case, exists, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine.business_calendar import BusinessCalendar
from engine.calendar_overrides import load_calendar
from engine.clock import VIETNAM
from engine.notifications import NewNotification, notify
from engine.projection import record
from models import Agency, HumanTask, ProcessInstance, ReminderLog, RoleMembership, User

AUDIENCES = ("assignee", "agency_head", "supervisor")
# A reminder moved back to the previous working day can move past a long holiday (Tết).
_HOLIDAY_SLACK = timedelta(days=14)
_IN_CHUNK = 500


@dataclass(frozen=True)
class ReminderPolicy:
    """When to remind and whom to escalate to (days before in calendar days, escalation in working days)."""

    days_before: tuple[int, ...] = (7, 1)
    remind_overdue: bool = True
    escalation: tuple[tuple[str, int], ...] = (("agency_head", 3), ("supervisor", 10))

    def __post_init__(self) -> None:
        if any(d < 1 for d in self.days_before):
            raise ValueError("reminder days before a due date must be >= 1")
        for audience, days in self.escalation:
            if audience not in AUDIENCES[1:] or days < 0:
                raise ValueError(f"bad escalation step {audience}:{days}")

    @classmethod
    def from_settings(cls, extra: Mapping[str, str]) -> ReminderPolicy:
        """Read `reminder_days_before` ("7,1") and `escalation` ("agency_head:3,supervisor:10")."""
        default = cls()
        before = extra.get("reminder_days_before")
        chain = extra.get("escalation")
        days_before = default.days_before
        if before is not None:
            days_before = tuple(int(x) for x in before.split(",") if x.strip())
        escalation = default.escalation
        if chain is not None:
            pairs = (item.partition(":") for item in chain.split(",") if item.strip())
            escalation = tuple((name.strip(), int(days)) for name, _, days in pairs)
        remind_overdue = extra.get("remind_overdue", "1").lower() not in ("0", "false", "no")
        return cls(days_before=days_before, remind_overdue=remind_overdue, escalation=escalation)


@dataclass(frozen=True)
class Step:
    """One step of a due date's reminder plan."""

    key: str
    kind: str  # reminder | overdue | escalation
    audience: str  # assignee | agency_head | supervisor
    at: datetime
    days: int


@dataclass(frozen=True)
class ReminderSent:
    """A step that this sweep carried out."""

    task_id: int
    instance_id: int
    step: str
    kind: str
    recipients: tuple[str, ...]


def _local(instant: datetime) -> datetime:
    return instant.astimezone(VIETNAM)


def steps_for(due_at: datetime, policy: ReminderPolicy, calendar: BusinessCalendar) -> list[Step]:
    """The steps of one due date, in time order."""
    due = _local(due_at)
    steps: list[Step] = []
    for days in sorted(set(policy.days_before), reverse=True):
        day = due.date() - timedelta(days=days)
        # A reminder is read at work: a day off moves it back to the previous working day.
        while not calendar.is_working_day(day):
            day -= timedelta(days=1)
        steps.append(Step(f"before_{days}d", "reminder", "assignee", datetime.combine(day, time(0), VIETNAM), days))
    if policy.remind_overdue:
        steps.append(Step("overdue", "overdue", "assignee", due, 0))
    for audience, days in policy.escalation:
        day = calendar.add_working_days(due.date(), days) if days else due.date()
        steps.append(Step(f"escalate_{audience}", "escalation", audience, datetime.combine(day, due.timetz()), days))
    return sorted(steps, key=lambda s: s.at)


def final_step_key(policy: ReminderPolicy) -> str | None:
    """The step after which a due date needs nothing more (always logged, never skipped)."""
    if policy.escalation:
        audience, _ = max(policy.escalation, key=lambda item: item[1])
        return f"escalate_{audience}"
    if policy.remind_overdue:
        return "overdue"
    return f"before_{min(policy.days_before)}d" if policy.days_before else None


def plan_due_steps(steps: Sequence[Step], done: set[str], now: datetime) -> list[tuple[Step, str]]:
    """The steps to log now with their status: of the assignee's reminders only the latest is sent."""
    due = [s for s in steps if s.at <= now and s.key not in done]
    personal = [s for s in due if s.audience == "assignee"]
    latest = personal[-1].key if personal else None
    return [(s, "sent" if s.audience != "assignee" or s.key == latest else "skipped") for s in due]


@dataclass
class _Audience:
    """Who receives steps, looked up once per sweep."""

    session: Session
    holders: dict[tuple[int | None, str], list[tuple[int, str]]]

    def role(self, agency_id: int | None, role: str) -> list[tuple[int, str]]:
        key = (None if role == "supervisor" else agency_id, role)
        if key not in self.holders:
            query = (
                select(User.id, User.username)
                .join(RoleMembership, RoleMembership.user_id == User.id)
                .where(RoleMembership.role == role, User.is_active.is_(True))
                .order_by(User.id)
                .distinct()
            )
            if key[0] is not None:
                query = query.where(RoleMembership.agency_id == key[0])
            self.holders[key] = [(i, n) for i, n in self.session.execute(query)]
        return self.holders[key]

    def of(self, task: HumanTask, audience: str) -> list[tuple[int, str]]:
        if audience == "assignee":
            if task.assignee_id is not None:
                user = self.session.get(User, task.assignee_id)
                return [(user.id, user.username)] if user is not None and user.is_active else []
            return self.role(task.agency_id, task.role) if task.role else []
        return self.role(task.agency_id, audience)


def _claim(session: Session, values: dict[str, Any]) -> bool:
    """Insert the step's log row; False if another sweep already holds it."""
    dialect = session.get_bind().dialect.name
    keys = ["task_id", "step", "due_at"]
    if dialect in ("postgresql", "sqlite"):
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        stmt = (
            insert(ReminderLog).values(**values).on_conflict_do_nothing(index_elements=keys).returning(ReminderLog.id)
        )
        return session.execute(stmt).scalar_one_or_none() is not None
    try:
        with session.begin_nested():
            session.add(ReminderLog(**values))
        return True
    except IntegrityError:
        return False


def _d(instant: datetime) -> str:
    return f"{_local(instant):%d/%m/%Y}"


def _message(
    step: Step, task: HumanTask, due_at: datetime, key: str, agency: str, now: datetime, calendar: BusinessCalendar
) -> NewNotification:
    due = _d(due_at)
    name = task.name
    if step.kind == "reminder":
        left = max(0, (_local(due_at).date() - _local(now).date()).days)
        title = f"Nhắc việc: “{name}” đến hạn ngày {due} / Reminder: due {due}"
        body = (
            f"Công việc “{name}” ({key}, {agency}) đến hạn ngày {due}, còn {left} ngày.\n"
            f"Reminder: the task “{name}” ({key}) is due on {due}, in {left} day(s)."
        )
        return NewNotification("reminder", title, body, task.id, task.instance_id)
    late = max(0, calendar.working_days_between(_local(due_at).date(), _local(now).date()))
    if step.kind == "overdue":
        title = f"Quá hạn: “{name}” (hạn {due}) / Overdue since {due}"
        body = (
            f"Công việc “{name}” ({key}, {agency}) đã quá hạn ngày {due}. Vui lòng hoàn thành ngay.\n"
            f"Overdue: the task “{name}” ({key}) was due on {due}. Please complete it now."
        )
        return NewNotification("overdue", title, body, task.id, task.instance_id)
    level = {"agency_head": "Thủ trưởng cơ quan", "supervisor": "Sở KH&CN (giám sát)"}.get(step.audience, step.audience)
    title = f"Chuyển cấp xử lý: “{name}” của {agency} quá hạn / Escalation: overdue task"
    body = (
        f"Công việc “{name}” ({key}, {agency}) quá hạn {late} ngày làm việc (hạn {due}); "
        f"chuyển {level} đôn đốc.\n"
        f"Escalation to {step.audience}: the task “{name}” ({key}) is {late} working day(s) overdue (due {due})."
    )
    return NewNotification("escalation", title, body, task.id, task.instance_id)


@dataclass(frozen=True)
class _Candidate:
    task: HumanTask
    business_key: str
    agency_name: str
    due_at: datetime


def _base_query() -> Any:
    return (
        select(HumanTask, ProcessInstance.business_key, Agency.name)
        .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
        .join(Agency, Agency.id == HumanTask.agency_id)
        .where(HumanTask.status == "ready", ProcessInstance.status == "running")
    )


def _candidates(session: Session, now: datetime, policy: ReminderPolicy, limit: int) -> list[_Candidate]:
    horizon = now + timedelta(days=max(policy.days_before, default=0)) + _HOLIDAY_SLACK
    final = final_step_key(policy)
    query = _base_query().where(HumanTask.due_at.is_not(None), HumanTask.due_at <= horizon)
    if final is not None:
        # Tasks whose plan is complete cost nothing: overdue tasks do not pile up in every sweep.
        query = query.where(
            ~exists().where(
                ReminderLog.task_id == HumanTask.id, ReminderLog.step == final, ReminderLog.due_at == HumanTask.due_at
            )
        )
    found = [_Candidate(t, k, a, t.due_at) for t, k, a in session.execute(query.order_by(HumanTask.id).limit(limit))]
    # A due date once announced stays the reference of the chain, even if the task's deadline
    # timer has fired since and the projection no longer carries it.
    announced = (
        _base_query()
        .add_columns(func.max(ReminderLog.due_at))
        .join(ReminderLog, ReminderLog.task_id == HumanTask.id)
        .where(HumanTask.due_at.is_(None))
        .group_by(HumanTask.id, ProcessInstance.business_key, Agency.name)
        .order_by(HumanTask.id)
        .limit(limit)
    )
    if final is not None:
        announced = announced.having(func.sum(case((ReminderLog.step == final, 1), else_=0)) == 0)
    found += [_Candidate(t, k, a, due) for t, k, a, due in session.execute(announced)]
    return found


def _done_steps(session: Session, candidates: Iterable[_Candidate]) -> dict[tuple[int, datetime], set[str]]:
    ids = [c.task.id for c in candidates]
    done: dict[tuple[int, datetime], set[str]] = {}
    for start in range(0, len(ids), _IN_CHUNK):
        rows = session.execute(
            select(ReminderLog.task_id, ReminderLog.due_at, ReminderLog.step).where(
                ReminderLog.task_id.in_(ids[start : start + _IN_CHUNK])
            )
        )
        for task_id, due_at, step in rows:
            done.setdefault((task_id, due_at), set()).add(step)
    return done


def send_reminders(
    session: Session,
    now: datetime,
    *,
    policy: ReminderPolicy | None = None,
    calendar: BusinessCalendar | None = None,
    send_email: bool = False,
    limit: int = 5000,
) -> list[ReminderSent]:
    """Carry out every reminder and escalation step due at `now`; the caller commits."""
    policy = policy or ReminderPolicy()
    calendar = calendar or load_calendar(session)
    candidates = _candidates(session, now, policy, limit)
    done = _done_steps(session, candidates)
    audience = _Audience(session, {})
    sent: list[ReminderSent] = []
    for candidate in candidates:
        task, due_at = candidate.task, candidate.due_at
        steps = steps_for(due_at, policy, calendar)
        for step, status in plan_due_steps(steps, done.get((task.id, due_at), set()), now):
            people = audience.of(task, step.audience) if status == "sent" else []
            names = [name for _, name in people]
            values = {
                "task_id": task.id,
                "instance_id": task.instance_id,
                "step": step.key,
                "due_at": due_at,
                "status": status,
                "at": now,
                "recipients": names,
            }
            if not _claim(session, values) or status != "sent":
                continue
            note = _message(step, task, due_at, candidate.business_key, candidate.agency_name, now, calendar)
            notify(session, now, (user_id for user_id, _ in people), note, send_email=send_email)
            kind = "escalated" if step.kind == "escalation" else "reminder_sent"
            data = {
                "task_id": task.id,
                "step": step.key,
                "audience": step.audience,
                "due_at": due_at.isoformat(),
                "recipients": names,
            }
            record(session, task.instance_id, now, "system", kind, spec_id=task.spec_id, task_name=task.name, data=data)
            sent.append(ReminderSent(task.id, task.instance_id, step.key, step.kind, tuple(names)))
    session.flush()
    return sent

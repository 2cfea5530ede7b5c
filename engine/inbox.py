"""The inbox as a filtered, sorted, paginated list with its total count."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session

from engine.errors import ValidationFailed
from engine.records import Actor, TaskRecord
from engine.task_queries import offered_to, task_query, to_record
from models import Agency, HumanTask

# open: mine + offered to my roles; team: every ready task of agencies I head; done: what I completed.
STATUSES = ("open", "mine", "unclaimed", "team", "done")
DUE_FILTERS = ("overdue", "week", "month", "none")
SORTS = ("due", "-due", "created", "-created", "name", "agency")
MAX_PER_PAGE = 100


@dataclass(frozen=True)
class InboxQuery:
    """What the user asked to see."""

    process: str | None = None
    agency: str | None = None
    status: str = "open"
    due: str | None = None
    sort: str = "due"
    page: int = 1
    per_page: int = 25

    def checked(self) -> InboxQuery:
        """This query, or ValidationFailed naming each bad parameter."""
        details: dict[str, str] = {}
        if self.status not in STATUSES:
            details["status"] = f"một trong / one of: {', '.join(STATUSES)}"
        if self.due is not None and self.due not in DUE_FILTERS:
            details["due"] = f"một trong / one of: {', '.join(DUE_FILTERS)}"
        if self.sort not in SORTS:
            details["sort"] = f"một trong / one of: {', '.join(SORTS)}"
        if self.page < 1:
            details["page"] = "≥ 1"
        if not 1 <= self.per_page <= MAX_PER_PAGE:
            details["per_page"] = f"1..{MAX_PER_PAGE}"
        if details:
            raise ValidationFailed("Tham số danh sách không hợp lệ (invalid list parameters)", details=details)
        return self


@dataclass(frozen=True)
class InboxPage:
    """One page of tasks and how many match in all."""

    items: tuple[TaskRecord, ...]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        """How many pages the matches fill (at least one)."""
        return max(1, -(-self.total // self.per_page))


def _status_condition(actor: Actor, status: str) -> ColumnElement[bool]:
    if status == "mine":
        return and_(HumanTask.status == "ready", HumanTask.assignee_id == actor.user_id)
    if status == "unclaimed":
        return and_(offered_to(actor), HumanTask.assignee_id.is_(None), HumanTask.status == "ready")
    if status == "team":
        headed = sorted(agency for agency, role in actor.memberships if role == "agency_head")
        return and_(HumanTask.status == "ready", HumanTask.agency_id.in_(headed))
    if status == "done":
        return and_(HumanTask.status == "completed", HumanTask.completed_by_id == actor.user_id)
    condition: ColumnElement[bool] = offered_to(actor)
    return condition


def _due_condition(due: str, now: datetime) -> ColumnElement[bool]:
    if due == "overdue":
        return HumanTask.due_at < now
    if due == "none":
        return HumanTask.due_at.is_(None)
    horizon = now + timedelta(days=7 if due == "week" else 31)
    return and_(HumanTask.due_at >= now, HumanTask.due_at <= horizon)


def _conditions(actor: Actor, query: InboxQuery, now: datetime) -> list[ColumnElement[bool]]:
    conditions = [_status_condition(actor, query.status)]
    if query.process:
        conditions.append(HumanTask.process_key == query.process)
    if query.agency:
        conditions.append(HumanTask.agency_id.in_(select(Agency.id).where(Agency.code == query.agency)))
    if query.due:
        conditions.append(_due_condition(query.due, now))
    return conditions


def _order(sort: str) -> list[Any]:
    by_due = [HumanTask.due_at.is_(None), HumanTask.due_at]
    orders: dict[str, list[Any]] = {
        "due": by_due,
        "-due": [HumanTask.due_at.is_(None), HumanTask.due_at.desc()],
        "created": [HumanTask.created_at],
        "-created": [HumanTask.created_at.desc()],
        "name": [HumanTask.name, *by_due],
        "agency": [Agency.code, *by_due],
    }
    return [*orders[sort], HumanTask.id]


def inbox_page(session: Session, actor: Actor, query: InboxQuery, now: datetime) -> InboxPage:
    """The page of the actor's tasks that the query asks for, with the total count."""
    query = query.checked()
    conditions = _conditions(actor, query, now)
    rows = session.execute(
        task_query().where(*conditions).order_by(*_order(query.sort))
        .limit(query.per_page).offset((query.page - 1) * query.per_page)
    )
    items = tuple(to_record(row) for row in rows)
    total = len(items) + (query.page - 1) * query.per_page
    if len(items) == query.per_page or (query.page > 1 and not items):
        total = int(session.scalar(select(func.count(HumanTask.id)).where(*conditions)) or 0)
    return InboxPage(items, total, query.page, query.per_page)


def inbox_count(session: Session, actor: Actor) -> int:
    """How many ready tasks wait for the actor (the number in the navigation bar)."""
    return int(session.scalar(select(func.count(HumanTask.id)).where(offered_to(actor))) or 0)


def inbox_processes(session: Session, actor: Actor) -> list[str]:
    """The process keys of the actor's open tasks (the choices of the process filter)."""
    return list(session.scalars(select(HumanTask.process_key).where(offered_to(actor)).distinct()))

"""Out-of-office substitutes: while a user is away, tasks offered to their roles go to a colleague."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import ColumnElement, and_, select
from sqlalchemy.orm import Session, aliased

from engine.clock import VIETNAM, Clock
from engine.errors import Conflict, Forbidden, NotFound, ValidationFailed
from engine.records import Actor
from engine.task_access import load_visible_task
from models import Agency, RoleMembership, Substitution, User

# Only work roles travel to a substitute; supervision and administration never do.
DELEGABLE_ROLES = ("iso_officer", "agency_head", "internal_auditor")
MAX_ABSENCE_DAYS = 366


@dataclass(frozen=True)
class SubstitutionRecord:
    """An absence with its substitute."""

    id: int
    user: str
    user_full_name: str
    substitute: str
    substitute_full_name: str
    first_day: date
    last_day: date


@dataclass(frozen=True)
class Colleague:
    """A person who shares an agency with the actor."""

    username: str
    full_name: str
    agency_code: str
    role: str


def today_in_vietnam(now: datetime) -> date:
    """The calendar day in Vietnam at an instant (absences are whole local days)."""
    return now.astimezone(VIETNAM).date()


def _active(today: date) -> ColumnElement[bool]:
    return and_(Substitution.cancelled_at.is_(None), Substitution.first_day <= today, Substitution.last_day >= today)


def effective_actor(session: Session, actor: Actor, today: date) -> Actor:
    """The actor plus the work roles of colleagues away today who named them substitute.

    Only roles in agencies where the substitute already works are added: standing in never opens
    another agency's records.
    """
    if actor.user_id is None:
        return actor
    rows = session.execute(
        select(RoleMembership.agency_id, RoleMembership.role)
        .join(Substitution, Substitution.user_id == RoleMembership.user_id)
        .where(Substitution.substitute_id == actor.user_id, _active(today),
               RoleMembership.role.in_(DELEGABLE_ROLES))
    )
    own = actor.agency_ids()
    extra = {(agency, role) for agency, role in rows if agency in own}
    borrowed = frozenset(extra - actor.memberships)
    return replace(actor, memberships=actor.memberships | borrowed, borrowed=borrowed) if borrowed else actor


def acting_for(session: Session, actor: Actor, agency_id: int, role: str | None, today: date) -> str | None:
    """The absent colleague whose role the actor uses here, or None if the actor holds it themselves."""
    if actor.user_id is None or role is None or (agency_id, role) not in actor.borrowed:
        return None  # the actor's own role (or one they cannot use at all): nobody is stood in for
    return session.scalar(
        select(User.username)
        .join(Substitution, Substitution.user_id == User.id)
        .join(RoleMembership, RoleMembership.user_id == User.id)
        .where(Substitution.substitute_id == actor.user_id, _active(today),
               RoleMembership.agency_id == agency_id, RoleMembership.role == role)
        .limit(1)
    )


def colleagues(session: Session, actor: Actor, agency_id: int | None = None) -> list[Colleague]:
    """Active users holding a work role in the actor's agencies (or in one of them)."""
    agencies = {agency_id} if agency_id is not None else set(actor.agency_ids())
    rows = session.execute(
        select(User.username, User.full_name, Agency.code, RoleMembership.role)
        .join(RoleMembership, RoleMembership.user_id == User.id)
        .join(Agency, Agency.id == RoleMembership.agency_id)
        .where(RoleMembership.agency_id.in_(agencies), RoleMembership.role.in_(DELEGABLE_ROLES),
               User.is_active.is_(True))
        .order_by(Agency.code, User.full_name)
    )
    return [Colleague(*row) for row in rows]


def set_substitute(
    session: Session, clock: Clock, actor: Actor, substitute: str, first_day: date, last_day: date
) -> SubstitutionRecord:
    """Record an absence: from first_day to last_day, new tasks of the actor's roles go to `substitute`."""
    today = today_in_vietnam(clock.now())
    details: dict[str, str] = {}
    if last_day < first_day:
        details["last_day"] = "Ngày kết thúc phải sau ngày bắt đầu (the last day is before the first day)"
    elif last_day < today:
        details["last_day"] = "Khoảng thời gian đã qua (the period is over)"
    elif (last_day - first_day).days > MAX_ABSENCE_DAYS:
        details["last_day"] = "Tối đa một năm (at most one year)"
    target = session.scalars(select(User).where(User.username == substitute, User.is_active.is_(True))).first()
    shared = {c.username for c in colleagues(session, actor)} - {actor.username}
    if target is None or substitute not in shared:
        details["substitute"] = "Người thay thế phải là đồng nghiệp cùng cơ quan (the substitute must be a colleague)"
    if details:
        raise ValidationFailed("Không thể đặt người thay thế (cannot set the substitute)", details=details)
    assert target is not None and actor.user_id is not None
    if _overlapping(session, actor.user_id, first_day, last_day):
        raise Conflict("Đã có người thay thế trong khoảng thời gian này (an absence already covers these days)")
    row = Substitution(user_id=actor.user_id, substitute_id=target.id, first_day=first_day, last_day=last_day,
                       created_at=clock.now())
    session.add(row)
    session.flush()
    return _records(session, [row.id])[0]


def _overlapping(session: Session, user_id: int, first_day: date, last_day: date) -> bool:
    return session.scalar(
        select(Substitution.id).where(
            Substitution.user_id == user_id, Substitution.cancelled_at.is_(None),
            Substitution.first_day <= last_day, Substitution.last_day >= first_day,
        ).limit(1)
    ) is not None


def cancel_substitute(session: Session, clock: Clock, actor: Actor, substitution_id: int) -> None:
    """End an absence early (only its owner may)."""
    row = session.get(Substitution, substitution_id)
    if row is None or row.cancelled_at is not None:
        raise NotFound(f"Không tìm thấy lịch vắng mặt {substitution_id} (no absence {substitution_id})")
    if row.user_id != actor.user_id:
        raise Forbidden("Chỉ người vắng mặt được hủy lịch này (only the absent user may cancel it)")
    row.cancelled_at = clock.now()
    session.flush()


def substitutions_of(session: Session, actor: Actor, today: date) -> list[SubstitutionRecord]:
    """Current and coming absences where the actor is away or stands in."""
    ids = session.scalars(
        select(Substitution.id)
        .where(Substitution.cancelled_at.is_(None), Substitution.last_day >= today)
        .where((Substitution.user_id == actor.user_id) | (Substitution.substitute_id == actor.user_id))
        .order_by(Substitution.first_day)
    ).all()
    return _records(session, list(ids))


def _records(session: Session, ids: list[int]) -> list[SubstitutionRecord]:
    away = aliased(User)
    standin = aliased(User)
    rows = session.execute(
        select(Substitution, away, standin)
        .join(away, away.id == Substitution.user_id)
        .join(standin, standin.id == Substitution.substitute_id)
        .where(Substitution.id.in_(ids))
        .order_by(Substitution.first_day, Substitution.id)
    )
    return [
        SubstitutionRecord(s.id, a.username, a.full_name, b.username, b.full_name, s.first_day, s.last_day)
        for s, a, b in rows
    ]


def task_colleagues(session: Session, actor: Actor, task_id: int) -> list[Colleague]:
    """Who a head may hand a task to: colleagues with a work role in the task's agency."""
    task = load_visible_task(session, actor, task_id)
    return colleagues(session, actor, task.agency_id)

"""The agencies a user may look at: their own, or every one for supervisors and administrators."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select, true
from sqlalchemy.orm import Session

from engine.access import reads_everything
from engine.records import Actor
from models import Agency


@dataclass(frozen=True)
class AgencyRecord:
    """An agency as listed."""

    id: int
    code: str
    name: str
    level: str
    status: str
    valid_from: date
    valid_to: date | None


def visible_agencies(
    session: Session, actor: Actor, *, limit: int = 100, offset: int = 0
) -> tuple[list[AgencyRecord], int]:
    """A page of the agencies the actor may read, by code, and how many there are in all."""
    condition = true() if reads_everything(actor) else Agency.id.in_(sorted(actor.agency_ids()))
    rows = session.scalars(select(Agency).where(condition).order_by(Agency.code).limit(limit).offset(offset))
    total = int(session.scalar(select(func.count(Agency.id)).where(condition)) or 0)
    items = [AgencyRecord(a.id, a.code, a.name, a.level, a.status, a.valid_from, a.valid_to) for a in rows]
    return items, total

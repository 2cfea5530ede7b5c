"""Scenario helpers: every step goes through the engine's use cases and is committed, like a request."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import instances, tasks, timers
from engine.accounts import actor_by_username, create_user, grant_role
from engine.clock import VIETNAM, VirtualClock
from engine.records import FiredTimer
from models import HistoryEvent, HumanTask, ProcessInstance, Timer


def vn(year: int, month: int, day: int, hour: int = 8, minute: int = 0) -> datetime:
    """An instant in Vietnam time."""
    return datetime(year, month, day, hour, minute, tzinfo=VIETNAM)


class Scenario:
    """Drives process instances through the engine, committing after every step."""

    def __init__(self, session: Session, clock: VirtualClock) -> None:
        self.session, self.clock = session, clock

    def start_cycle(self, code: str = "VL-013", year: int = 2024) -> int:
        results = instances.start_cycle(self.session, self.clock, year, agency_code=code)
        self.session.commit()
        return results[0].instance_id

    def start(self, process: str, code: str = "VL-013", data: dict[str, Any] | None = None, year: int = 2024) -> int:
        agency = instances.agency_by_code(self.session, code)
        key = instances.business_key(code, year, process, "iso_annual_cycle")
        result = instances.start_instance(self.session, self.clock, process, agency, year, key=key, data=data)
        self.session.commit()
        return result.instance_id

    def ready(self, instance_id: int) -> list[HumanTask]:
        return list(self.session.scalars(
            select(HumanTask).where(HumanTask.instance_id == instance_id, HumanTask.status == "ready")
            .order_by(HumanTask.id)))

    def ready_specs(self, instance_id: int) -> list[str]:
        return sorted(t.spec_id for t in self.ready(instance_id))

    def task(self, instance_id: int, spec_id: str) -> HumanTask:
        found = [t for t in self.ready(instance_id) if t.spec_id == spec_id]
        assert found, f"{spec_id} is not ready; ready: {self.ready_specs(instance_id)}"
        return found[0]

    def do(
        self, username: str, instance_id: int, spec_id: str, data: dict[str, Any], *, task_id: int | None = None
    ) -> None:
        target = task_id if task_id is not None else self.task(instance_id, spec_id).id
        try:
            tasks.complete_task(self.session, self.clock, actor_by_username(self.session, username), target, data)
        except Exception:
            self.session.rollback()
            raise
        self.session.commit()

    def at(self, instant: datetime) -> list[FiredTimer]:
        self.clock.set(instant)
        fired = timers.fire_due(self.session, self.clock.now())
        self.session.commit()
        return fired

    def history(self, instance_id: int, kind: str | None = None) -> list[tuple[str, str | None]]:
        query = select(HistoryEvent).where(HistoryEvent.instance_id == instance_id).order_by(HistoryEvent.id)
        return [(h.kind, h.spec_id) for h in self.session.scalars(query) if kind is None or h.kind == kind]

    def timers(self, instance_id: int) -> dict[str, str]:
        rows = self.session.scalars(select(Timer).where(Timer.instance_id == instance_id).order_by(Timer.id))
        return {t.spec_id: t.status for t in rows}

    def status(self, instance_id: int) -> str:
        instance = self.session.get_one(ProcessInstance, instance_id)
        self.session.refresh(instance)
        return instance.status

    def user(self, username: str, *roles: str, code: str = "VL-013") -> None:
        user = create_user(self.session, self.clock.now(), username, username, "secret-pass")
        agency = instances.agency_by_code(self.session, code)
        for role in roles:
            grant_role(self.session, user, agency, role)
        self.session.commit()


@pytest.fixture
def sc(seeded: Session, clock: VirtualClock) -> Scenario:
    """A scenario on the seeded database, with a second auditor and a user holding two roles."""
    scenario = Scenario(seeded, clock)
    scenario.user("auditor.two", "internal_auditor")
    scenario.user("officer.auditor", "iso_officer", "internal_auditor")
    return scenario



"""Plain frozen records that use cases return to the entry points."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Actor:
    """Who is acting: a user with their memberships, or the system."""

    user_id: int | None
    username: str
    memberships: frozenset[tuple[int, str]] = frozenset()  # (agency_id, role)
    # Roles used only while standing in for an absent colleague (engine.delegation.effective_actor).
    borrowed: frozenset[tuple[int, str]] = frozenset()

    @property
    def is_supervisor(self) -> bool:
        """Holds the supervisor role somewhere (supervision is province-wide)."""
        return any(role == "supervisor" for _, role in self.memberships)

    @property
    def is_admin(self) -> bool:
        """Holds the administrator role."""
        return any(role == "admin" for _, role in self.memberships)

    def holds(self, agency_id: int, role: str | None) -> bool:
        """True if the actor may take a task offered to `role` in `agency_id`."""
        if role is None:
            return False
        if role == "supervisor":
            return self.is_supervisor
        return (agency_id, role) in self.memberships

    def agency_ids(self) -> frozenset[int]:
        """The agencies where the actor holds any role."""
        return frozenset(agency for agency, _ in self.memberships)


SYSTEM = Actor(user_id=None, username="system")


@dataclass(frozen=True)
class DeployResult:
    """What deploying one process folder did."""

    key: str
    version: int
    created: bool


@dataclass(frozen=True)
class TaskRecord:
    """A human task as shown in an inbox."""

    id: int
    instance_id: int
    business_key: str
    process_key: str
    spec_id: str
    name: str
    lane: str | None
    role: str | None
    agency_code: str
    agency_name: str
    assignee: str | None
    status: str
    due_at: datetime | None
    created_at: datetime
    instance_version: int
    unassignable: bool = False


@dataclass(frozen=True)
class TimerRecord:
    """A timer of an instance."""

    id: int
    spec_id: str
    name: str
    due_at: datetime
    status: str
    fired_at: datetime | None


@dataclass(frozen=True)
class HistoryRecord:
    """One entry of an instance's history."""

    at: datetime
    actor: str
    kind: str
    spec_id: str | None
    task_name: str | None
    data: dict[str, Any]


@dataclass(frozen=True)
class InstanceRecord:
    """An instance as listed."""

    id: int
    business_key: str
    process_key: str
    definition_version: int
    agency_code: str
    agency_name: str
    cycle_year: int | None
    status: str
    version: int
    started_at: datetime
    ended_at: datetime | None


@dataclass(frozen=True)
class InstanceDetail:
    """An instance with its tasks, timers and history."""

    instance: InstanceRecord
    tasks: tuple[TaskRecord, ...]
    timers: tuple[TimerRecord, ...]
    history: tuple[HistoryRecord, ...]
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class StartResult:
    """The outcome of starting an instance (idempotent per business key)."""

    instance_id: int
    business_key: str
    created: bool


@dataclass(frozen=True)
class FiredTimer:
    """A timer that a sweep fired (or failed to fire)."""

    timer_id: int
    instance_id: int
    spec_id: str
    due_at: datetime
    ok: bool
    message: str = ""

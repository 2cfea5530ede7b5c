"""The one source of time for the engine, so a virtual clock can move workflows through a year."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


class Clock(Protocol):
    """Anything that tells the current time (timezone-aware)."""

    def now(self) -> datetime:
        """Return the current instant as an aware datetime."""
        ...


class SystemClock:
    """The wall clock."""

    def now(self) -> datetime:
        """Return the current instant in UTC."""
        return datetime.now(UTC)


@dataclass
class VirtualClock:
    """A clock that only moves when told to: tests and the simulator drive it."""

    current: datetime = field(default_factory=lambda: datetime(2024, 1, 1, tzinfo=VIETNAM))

    def now(self) -> datetime:
        """Return the virtual instant."""
        return self.current

    def set(self, instant: datetime) -> None:
        """Jump to an instant (never backwards)."""
        if instant.tzinfo is None:
            raise ValueError("VirtualClock needs an aware datetime")
        if instant < self.current:
            raise ValueError("VirtualClock cannot move backwards")
        self.current = instant

    def advance(self, delta: timedelta) -> None:
        """Move forward by a duration."""
        self.set(self.current + delta)

"""Make SpiffWorkflow's timers read the engine's clock instead of the wall clock.

SpiffWorkflow's timer event definitions call `datetime.now(timezone.utc)` themselves. We
replace the `datetime` name inside that one module by a subclass whose `now()` answers
from a context variable that the runner sets around every workflow operation, so that a
virtual clock can move a workflow through a whole year.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, tzinfo

from SpiffWorkflow.bpmn.specs.event_definitions import timer as spiff_timer

_current: ContextVar[datetime | None] = ContextVar("isoflow_workflow_now", default=None)


class _ClockedDatetime(datetime):
    """A datetime whose now() is the engine's clock while a workflow operation runs."""

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> _ClockedDatetime:
        instant = _current.get()
        if instant is None:
            return super().now(tz)
        instant = instant.astimezone(tz) if tz is not None else instant
        return cls.fromtimestamp(instant.timestamp(), instant.tzinfo)


def _install() -> None:
    if spiff_timer.datetime is not _ClockedDatetime:
        spiff_timer.datetime = _ClockedDatetime  # type: ignore[misc]


@contextmanager
def workflow_time(instant: datetime) -> Iterator[None]:
    """Run the enclosed SpiffWorkflow calls as if it were `instant`."""
    if instant.tzinfo is None:
        raise ValueError("workflow_time needs an aware datetime")
    _install()
    token = _current.set(instant)
    try:
        yield
    finally:
        _current.reset(token)


def current_instant() -> datetime | None:
    """The instant of the running workflow operation, if any (for script helpers)."""
    return _current.get()

"""Statutory deadlines as absolute instants, and the date helpers offered to process scripts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from engine.business_calendar import BusinessCalendar, default_calendar


def deadline_text(year: int, month: int, day: int) -> str:
    """End of the working day (17:00, Vietnam time) of a date, as ISO text for BPMN timers."""
    return f"{int(year):04d}-{int(month):02d}-{int(day):02d}T17:00:00+07:00"


def _as_date(value: Any) -> date:
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def script_helpers(calendar: BusinessCalendar | None = None) -> dict[str, Callable[..., Any]]:
    """Safe calendar functions for BPMN scripts and timer expressions (dates as ISO text)."""
    cal = calendar or default_calendar()

    def add_months(start: Any, months: int) -> str:
        return cal.add_months(_as_date(start), int(months)).isoformat()

    def add_working_days(start: Any, days: int) -> str:
        return cal.add_working_days(_as_date(start), int(days)).isoformat()

    def deadline_after_months(start: Any, months: int) -> str:
        end = cal.add_months(_as_date(start), int(months))
        return deadline_text(end.year, end.month, end.day)

    def deadline_after_working_days(start: Any, days: int) -> str:
        end = cal.add_working_days(_as_date(start), int(days))
        return deadline_text(end.year, end.month, end.day)

    return {
        "add_months": add_months,
        "add_working_days": add_working_days,
        "deadline_after_months": deadline_after_months,
        "deadline_after_working_days": deadline_after_working_days,
        "is_working_day": lambda day: cal.is_working_day(_as_date(day)),
    }

"""The administrator-maintained calendar overrides stored in the database, and their use.

The government announces day swaps and extra days off each year; administrators record them
in the `calendar_override` table. Deadlines computed by process scripts and reminders use
the calendar built from that table, so an entry point installs it (`install_calendar`).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.business_calendar import BusinessCalendar, CalendarOverride, parse_overrides_csv
from engine.deadlines import script_helpers
from engine.errors import Conflict, NotFound, ValidationFailed
from engine.spiff.runner import configure_script_helpers
from models import CalendarOverrideRow

_REASON_MAX = 255


def _record(row: CalendarOverrideRow) -> CalendarOverride:
    return CalendarOverride(row.day, bool(row.working), row.reason)


def list_overrides(session: Session, *, year: int | None = None) -> list[CalendarOverride]:
    """The stored overrides in date order, optionally of one year only."""
    query = select(CalendarOverrideRow).order_by(CalendarOverrideRow.day)
    if year is not None:
        query = query.where(CalendarOverrideRow.day >= date(year, 1, 1), CalendarOverrideRow.day <= date(year, 12, 31))
    return [_record(row) for row in session.scalars(query)]


def load_calendar(session: Session) -> BusinessCalendar:
    """The working-day calendar: public holidays plus every stored override."""
    return BusinessCalendar(list_overrides(session))


def _check_reason(reason: str) -> str:
    text = reason.strip()
    if not text:
        raise ValidationFailed(
            "Cần ghi lý do (văn bản công bố) cho ngày ngoại lệ (a reason is required)",
            details={"reason": "required"},
        )
    if len(text) > _REASON_MAX:
        raise ValidationFailed(
            f"Lý do quá dài, tối đa {_REASON_MAX} ký tự (reason longer than {_REASON_MAX} characters)",
            details={"reason": "too long"},
        )
    return text


def add_override(session: Session, day: date, working: bool, reason: str, *, replace: bool = False) -> CalendarOverride:
    """Declare `day` a working day or a day off; an existing entry is a Conflict unless `replace`."""
    text = _check_reason(reason)
    row = session.get(CalendarOverrideRow, day)
    if row is not None and not replace:
        raise Conflict(
            f"Ngày {day:%d/%m/%Y} đã có trong bảng ngoại lệ ({row.reason}) "
            f"(day {day.isoformat()} is already overridden)"
        )
    if row is None:
        row = CalendarOverrideRow(day=day, working=working, reason=text)
        session.add(row)
    else:
        row.working = working
        row.reason = text
    session.flush()
    return _record(row)


def remove_override(session: Session, day: date) -> CalendarOverride:
    """Delete the override of `day`; NotFound if there is none."""
    row = session.get(CalendarOverrideRow, day)
    if row is None:
        raise NotFound(f"Ngày {day:%d/%m/%Y} không có trong bảng ngoại lệ (no override for {day.isoformat()})")
    removed = _record(row)
    session.delete(row)
    session.flush()
    return removed


def import_overrides_csv(session: Session, text: str, *, replace: bool = False) -> list[CalendarOverride]:
    """Add every `date,working,reason` row of a CSV text (see business_calendar.parse_overrides_csv)."""
    try:
        parsed = parse_overrides_csv(text)
    except ValueError as exc:
        raise ValidationFailed(f"Tệp CSV không hợp lệ (invalid CSV): {exc}") from exc
    return [add_override(session, o.day, o.working, o.reason, replace=replace) for o in parsed]


def install_calendar(session: Session) -> BusinessCalendar:
    """Load the stored calendar and make process scripts' date helpers use it; returns it."""
    calendar = load_calendar(session)
    configure_script_helpers(script_helpers(calendar))
    return calendar

"""Working-day calendar of Vietnamese state agencies, for deadlines and reminders.

A day is a working day when, in order of precedence:

1. an administrator override (``CalendarOverride``) says so - overrides carry the
   yearly government announcements (extra days off and make-up Saturdays);
2. otherwise the ``holidays`` package's Vietnam table says so: Monday-Friday that
   is not a public holiday (Labour Code 2019, Art. 112, with the compensatory and
   swapped days the package knows), or a make-up Saturday it lists.

Periods follow the Civil Code (Arts. 145-148): the day of the event is not
counted, and a period whose last day is not a working day ends on the next one.
"""

from __future__ import annotations

import csv
import io
from calendar import monthrange
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from types import MappingProxyType

import holidays

_ONE_DAY = timedelta(days=1)
_SATURDAY = 5  # date.weekday() of Saturday; Sunday is 6
_CSV_HEADER = ("date", "working", "reason")


@dataclass(frozen=True)
class CalendarOverride:
    """An administrator-declared exception: `day` is (or is not) a working day."""

    day: date
    working: bool
    reason: str


def _require_date(value: date) -> date:
    """Reject datetimes (and non-dates): a calendar day must be unambiguous."""
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError(f"expected datetime.date, got {type(value).__name__}")
    return value


@cache
def _statutory_year(year: int) -> tuple[frozenset[date], frozenset[date]]:
    """Return (public holidays, make-up weekend workdays) of `year` per `holidays`."""
    # The next year is loaded too: a swap may register its make-up Saturday in the
    # previous year (e.g. Sat 27/12/2014 was worked for Fri 2/1/2015 off).
    table = holidays.country_holidays("VN", years=(year, year + 1))
    days_off = frozenset(day for day in table if day.year == year)
    workdays = frozenset(day for day in table.weekend_workdays if day.year == year)
    return days_off, workdays


def _months_later(start: date, n: int) -> date:
    """Same day number `n` months later, clamped to that month's last day."""
    index = start.year * 12 + start.month - 1 + n
    year, month = divmod(index, 12)
    return date(year, month + 1, min(start.day, monthrange(year, month + 1)[1]))


class BusinessCalendar:
    """Immutable working-day calendar: statutory holidays plus overrides."""

    __slots__ = ("_overrides", "_working")

    def __init__(self, overrides: Iterable[CalendarOverride] = ()) -> None:
        """Build a calendar; a day may be overridden at most once."""
        self._overrides = tuple(overrides)
        working: dict[date, bool] = {}
        for override in self._overrides:
            day = _require_date(override.day)
            if day in working:
                raise ValueError(f"duplicate calendar override for {day.isoformat()}")
            working[day] = bool(override.working)
        self._working: Mapping[date, bool] = MappingProxyType(working)

    @property
    def overrides(self) -> tuple[CalendarOverride, ...]:
        """The overrides this calendar was built from, in the given order."""
        return self._overrides

    def is_working_day(self, day: date) -> bool:
        """Return True if state agencies work on `day`."""
        override = self._working.get(_require_date(day))
        if override is not None:
            return override
        days_off, weekend_workdays = _statutory_year(day.year)
        if day.weekday() >= _SATURDAY:
            return day in weekend_workdays
        return day not in days_off

    def next_working_day(self, day: date) -> date:
        """Return `day` if it is a working day, else the first working day after it."""
        while not self.is_working_day(day):
            day += _ONE_DAY
        return day

    def add_working_days(self, start: date, n: int) -> date:
        """Return the n-th working day after `start` (before it if n < 0).

        `start` itself is never counted. n == 0 means "due on the day of the
        event": `start` if it is a working day, else the next working day.
        """
        if n == 0:
            return self.next_working_day(start)
        step = _ONE_DAY if n > 0 else -_ONE_DAY
        day, remaining = _require_date(start), abs(n)
        while remaining:
            day += step
            if self.is_working_day(day):
                remaining -= 1
        return day

    def add_months(self, start: date, n: int) -> date:
        """Return the end of an n-month period starting on the event day `start`.

        The period ends on the same day number n months later (that month's last
        day if it is shorter), moved to the next working day if needed. n == 0 is
        the empty period and returns `start` unchanged; n < 0 is rejected.
        """
        _require_date(start)
        if n < 0:
            raise ValueError(f"a period of months cannot be negative: {n}")
        if n == 0:
            return start
        return self.next_working_day(_months_later(start, n))

    def working_days_between(self, a: date, b: date) -> int:
        """Count working days in (a, b]; the count is negated when b < a."""
        _require_date(a)
        _require_date(b)
        if b < a:
            return -self.working_days_between(b, a)
        count, day = 0, a
        while day < b:
            day += _ONE_DAY
            count += self.is_working_day(day)
        return count


@cache
def default_calendar() -> BusinessCalendar:
    """Return the shared calendar without overrides (built on first use)."""
    return BusinessCalendar()


def parse_overrides_csv(text: str) -> list[CalendarOverride]:
    """Parse CSV rows `date,working,reason` (ISO date, working 0/1) into overrides.

    An optional header row, blank lines and lines starting with '#' are skipped.
    """
    reader = csv.reader(io.StringIO(text))
    result: list[CalendarOverride] = []
    seen: dict[date, int] = {}
    first = True
    for row in reader:
        line = reader.line_num
        cells = [cell.strip() for cell in row]
        if not "".join(cells) or cells[0].startswith("#"):
            continue
        if first and tuple(cell.lower() for cell in cells) == _CSV_HEADER:
            first = False
            continue
        first = False
        if len(cells) != len(_CSV_HEADER):
            raise ValueError(f"line {line}: expected date,working,reason, got {row!r}")
        raw_day, raw_working, reason = cells
        try:
            day = date.fromisoformat(raw_day)
        except ValueError:
            raise ValueError(f"line {line}: invalid ISO date {raw_day!r}") from None
        if raw_working not in ("0", "1"):
            raise ValueError(
                f"line {line}: working must be 0 or 1, got {raw_working!r}"
            )
        if not reason:
            raise ValueError(f"line {line}: reason is empty")
        if day in seen:
            raise ValueError(
                f"line {line}: {day} already overridden on line {seen[day]}"
            )
        seen[day] = line
        result.append(CalendarOverride(day, raw_working == "1", reason))
    return result

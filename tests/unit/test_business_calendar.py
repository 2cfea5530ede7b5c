"""Tests for the Vietnamese working-day calendar (engine.business_calendar)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given
from hypothesis import strategies as st

from engine.business_calendar import (
    BusinessCalendar,
    CalendarOverride,
    default_calendar,
    parse_overrides_csv,
)

D = date
DEFAULT = default_calendar()
# The government's New Year 2026 swap, which the holidays package does not know.
OVERRIDES_2026 = (
    CalendarOverride(
        D(2026, 1, 2), False, "New Year 2026: Fri 2/1 off, swapped with Sat 10/1"
    ),
    CalendarOverride(D(2026, 1, 10), True, "Make-up working day for Fri 2/1/2026"),
)
CAL_2026 = BusinessCalendar(OVERRIDES_2026)
CALENDARS = {"default": DEFAULT, "2026": CAL_2026}

# --- hand-checked table ---------------------------------------------------------------

IS_WORKING_DAY_CASES = [
    # Mon 1/1/2024: New Year's Day (Art. 112 1(a)).
    ("default", D(2024, 1, 1), False),
    # Wed 7/2/2024: last working day before the Tet 2024 break.
    ("default", D(2024, 2, 7), True),
    # Thu 8/2/2024 (29th of the 12th lunar month): first day of the Tet 2024 break.
    ("default", D(2024, 2, 8), False),
    # Wed 14/2/2024 (5th day of Tet): last day of the break Thu 8/2 - Wed 14/2.
    ("default", D(2024, 2, 14), False),
    # Thu 15/2/2024: first working day after Tet 2024.
    ("default", D(2024, 2, 15), True),
    # Thu 18/4/2024: Hung Kings' day (10th of the 3rd lunar month).
    ("default", D(2024, 4, 18), False),
    # Mon 29/4/2024: off, swapped with Sat 4/5/2024 (Dispatch 2450/VPCP-KGVX).
    ("default", D(2024, 4, 29), False),
    # Sat 4/5/2024: the make-up working Saturday of that swap.
    ("default", D(2024, 5, 4), True),
    # Tue 3/9/2024: the National Day's second day (2/9 + one adjacent day since 2021).
    ("default", D(2024, 9, 3), False),
    # Fri 24/1/2025: last working day before the Tet 2025 break (Sat 25/1 - Sun 2/2).
    ("default", D(2025, 1, 24), True),
    # Mon 27/1/2025 and Fri 31/1/2025: the official Tet 2025 days off are 27/1 - 31/1.
    ("default", D(2025, 1, 27), False),
    ("default", D(2025, 1, 31), False),
    # Mon 3/2/2025: first working day after Tet 2025.
    ("default", D(2025, 2, 3), True),
    # Fri 2/5/2025: off, swapped with Sat 26/4/2025, which is worked.
    ("default", D(2025, 5, 2), False),
    ("default", D(2025, 4, 26), True),
    # Fri 2/1/2026 is an ordinary Friday for the package, but off by the 2026 override.
    ("default", D(2026, 1, 2), True),
    ("2026", D(2026, 1, 2), False),
    # Sat 10/1/2026 is a weekend day for the package, but worked by the 2026 override.
    ("default", D(2026, 1, 10), False),
    ("2026", D(2026, 1, 10), True),
]


@pytest.mark.parametrize(("cal", "day", "expected"), IS_WORKING_DAY_CASES)
def test_is_working_day_table(cal: str, day: date, expected: bool) -> None:
    assert CALENDARS[cal].is_working_day(day) is expected


ADD_WORKING_DAYS_CASES = [
    # Fri 2/2/2024 + 5: Mon 5, Tue 6, Wed 7, Tet 8/2-14/2 skipped, Thu 15, Fri 16.
    ("default", D(2024, 2, 2), 5, D(2024, 2, 16)),
    # Wed 7/2/2024 + 1: the whole Tet break lies between, next working day is Thu 15/2.
    ("default", D(2024, 2, 7), 1, D(2024, 2, 15)),
    # Fri 1/3/2024 + 1: the weekend is skipped, Mon 4/3.
    ("default", D(2024, 3, 1), 1, D(2024, 3, 4)),
    # n == 0 from Sat 2/3/2024: moved forward to the next working day, Mon 4/3.
    ("default", D(2024, 3, 2), 0, D(2024, 3, 4)),
    # n == 0 from a working day (Wed 6/3/2024): unchanged.
    ("default", D(2024, 3, 6), 0, D(2024, 3, 6)),
    # Thu 15/2/2024 - 1: counting backward skips Tet, Wed 7/2.
    ("default", D(2024, 2, 15), -1, D(2024, 2, 7)),
    # Fri 26/4/2024 + 1: Sat 27, Sun 28, Mon 29 (swap), Tue 30/4, Wed 1/5 off: Thu 2/5.
    ("default", D(2024, 4, 26), 1, D(2024, 5, 2)),
    # Fri 26/4/2024 + 3: Thu 2/5, Fri 3/5, then the make-up Saturday 4/5.
    ("default", D(2024, 4, 26), 3, D(2024, 5, 4)),
    # Wed 31/12/2025 + 1: Thu 1/1/2026 is New Year; Fri 2/1 is worked by default...
    ("default", D(2025, 12, 31), 1, D(2026, 1, 2)),
    # ...but is off with the 2026 overrides; Sat 3 and Sun 4 follow, so Mon 5/1.
    ("2026", D(2025, 12, 31), 1, D(2026, 1, 5)),
    # Fri 9/1/2026 + 1: Mon 12/1 without overrides, the make-up Sat 10/1 with them.
    ("default", D(2026, 1, 9), 1, D(2026, 1, 12)),
    ("2026", D(2026, 1, 9), 1, D(2026, 1, 10)),
]


@pytest.mark.parametrize(("cal", "start", "n", "expected"), ADD_WORKING_DAYS_CASES)
def test_add_working_days_table(cal: str, start: date, n: int, expected: date) -> None:
    assert CALENDARS[cal].add_working_days(start, n) == expected


ADD_MONTHS_CASES = [
    # 31/1/2024 + 1 month: February has no 31st, so its last day, Thu 29/2 (leap year).
    ("default", D(2024, 1, 31), 1, D(2024, 2, 29)),
    # 31/1/2025 + 1 month: Fri 28/2/2025 (not a leap year), a working day.
    ("default", D(2025, 1, 31), 1, D(2025, 2, 28)),
    # 15/5/2024 + 1 month: Sat 15/6/2024 is not worked, the period ends Mon 17/6.
    ("default", D(2024, 5, 15), 1, D(2024, 6, 17)),
    # 10/1/2024 + 1 month: Sat 10/2/2024 is inside Tet, the period ends Thu 15/2.
    ("default", D(2024, 1, 10), 1, D(2024, 2, 15)),
    # 25/12/2024 + 1 month: Sat 25/1/2025 starts the 9-day Tet break (25/1 - 2/2), so
    # the period ends Mon 3/2/2025 = raw + 9 days, the longest shift (property test).
    ("default", D(2024, 12, 25), 1, D(2025, 2, 3)),
    # 30/3/2024 + 1 month: Tue 30/4 and Wed 1/5 are holidays, so Thu 2/5/2024.
    ("default", D(2024, 3, 30), 1, D(2024, 5, 2)),
    # 2/8/2024 + 1 month: Mon 2/9 and Tue 3/9 are National Day, so Wed 4/9/2024.
    ("default", D(2024, 8, 2), 1, D(2024, 9, 4)),
    # 31/12/2023 + 2 months: clamped to Thu 29/2/2024.
    ("default", D(2023, 12, 31), 2, D(2024, 2, 29)),
    # n == 0 is the empty period: the start is returned unchanged, even inside Tet.
    ("default", D(2024, 2, 10), 0, D(2024, 2, 10)),
    # 2/12/2025 + 1 month: Fri 2/1/2026 is worked without overrides...
    ("default", D(2025, 12, 2), 1, D(2026, 1, 2)),
    # ...but off with them; Sat 3, Sun 4 follow, so Mon 5/1/2026.
    ("2026", D(2025, 12, 2), 1, D(2026, 1, 5)),
]


@pytest.mark.parametrize(("cal", "start", "n", "expected"), ADD_MONTHS_CASES)
def test_add_months_table(cal: str, start: date, n: int, expected: date) -> None:
    assert CALENDARS[cal].add_months(start, n) == expected


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        # (Wed 7/2, Thu 15/2/2024]: only Thu 15/2, Tet is in between.
        (D(2024, 2, 7), D(2024, 2, 15), 1),
        # (Fri 2/2, Fri 16/2/2024]: Mon 5, Tue 6, Wed 7, Thu 15, Fri 16.
        (D(2024, 2, 2), D(2024, 2, 16), 5),
        # Reversed arguments give the negated count.
        (D(2024, 2, 16), D(2024, 2, 2), -5),
        # The interval (d, d] is empty.
        (D(2024, 2, 7), D(2024, 2, 7), 0),
    ],
)
def test_working_days_between_table(a: date, b: date, expected: int) -> None:
    assert DEFAULT.working_days_between(a, b) == expected


def test_next_working_day() -> None:
    # Sat 10/2/2024 is inside Tet 2024, the first working day after it is Thu 15/2.
    assert DEFAULT.next_working_day(D(2024, 2, 10)) == D(2024, 2, 15)
    # A working day is returned unchanged.
    assert DEFAULT.next_working_day(D(2024, 2, 15)) == D(2024, 2, 15)


# --- validation -----------------------------------------------------------------------


def test_negative_months_rejected() -> None:
    with pytest.raises(ValueError, match="negative"):
        DEFAULT.add_months(D(2024, 1, 1), -1)


def test_datetime_rejected() -> None:
    with pytest.raises(TypeError, match="datetime"):
        DEFAULT.is_working_day(datetime(2024, 1, 2, 9, 0))


def test_duplicate_override_rejected() -> None:
    with pytest.raises(ValueError, match="2026-01-02"):
        BusinessCalendar(
            [*OVERRIDES_2026, CalendarOverride(D(2026, 1, 2), True, "again")]
        )


def test_calendar_is_immutable() -> None:
    assert CAL_2026.overrides == OVERRIDES_2026
    with pytest.raises(AttributeError):
        CAL_2026.extra = 1  # type: ignore[attr-defined]
    assert default_calendar() is DEFAULT


# --- properties -----------------------------------------------------------------------

# 2000-2090 stays well inside the lunar calendar range of the holidays package.
dates = st.dates(min_value=D(2000, 1, 1), max_value=D(2090, 12, 31))
counts = st.integers(min_value=1, max_value=300)


@given(dates, counts)
def test_add_working_days_lands_after_start_on_working_day(start: date, n: int) -> None:
    result = DEFAULT.add_working_days(start, n)
    assert result > start
    assert DEFAULT.is_working_day(result)


@given(dates, counts, counts)
def test_add_working_days_is_additive(start: date, a: int, b: int) -> None:
    in_two_steps = DEFAULT.add_working_days(DEFAULT.add_working_days(start, a), b)
    assert DEFAULT.add_working_days(start, a + b) == in_two_steps


@given(dates, counts)
def test_working_days_between_inverts_add_working_days(start: date, n: int) -> None:
    assert DEFAULT.working_days_between(start, DEFAULT.add_working_days(start, n)) == n


@given(dates, counts)
def test_counting_backward_then_forward_returns_to_a_working_day(
    start: date, n: int
) -> None:
    day = DEFAULT.next_working_day(start)
    earlier = DEFAULT.add_working_days(day, -n)
    assert earlier < day
    assert DEFAULT.is_working_day(earlier)
    assert DEFAULT.add_working_days(earlier, n) == day


@given(dates, st.integers(min_value=1, max_value=60))
def test_add_months_ends_on_working_day_shortly_after_raw_date(
    start: date, n: int
) -> None:
    raw = start + relativedelta(months=n)  # same day number, clamped to the month's end
    result = DEFAULT.add_months(start, n)
    assert DEFAULT.is_working_day(result)
    assert raw <= result
    # The longest run of non-working days in the package's Vietnam table (checked
    # over 1990-2100) is 9 days, a Tet break such as Sat 25/1 - Sun 2/2/2025, so the
    # shift is at most 9 days.
    assert result < raw + timedelta(days=10)


@given(dates, dates, st.integers(min_value=1, max_value=60))
def test_add_months_is_monotonic(d1: date, d2: date, n: int) -> None:
    d1, d2 = min(d1, d2), max(d1, d2)
    assert DEFAULT.add_months(d1, n) <= DEFAULT.add_months(d2, n)


@given(dates, dates, st.booleans())
def test_override_is_honoured_and_local(day: date, other: date, working: bool) -> None:
    cal = BusinessCalendar([CalendarOverride(day, working, "test")])
    assert cal.is_working_day(day) is working
    if working:
        assert cal.add_working_days(day - timedelta(days=1), 1) == day
    else:
        assert cal.next_working_day(day) > day
    if other != day:
        assert cal.is_working_day(other) == DEFAULT.is_working_day(other)


# --- CSV ------------------------------------------------------------------------------

GOOD_CSV = """date,working,reason
# New Year 2026 swap, Official Dispatch of the Government Office
2026-01-02,0,"New Year 2026: Fri 2/1 off, swapped with Sat 10/1"

2026-01-10, 1 , Make-up working day for Fri 2/1/2026
"""


def test_parse_overrides_csv_good_input() -> None:
    overrides = parse_overrides_csv(GOOD_CSV)
    assert overrides == list(OVERRIDES_2026)
    assert BusinessCalendar(overrides).add_working_days(D(2025, 12, 31), 1) == D(
        2026, 1, 5
    )


def test_parse_overrides_csv_empty() -> None:
    assert parse_overrides_csv("") == []
    assert parse_overrides_csv("date,working,reason\n") == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "date,working,reason\n2026-01-02,0,ok\n2026-13-01,1,bad month\n",
            "line 3: invalid ISO date '2026-13-01'",
        ),
        ("2026-01-02,yes,holiday\n", "line 1: working must be 0 or 1"),
        ("2026-01-02,0\n", "line 1: expected date,working,reason"),
        ("2026-01-02,0,holiday,extra\n", "line 1: expected date,working,reason"),
        ("2026-01-02,0,  \n", "line 1: reason is empty"),
        (
            "2026-01-02,0,a\n\n2026-01-02,1,b\n",
            "line 3: 2026-01-02 already overridden on line 1",
        ),
    ],
)
def test_parse_overrides_csv_bad_row(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_overrides_csv(text)

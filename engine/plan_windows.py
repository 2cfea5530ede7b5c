"""The Department's year from the province's plan: `windows` for dost_yearly_plan, and starting it.

Appendix 2 of the yearly plan (KH 551 for Vĩnh Long 2024, `seed_data/plan_tasks_*.csv`) gives each
provincial task a month range. A window opens on the first working day of its first month and ends on
the last day of its last month; the process moves a deadline that falls on a day off to the next
working day itself (Civil Code Arts 145–148), so `to` stays the calendar date the plan names.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

from sqlalchemy.orm import Session

from engine.business_calendar import BusinessCalendar
from engine.calendar_overrides import load_calendar
from engine.clock import Clock
from engine.errors import ValidationFailed
from engine.instances import agency_by_code, business_key, start_instance
from engine.records import SYSTEM, Actor, StartResult
from engine.seed import DOST_CODE, SEED_DIR

PLAN_CSV = SEED_DIR / "plan_tasks_vinh_long_2024.csv"
PLAN_PROCESS = "dost_yearly_plan"
# Which row ("no") of Appendix 2 each window of dost_yearly_plan comes from (its timers cite the same rows).
WINDOW_ROWS = {
    "deploy": 1,
    "training": 2,
    "auditor_training": 3,
    "iso18091": 4,
    "reports": 5,
    "inspection": 6,
    "aggregate": 7,
    "it_plan": 11,
}
# Not a task of the province's plan: the report to the Ministry is due in December (QĐ 19 Art 12, Appendix II).
STATUTORY_WINDOWS = {"ministry": (12, 12)}


def _month(text: str, year: int | None, row: str) -> tuple[int, int]:
    try:
        parsed = date.fromisoformat(f"{text.strip()}-01")
    except ValueError as exc:
        raise ValidationFailed(
            f"Kế hoạch, mục {row}: '{text}' không phải tháng dạng YYYY-MM (plan row {row}: not a YYYY-MM month)",
            details={row: text},
        ) from exc
    return (year or parsed.year), parsed.month


def _window(calendar: BusinessCalendar, first: tuple[int, int], last: tuple[int, int]) -> dict[str, str]:
    start = calendar.next_working_day(date(first[0], first[1], 1))
    following = date(last[0] + last[1] // 12, last[1] % 12 + 1, 1)
    end = date.fromordinal(following.toordinal() - 1)
    return {"from": start.isoformat(), "to": end.isoformat()}


def plan_windows(csv_text: str, calendar: BusinessCalendar, year: int | None = None) -> dict[str, dict[str, str]]:
    """`{key: {"from", "to"}}` from the plan's Appendix 2 CSV; `year` reuses its months for another year."""
    rows = {row["no"].strip(): row for row in csv.DictReader(io.StringIO(csv_text))}
    windows: dict[str, dict[str, str]] = {}
    for key, number in WINDOW_ROWS.items():
        row = rows.get(str(number))
        if row is None:
            raise ValidationFailed(
                f"Kế hoạch thiếu mục {number} (cửa sổ '{key}') (the plan has no row {number} for window '{key}')",
                details={key: f"mục / row {number}"},
            )
        first = _month(row["from_month"], year, str(number))
        windows[key] = _window(calendar, first, _month(row["to_month"], year, str(number)))
    plan_year = year or date.fromisoformat(windows["deploy"]["from"]).year
    for key, (first_month, last_month) in STATUTORY_WINDOWS.items():
        windows[key] = _window(calendar, (plan_year, first_month), (plan_year, last_month))
    return windows


def start_yearly_plan(
    session: Session,
    clock: Clock,
    year: int,
    *,
    csv_path: Path = PLAN_CSV,
    process_key: str = PLAN_PROCESS,
    agency_code: str = DOST_CODE,
    actor: Actor = SYSTEM,
) -> StartResult:
    """Start the Department's yearly plan once per province and year, its windows read from the plan CSV."""
    windows = plan_windows(csv_path.read_text(encoding="utf-8"), load_calendar(session), year)
    agency = agency_by_code(session, agency_code)
    key = business_key(agency.code, year, process_key, cycle_process="")
    return start_instance(session, clock, process_key, agency, year, key=key, data={"windows": windows}, actor=actor)

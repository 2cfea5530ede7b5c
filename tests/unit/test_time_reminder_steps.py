"""The reminder plan of a due date (engine.reminders), without a database."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from engine.business_calendar import BusinessCalendar, CalendarOverride
from engine.clock import VIETNAM
from engine.reminders import ReminderPolicy, final_step_key, plan_due_steps, steps_for

CAL = BusinessCalendar()


def at(y: int, m: int, d: int, h: int = 0) -> datetime:
    return datetime(y, m, d, h, tzinfo=VIETNAM)


def test_default_plan_of_a_due_date() -> None:
    steps = steps_for(at(2024, 9, 30, 17), ReminderPolicy(), CAL)  # Mon 30/9/2024
    assert [(s.key, s.at) for s in steps] == [
        ("before_7d", at(2024, 9, 23)),
        ("before_1d", at(2024, 9, 27)),  # Sun 29/9 is not a working day: Fri 27/9
        ("overdue", at(2024, 9, 30, 17)),
        ("escalate_agency_head", at(2024, 10, 3, 17)),
        ("escalate_supervisor", at(2024, 10, 14, 17)),
    ]
    assert [s.audience for s in steps] == ["assignee", "assignee", "assignee", "agency_head", "supervisor"]


def test_holidays_move_reminders_back_and_escalations_forward() -> None:
    # Due Thu 15/2/2024, the first working day after Tết (Thu 8/2 - Wed 14/2 off).
    steps = {s.key: s.at for s in steps_for(at(2024, 2, 15, 17), ReminderPolicy(), CAL)}
    assert steps["before_7d"] == at(2024, 2, 7)  # Thu 8/2 is Tết: the day before
    assert steps["before_1d"] == at(2024, 2, 7)
    assert steps["escalate_agency_head"] == at(2024, 2, 20, 17)
    swapped = BusinessCalendar([CalendarOverride(date(2024, 2, 19), False, "test")])
    assert {s.key: s.at for s in steps_for(at(2024, 2, 15, 17), ReminderPolicy(), swapped)}[
        "escalate_agency_head"
    ] == at(2024, 2, 21, 17)


def test_only_the_latest_personal_reminder_is_sent_on_catch_up() -> None:
    steps = steps_for(at(2024, 9, 30, 17), ReminderPolicy(), CAL)
    planned = plan_due_steps(steps, set(), at(2024, 10, 4))
    assert [(s.key, status) for s, status in planned] == [
        ("before_7d", "skipped"),
        ("before_1d", "skipped"),
        ("overdue", "sent"),
        ("escalate_agency_head", "sent"),
    ]
    assert plan_due_steps(steps, {"before_7d", "before_1d", "overdue", "escalate_agency_head"}, at(2024, 10, 4)) == []
    assert plan_due_steps(steps, set(), at(2024, 9, 1)) == []


def test_policy_from_settings_and_its_final_step() -> None:
    assert ReminderPolicy.from_settings({}) == ReminderPolicy()
    policy = ReminderPolicy.from_settings(
        {"reminder_days_before": "14, 3", "escalation": "agency_head:2", "remind_overdue": "no"}
    )
    assert policy == ReminderPolicy((14, 3), False, (("agency_head", 2),))
    assert final_step_key(policy) == "escalate_agency_head"
    assert final_step_key(ReminderPolicy(escalation=())) == "overdue"
    assert final_step_key(ReminderPolicy((7, 2), False, ())) == "before_2d"
    with pytest.raises(ValueError):
        ReminderPolicy(days_before=(0,))
    with pytest.raises(ValueError):
        ReminderPolicy(escalation=(("minister", 1),))

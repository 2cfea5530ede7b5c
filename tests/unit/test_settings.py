"""Settings come from ISOFLOW_* environment variables."""

from __future__ import annotations

from engine.reminders import ReminderPolicy
from engine.settings import Settings


def test_settings_read_the_reminder_policy_from_the_environment() -> None:
    settings = Settings.from_env({"ISOFLOW_REMINDER_DAYS_BEFORE": "10,2", "ISOFLOW_ESCALATION": "agency_head:5",
                                  "ISOFLOW_SMTP_FROM": "iso@sokhcn.example"})
    policy = ReminderPolicy.from_settings(settings.extra)
    assert policy.days_before == (10, 2) and policy.escalation == (("agency_head", 5),)
    assert settings.extra["smtp_from"] == "iso@sokhcn.example"
    assert Settings.from_env({}).extra == {}

"""Time as an entry point: APScheduler jobs that sweep timers, reminders and emails through the engine."""

from __future__ import annotations

from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from engine.clock import SystemClock
from engine.notifications import SmtpMailer
from engine.reminders import ReminderPolicy
from engine.settings import Settings
from models.db import make_engine, make_session_factory
from scheduler.jobs import deliver_emails, refresh_calendar, sweep_reminders, sweep_timers

CALENDAR_REFRESH_SECONDS = 300


def build_scheduler(settings: Settings, *, blocking: bool = False) -> BaseScheduler:
    """A scheduler sweeping timers, reminders and (with SMTP configured) emails every interval."""
    factory = make_session_factory(make_engine(settings.database_url))
    clock = SystemClock()
    scheduler: BaseScheduler = BlockingScheduler() if blocking else BackgroundScheduler()
    every = {
        "trigger": "interval",
        "seconds": settings.scheduler_interval_seconds,
        "max_instances": 1,
        "coalesce": True,
    }
    # The calendar first: deadlines computed by process scripts must see the administrators' overrides.
    scheduler.add_job(
        refresh_calendar,
        "interval",
        args=[factory],
        seconds=CALENDAR_REFRESH_SECONDS,
        id="refresh_calendar",
        max_instances=1,
        coalesce=True,
        next_run_time=datetime.now(UTC),
    )
    scheduler.add_job(sweep_timers, args=[factory, clock], id="sweep_timers", **every)
    policy = ReminderPolicy.from_settings(settings.extra)
    send_email = settings.smtp_host is not None
    scheduler.add_job(
        sweep_reminders,
        args=[factory, clock],
        kwargs={"policy": policy, "send_email": send_email},
        id="sweep_reminders",
        **every,
    )
    if settings.smtp_host is not None:
        mailer = SmtpMailer.from_host_setting(
            settings.smtp_host, sender=settings.extra.get("smtp_from", "isoflow@localhost")
        )
        scheduler.add_job(deliver_emails, args=[factory, clock, mailer], id="deliver_emails", **every)
    return scheduler

"""Time as an entry point: APScheduler jobs that sweep due timers through the engine."""

from __future__ import annotations

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from engine.clock import SystemClock
from engine.settings import Settings
from models.db import make_engine, make_session_factory
from scheduler.jobs import sweep_timers


def build_scheduler(settings: Settings, *, blocking: bool = False) -> BaseScheduler:
    """A scheduler whose one job sweeps due timers every `scheduler_interval_seconds`."""
    factory = make_session_factory(make_engine(settings.database_url))
    scheduler: BaseScheduler = BlockingScheduler() if blocking else BackgroundScheduler()
    scheduler.add_job(
        sweep_timers,
        "interval",
        args=[factory, SystemClock()],
        seconds=settings.scheduler_interval_seconds,
        id="sweep_timers",
        max_instances=1,
        coalesce=True,
    )
    return scheduler

"""Scheduler jobs on SQLite: sweeps commit, failing workflows are parked, the scheduler is wired."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from engine.clock import VIETNAM, VirtualClock
from engine.definitions import deploy_folder
from engine.instances import start_instance
from engine.seed import seed_agencies
from engine.settings import Settings
from models import Agency, HistoryEvent, ProcessInstance, Timer
from scheduler import build_scheduler
from scheduler.jobs import sweep_reminders, sweep_timers
from scheduler.sweep_once import main as sweep_once

PROCESS = Path(__file__).resolve().parent / "processes" / "timer_only"


def start(factory: sessionmaker[Session], clock: VirtualClock, divisors: list[int]) -> None:
    with factory() as session:
        seed_agencies(session)
        deploy_folder(session, clock, PROCESS, "test")
        agency = session.scalars(select(Agency).order_by(Agency.id)).first()
        assert agency is not None
        for i, divisor in enumerate(divisors):
            start_instance(
                session,
                clock,
                "timer_only",
                agency,
                2024,
                key=f"T{i}",
                data={"fire_at": "2024-01-05T08:00:00+07:00", "divisor": divisor},
            )
        session.commit()


def test_sweep_fires_due_timers_once_and_parks_a_failing_workflow(
    factory: sessionmaker[Session], clock: VirtualClock
) -> None:
    start(factory, clock, [1, 0, 1, 1])
    assert sweep_timers(factory, VirtualClock(datetime(2024, 1, 5, 7, 59, tzinfo=VIETNAM))) == []
    fired = sweep_timers(factory, VirtualClock(datetime(2024, 1, 5, 8, tzinfo=VIETNAM)), batch=2)
    assert sorted((f.instance_id, f.ok) for f in fired) == [(1, True), (2, False), (3, True), (4, True)]
    assert next(f.message for f in fired if not f.ok)
    # The parked timer is not retried by later sweeps.
    assert sweep_timers(factory, VirtualClock(datetime(2024, 1, 6, tzinfo=VIETNAM))) == []
    with factory() as session:
        statuses = dict(session.execute(select(Timer.status, func.count()).group_by(Timer.status)).all())
        assert statuses == {"fired": 3, "failed": 1}
        failed = session.scalars(select(HistoryEvent).where(HistoryEvent.kind == "timer_failed")).one()
        assert failed.instance_id == 2 and failed.data["error"]
        assert session.get_one(ProcessInstance, 2).status == "running"


def test_sweep_once_module(
    factory: sessionmaker[Session], clock: VirtualClock, sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    start(factory, clock, [1, 1])
    assert sweep_once(["--url", sqlite_url, "--now", "2024-01-05T09:00:00+07:00"]) == 0
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1]) == {"fired": 2, "failed": 0}


def test_reminder_job_commits(factory: sessionmaker[Session], clock: VirtualClock) -> None:
    start(factory, clock, [1])
    assert sweep_reminders(factory, VirtualClock(datetime(2024, 6, 1, tzinfo=VIETNAM))) == []


def test_build_scheduler_wires_the_jobs(sqlite_url: str) -> None:
    plain = build_scheduler(Settings(database_url=sqlite_url))
    assert sorted(job.id for job in plain.get_jobs()) == ["refresh_calendar", "sweep_reminders", "sweep_timers"]
    with_mail = build_scheduler(Settings(database_url=sqlite_url, smtp_host="127.0.0.1:2525"))
    assert "deliver_emails" in {job.id for job in with_mail.get_jobs()}
    mailer = next(j for j in with_mail.get_jobs() if j.id == "deliver_emails").args[2]
    assert (mailer.host, mailer.port) == ("127.0.0.1", 2525)

"""Reminder and escalation sweeps on PostgreSQL: run twice or in parallel, each step happens once."""

from __future__ import annotations

import threading
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from engine.clock import VIETNAM, VirtualClock
from engine.definitions import deploy_folder
from engine.instances import start_cycle
from engine.reminders import ReminderSent, send_reminders
from engine.seed import seed_agencies
from models import Agency, HistoryEvent, Notification, ReminderLog, RoleMembership, User
from tests.helpers import poll_other_backends

pytestmark = pytest.mark.postgres

PROCESS = Path(__file__).resolve().parent / "processes" / "sim_cycle"
AGENCIES = 30
# Wed 31/1/2024: every first task (due Tue 16/1) is overdue and escalated to the head and the supervisors.
NOW = datetime(2024, 1, 31, 18, tzinfo=VIETNAM)


def prepare(factory: sessionmaker[Session]) -> None:
    clock = VirtualClock(datetime(2024, 1, 2, 8, tzinfo=VIETNAM))
    with factory() as session:
        seed_agencies(session)
        agencies = list(session.scalars(select(Agency).order_by(Agency.code).limit(AGENCIES)))
        for agency in agencies:
            for role in ("iso_officer", "agency_head"):
                user = User(
                    username=f"{agency.code}.{role}",
                    full_name=role,
                    password_hash="!",
                    is_active=True,
                    is_demo=False,
                    created_at=clock.now(),
                )
                session.add(user)
                session.flush()
                session.add(RoleMembership(user_id=user.id, agency_id=agency.id, role=role))
        supervisor = User(
            username="supervisor",
            full_name="Supervisor",
            password_hash="!",
            is_active=True,
            is_demo=False,
            created_at=clock.now(),
        )
        session.add(supervisor)
        session.flush()
        session.add(RoleMembership(user_id=supervisor.id, agency_id=agencies[0].id, role="supervisor"))
        deploy_folder(session, clock, PROCESS, "test")
        for agency in agencies:
            start_cycle(session, clock, 2024, process_key="sim_cycle", agency_code=agency.code)
        session.commit()


def totals(session: Session) -> dict[str, Any]:
    logs = dict(session.execute(select(ReminderLog.status, func.count()).group_by(ReminderLog.status)).all())
    kinds = dict(
        session.execute(
            select(HistoryEvent.kind, func.count())
            .where(HistoryEvent.kind.in_(["reminder_sent", "escalated"]))
            .group_by(HistoryEvent.kind)
        ).all()
    )
    notes = session.scalar(select(func.count()).select_from(Notification))
    return {"logs": logs, "history": kinds, "notifications": notes}


EXPECTED = {
    "logs": {"sent": 3 * AGENCIES, "skipped": 2 * AGENCIES},
    "history": {"reminder_sent": AGENCIES, "escalated": 2 * AGENCIES},
    # overdue -> the officer, escalations -> the head and the supervisor
    "notifications": 3 * AGENCIES,
}


def test_two_sequential_sweeps_send_each_step_once(pg_factory: sessionmaker[Session]) -> None:
    prepare(pg_factory)
    for expected in (3 * AGENCIES, 0):
        with pg_factory() as session:
            assert len(send_reminders(session, NOW)) == expected
            session.commit()
    with pg_factory() as session:
        assert totals(session) == EXPECTED


def test_parallel_sweeps_send_each_step_once(pg_factory: sessionmaker[Session]) -> None:
    prepare(pg_factory)
    results: dict[str, list[ReminderSent]] = {}
    first_done = threading.Event()
    release_first = threading.Event()
    errors: list[BaseException] = []

    def first() -> None:
        try:
            with pg_factory() as session:
                results["first"] = send_reminders(session, NOW)
                first_done.set()
                release_first.wait()
                session.commit()
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)
            first_done.set()

    def second() -> None:
        try:
            with pg_factory() as session:
                results["second"] = send_reminders(session, NOW)
                session.commit()
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)

    one = threading.Thread(target=first)
    one.start()
    assert first_done.wait(timeout=120)
    # The second sweep read the same due steps but must wait on the first's uncommitted claims.
    two = threading.Thread(target=second)
    two.start()
    with pg_factory() as probe:
        poll_other_backends(probe, "wait_event_type = 'Lock'", until=lambda waiting: waiting > 0 or not two.is_alive())
    assert two.is_alive(), "the second sweep must wait on the first one's claims"
    release_first.set()
    one.join(timeout=120)
    two.join(timeout=120)
    assert not errors
    assert len(results["first"]) == 3 * AGENCIES
    assert results["second"] == []
    with pg_factory() as session:
        assert totals(session) == EXPECTED

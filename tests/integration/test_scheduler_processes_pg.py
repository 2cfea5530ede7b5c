"""Scheduler processes on PostgreSQL: parallel sweeps fire each timer once; a killed sweep loses nothing."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from engine.clock import VIETNAM, VirtualClock
from engine.definitions import deploy_folder
from engine.instances import start_instance
from engine.seed import seed_agencies
from engine.settings import PROJECT_ROOT
from models import Agency, HistoryEvent, ProcessInstance, Timer
from tests.helpers import poll_other_backends

pytestmark = pytest.mark.postgres

PROCESS = Path(__file__).resolve().parent / "processes" / "timer_only"
FIRE_AT = "2024-01-05T08:00:00+07:00"
NOW = "2024-01-06T00:00:00+07:00"
LINE_TIMEOUT = 120  # a guard against a hung child, not a timing assumption


class Child:
    """A `python -m scheduler.sweep_once` process whose output lines can be awaited."""

    def __init__(self, url: str, *args: str) -> None:
        command = [sys.executable, "-m", "scheduler.sweep_once", "--url", url, "--now", NOW, *args]
        self.proc = subprocess.Popen(
            command,
            cwd=PROJECT_ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.strip())
        self.lines.put("<EOF>")

    def next_line(self) -> str:
        return self.lines.get(timeout=LINE_TIMEOUT)

    def go(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write("go\n")
        self.proc.stdin.flush()

    def result(self) -> dict[str, int]:
        line = self.next_line()
        assert self.proc.wait(timeout=LINE_TIMEOUT) == 0
        return dict(json.loads(line))


def start_timers(factory: sessionmaker[Session], count: int, *, failing_every: int = 0) -> None:
    """`count` instances of the timer-only process, each waiting for a timer due before NOW."""
    clock = VirtualClock(datetime(2024, 1, 2, 8, tzinfo=VIETNAM))
    with factory() as session:
        seed_agencies(session)
        deploy_folder(session, clock, PROCESS, "test")
        agencies = list(session.scalars(select(Agency).order_by(Agency.id)))
        for i in range(count):
            divisor = 0 if failing_every and i % failing_every == 0 else 1
            start_instance(
                session,
                clock,
                "timer_only",
                agencies[i % len(agencies)],
                2024,
                key=f"T{i:05d}",
                data={"fire_at": FIRE_AT, "divisor": divisor},
            )
        session.commit()


def timer_counts(session: Session) -> dict[str, int]:
    rows = session.execute(select(Timer.status, func.count()).group_by(Timer.status))
    return {status: int(n) for status, n in rows}


def history_per_instance(session: Session, kind: str) -> dict[int, int]:
    rows = session.execute(
        select(HistoryEvent.instance_id, func.count())
        .where(HistoryEvent.kind == kind)
        .group_by(HistoryEvent.instance_id)
    )
    return {instance_id: int(n) for instance_id, n in rows}


@pytest.fixture
def url(postgres_database: str, pg_factory: sessionmaker[Session]) -> Iterator[str]:
    """The (emptied) PostgreSQL test database's URL, for child processes."""
    yield postgres_database


def test_two_scheduler_processes_fire_each_of_1000_timers_once(url: str, pg_factory: sessionmaker[Session]) -> None:
    start_timers(pg_factory, 1000, failing_every=100)
    children = [Child(url, "--batch", "20", "--wait-for-go") for _ in range(2)]
    assert [c.next_line() for c in children] == ["READY", "READY"]
    for child in children:
        child.go()
    results = [c.result() for c in children]

    assert sum(r["fired"] for r in results) == 990
    assert sum(r["failed"] for r in results) == 10
    with pg_factory() as session:
        assert timer_counts(session) == {"fired": 990, "failed": 10}
        fired = history_per_instance(session, "timer_fired")
        failed = history_per_instance(session, "timer_failed")
        assert len(fired) == 990 and set(fired.values()) == {1}
        assert len(failed) == 10 and set(failed.values()) == {1}
        statuses = dict(
            session.execute(select(ProcessInstance.status, func.count()).group_by(ProcessInstance.status)).all()
        )
        # A workflow that fails while firing is parked (its timer 'failed'), not retried by the next sweep.
        assert statuses == {"completed": 990, "running": 10}
    again = Child(url)
    assert again.result() == {"fired": 0, "failed": 0}


def test_a_scheduler_killed_mid_sweep_loses_nothing_and_fires_nothing_twice(
    url: str, pg_factory: sessionmaker[Session]
) -> None:
    start_timers(pg_factory, 300)
    victim = Child(url, "--batch", "20", "--hold-at-batch", "4")
    # Batch 4 fired its 20 timers inside a transaction that is not committed yet.
    assert victim.next_line() == "HOLD 4 20"
    with pg_factory() as session:
        assert timer_counts(session) == {"fired": 60, "waiting": 240}
    # Meanwhile another scheduler sweeps: it skips the 20 instances the frozen one holds.
    assert Child(url, "--batch", "20").result() == {"fired": 220, "failed": 0}
    with pg_factory() as session:
        assert timer_counts(session) == {"fired": 280, "waiting": 20}

    victim.proc.send_signal(signal.SIGKILL)
    assert victim.proc.wait(timeout=LINE_TIMEOUT) == -signal.SIGKILL
    with pg_factory() as session:
        # The server notices the dead client and rolls its transaction back.
        poll_other_backends(session, "state LIKE 'idle in transaction%'", until=lambda count: count == 0)
        assert timer_counts(session) == {"fired": 280, "waiting": 20}

    assert Child(url, "--batch", "20").result() == {"fired": 20, "failed": 0}
    with pg_factory() as session:
        assert timer_counts(session) == {"fired": 300}
        fired = history_per_instance(session, "timer_fired")
        assert len(fired) == 300 and set(fired.values()) == {1}
        assert (
            session.scalar(
                select(func.count()).select_from(ProcessInstance).where(ProcessInstance.status == "completed")
            )
            == 300
        )

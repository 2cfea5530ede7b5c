"""Concurrency on PostgreSQL: one winner per task, every due timer fired exactly once."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine import definitions, instances, task_queries, tasks, timers
from engine.accounts import actor_by_username
from engine.clock import VIETNAM, VirtualClock
from engine.errors import Conflict
from engine.seed import seed_agencies, seed_demo_accounts
from models import Agency, HistoryEvent, Timer
from models.db import unit_of_work
from tests.helpers import FIXTURE_PROCESSES

pytestmark = pytest.mark.postgres
DUE = datetime(2024, 3, 31, 17, 0, tzinfo=VIETNAM)


def prepare(factory: sessionmaker[Session], clock: VirtualClock, agencies: int) -> list[int]:
    with unit_of_work(factory) as session:
        seed_agencies(session)
        seed_demo_accounts(session, clock)
        definitions.deploy_folder(session, clock, FIXTURE_PROCESSES / "engine_demo", "test")
        ids = []
        for agency in session.scalars(select(Agency).order_by(Agency.code).limit(agencies)):
            result = instances.start_instance(session, clock, "engine_demo", agency, 2024, key=f"{agency.code}/2024")
            ids.append(result.instance_id)
    return ids


def run_together(*jobs: Any) -> list[Any]:
    """Run callables in threads released at the same moment; return their results or errors."""
    barrier = threading.Barrier(len(jobs))
    results: list[Any] = [None] * len(jobs)

    def runner(index: int, job: Any) -> None:
        barrier.wait()
        try:
            results[index] = job()
        except Exception as exc:  # noqa: BLE001 - the test inspects what each thread got
            results[index] = exc

    threads = [threading.Thread(target=runner, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_two_sessions_complete_the_same_task(pg_factory: sessionmaker[Session], clock: VirtualClock) -> None:
    prepare(pg_factory, clock, agencies=13)
    with pg_factory() as session:
        task_id = task_queries.inbox(session, actor_by_username(session, "demo.officer"))[0].id

    def complete() -> str:
        with unit_of_work(pg_factory) as session:
            actor = actor_by_username(session, "demo.officer")
            tasks.complete_task(session, clock, actor, task_id, {"pages": 2, "summary": "cùng lúc", "divisor": 1})
        return "ok"

    outcomes = run_together(complete, complete)
    assert sorted(type(o).__name__ if isinstance(o, Exception) else o for o in outcomes) == ["Conflict", "ok"]
    with pg_factory() as session:
        completions = session.scalars(select(HistoryEvent).where(HistoryEvent.kind == "task_completed")).all()
        assert len(completions) == 1


def test_stale_reader_gets_a_conflict(pg_factory: sessionmaker[Session], clock: VirtualClock) -> None:
    prepare(pg_factory, clock, agencies=13)
    late = pg_factory()
    actor = actor_by_username(late, "demo.officer")
    task_id = task_queries.inbox(late, actor)[0].id
    tasks.get_task(late, actor, task_id)  # the late session has read the task while it was ready
    with unit_of_work(pg_factory) as first:
        tasks.complete_task(
            first,
            clock,
            actor_by_username(first, "demo.officer"),
            task_id,
            {"pages": 1, "summary": "trước", "divisor": 1},
        )
    with pytest.raises(Conflict):
        tasks.complete_task(late, clock, actor, task_id, {"pages": 1, "summary": "sau", "divisor": 1})
    late.rollback()
    late.close()


def test_parallel_sweeps_fire_each_timer_once(pg_factory: sessionmaker[Session], clock: VirtualClock) -> None:
    ids = prepare(pg_factory, clock, agencies=60)

    def sweep() -> int:
        count = 0
        while True:
            with unit_of_work(pg_factory) as session:
                batch = timers.fire_due(session, DUE, limit=7)
            count += len(batch)
            if not batch:
                return count

    counts = run_together(sweep, sweep, sweep)
    assert all(isinstance(c, int) for c in counts), counts
    assert sum(counts) == len(ids)
    with pg_factory() as session:
        fired = Counter(session.scalars(select(HistoryEvent.instance_id).where(HistoryEvent.kind == "timer_fired")))
        assert set(fired) == set(ids) and set(fired.values()) == {1}
        statuses = Counter(session.scalars(select(Timer.status)))
        assert statuses == {"fired": len(ids)}


def test_history_is_append_only_in_the_database(pg_factory: sessionmaker[Session], clock: VirtualClock) -> None:
    prepare(pg_factory, clock, agencies=1)
    with pg_factory() as session, pytest.raises(Exception, match="append-only"):
        session.connection().exec_driver_sql("UPDATE history_event SET kind = 'x'")

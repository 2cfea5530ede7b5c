"""Benchmark: a timer sweep (and a reminder sweep) with nothing due, against 143, 1,430 and 14,300 instances.

The cost of a sweep must grow with what is due, not with how many instances exist. Each size's
instances each wait for a timer due in 2099 and hold a ready task due in 2099, inserted in bulk.

    .venv/bin/python benchmarks/timers.py [--postgres URL] [--repeat 200]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, create_engine, insert, select, text
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine.clock import VIETNAM, VirtualClock
from engine.definitions import deploy_folder
from engine.instances import start_instance
from engine.reminders import send_reminders
from engine.seed import seed_agencies
from engine.settings import PROJECT_ROOT
from engine.timers import fire_due
from models import Agency, HumanTask, ProcessInstance, Timer
from models.db import make_engine, make_session_factory
from models.migrate import upgrade

SIZES = (143, 1_430, 14_300)
PROCESS = PROJECT_ROOT / "tests" / "integration" / "processes" / "timer_only"
FAR = datetime(2099, 1, 1, tzinfo=UTC)
NOW = datetime(2024, 6, 1, 9, tzinfo=VIETNAM)


def _template(session: Session) -> tuple[int, str, list[int]]:
    clock = VirtualClock(datetime(2024, 1, 2, 8, tzinfo=VIETNAM))
    seed_agencies(session)
    deploy_folder(session, clock, PROCESS, "benchmark")
    agencies = list(session.scalars(select(Agency.id).order_by(Agency.id)))
    agency = session.get_one(Agency, agencies[0])
    result = start_instance(
        session,
        clock,
        "timer_only",
        agency,
        2024,
        key="template",
        data={"fire_at": "2099-01-01T00:00:00+07:00", "divisor": 1},
    )
    instance = session.get_one(ProcessInstance, result.instance_id)
    session.commit()
    return instance.definition_id, instance.state, agencies


def _grow(engine: Engine, start: int, stop: int, definition_id: int, state: str, agencies: list[int]) -> None:
    """Insert instances start..stop-1, each with a waiting timer and a ready task due in 2099."""
    begun = datetime(2024, 1, 2, tzinfo=UTC)
    chunk = 2_000
    with engine.begin() as conn:
        next_id = int(conn.execute(text("SELECT COALESCE(MAX(id), 0) FROM process_instance")).scalar_one()) + 1
        for low in range(start, stop, chunk):
            ids = list(range(next_id, next_id + min(chunk, stop - low)))
            next_id += len(ids)
            conn.execute(
                insert(ProcessInstance),
                [
                    {
                        "id": i,
                        "definition_id": definition_id,
                        "agency_id": agencies[i % len(agencies)],
                        "cycle_year": 2024,
                        "business_key": f"B{i:06d}",
                        "status": "running",
                        "state": state,
                        "version": 1,
                        "started_by": "benchmark",
                        "started_at": begun,
                    }
                    for i in ids
                ],
            )
            conn.execute(
                insert(Timer),
                [
                    {
                        "instance_id": i,
                        "spiff_task_id": str(uuid.UUID(int=i)),
                        "spec_id": "wait",
                        "name": "wait",
                        "due_at": FAR,
                        "status": "waiting",
                    }
                    for i in ids
                ],
            )
            conn.execute(
                insert(HumanTask),
                [
                    {
                        "instance_id": i,
                        "spiff_task_id": str(uuid.UUID(int=i + 10**9)),
                        "spec_id": "task",
                        "process_key": "timer_only",
                        "name": "task",
                        "lane": None,
                        "role": "iso_officer",
                        "agency_id": agencies[i % len(agencies)],
                        "status": "ready",
                        "due_at": FAR,
                        "created_at": begun,
                    }
                    for i in ids
                ],
            )
        if engine.dialect.name == "postgresql":
            conn.execute(text("ANALYZE"))


def _median_ms(engine: Engine, repeat: int, sweep: str) -> float:
    factory = make_session_factory(engine)
    samples = []
    for _ in range(repeat):
        with factory() as session:
            began = time.perf_counter()
            done = fire_due(session, NOW, limit=100) if sweep == "timers" else send_reminders(session, NOW)
            samples.append((time.perf_counter() - began) * 1000)
            assert not done
            session.rollback()
    return statistics.median(samples)


def run(label: str, url: str, repeat: int) -> None:
    """Print the three sizes' figures and the ratios for one database."""
    upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session:
        definition_id, state, agencies = _template(session)
    have = 1
    figures: dict[str, list[float]] = {"timers": [], "reminders": []}
    for size in SIZES:
        _grow(engine, have, size, definition_id, state, agencies)
        have = size
        for sweep in figures:
            _median_ms(engine, 5, sweep)  # warm the caches
            figures[sweep].append(_median_ms(engine, repeat, sweep))
    for sweep, values in figures.items():
        shown = ", ".join(f"{size:,} instances: {value:.3f} ms" for size, value in zip(SIZES, values, strict=True))
        print(
            f"{label} {sweep} sweep, nothing due (median of {repeat}): {shown}; "
            f"ratio largest/smallest {values[-1] / values[0]:.2f} (goal <= 1.5)"
        )
    engine.dispose()


def main() -> None:
    """Run on a temporary SQLite file and, if given or reachable, on PostgreSQL."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--postgres",
        default="postgresql+psycopg://postgres@127.0.0.1:5432/test",
        help="admin URL of a PostgreSQL server ('' to skip)",
    )
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        run("SQLite", f"sqlite:///{Path(folder) / 'bench.sqlite3'}", args.repeat)
    if not args.postgres:
        return
    name = f"isoflow_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(args.postgres, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 - no server: SQLite figures only
        print(f"PostgreSQL skipped: {exc}")
        return
    try:
        run("PostgreSQL", args.postgres.rsplit("/", 1)[0] + f"/{name}", args.repeat)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()

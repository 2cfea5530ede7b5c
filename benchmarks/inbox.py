"""Inbox benchmark: 14,300 agencies x one cycle year; an officer's inbox page and GET /api/v1/tasks.

Run: .venv/bin/python benchmarks/inbox.py [--agencies 14300] [--requests 300] [--database-url URL [--reuse]]
Prints median and p95 server time (in-process, through Flask's test client). Not a test: no assertions.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

# Run as a script from benchmarks/: make the project root win over benchmarks/engine.py.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from engine.accounts import hash_password
from engine.clock import VIETNAM, VirtualClock
from engine.deadlines import deadline_text
from engine.definitions import deploy_folder
from engine.instances import start_instance
from engine.settings import PROJECT_ROOT, Settings
from models import Agency, HumanTask, ProcessInstance, RoleMembership, User
from models.db import make_engine, make_session_factory
from models.migrate import upgrade
from web.app import create_app

YEAR = 2024
BATCH = 2000


def _agency_rows(count: int) -> list[dict[str, object]]:
    return [
        {"code": f"BM-{n:05d}", "name": f"Cơ quan thử nghiệm số {n}", "level": "commune", "parent_id": None,
         "valid_from": date(2024, 1, 1), "valid_to": None, "status": "active"}
        for n in range(1, count + 1)
    ]


def _insert(session: Session, table: type, rows: list[dict[str, object]]) -> None:
    for start in range(0, len(rows), BATCH):
        session.execute(insert(table), rows[start:start + BATCH])


def build_database(url: str, agencies: int, clock: VirtualClock) -> None:
    """Agencies, one cycle instance and one ready officer task per agency, one officer each (bulk inserts)."""
    upgrade(url)
    factory = make_session_factory(make_engine(url))
    with factory() as session:
        deploy_folder(session, clock, PROJECT_ROOT / "processes", "benchmark")
        _insert(session, Agency, _agency_rows(agencies))
        ids: dict[str, int] = dict(session.execute(select(Agency.code, Agency.id)).all())
        # One real start gives a real workflow state and first task to copy (rows are not deserialised by lists).
        first = session.get_one(Agency, ids["BM-00001"])
        start_instance(session, clock, "iso_annual_cycle", first, YEAR, key=f"BM-00001/{YEAR}",
                       data={"report_due": deadline_text(YEAR, 9, 30)})
        model = session.scalars(select(ProcessInstance)).one()
        task = session.scalars(select(HumanTask).where(HumanTask.instance_id == model.id)).first()
        assert task is not None, "the cycle's first step should wait for a person"
        codes = sorted(code for code in ids if code != "BM-00001")
        _insert(session, ProcessInstance, [
            {"definition_id": model.definition_id, "agency_id": ids[code], "cycle_year": YEAR,
             "business_key": f"{code}/{YEAR}", "status": "running", "state": model.state, "version": 1,
             "started_by": "benchmark", "started_at": clock.now()} for code in codes
        ])
        instances = dict(session.execute(select(ProcessInstance.agency_id, ProcessInstance.id)).all())
        due = clock.now() + timedelta(days=30)
        _insert(session, HumanTask, [
            {"instance_id": instances[ids[code]], "spiff_task_id": f"bench-{code}", "spec_id": task.spec_id,
             "process_key": task.process_key, "name": task.name, "lane": task.lane, "role": task.role,
             "agency_id": ids[code], "assignee_id": None, "status": "ready", "due_at": due,
             "created_at": clock.now(), "completed_at": None, "completed_by_id": None} for code in codes
        ])
        password = hash_password("bench")
        _insert(session, User, [
            {"username": f"officer.{code.lower()}", "full_name": f"Thư ký ISO {code}", "email": None,
             "password_hash": password, "is_active": True, "is_demo": False, "created_at": clock.now()}
            for code in sorted(ids)
        ])
        users = dict(session.execute(select(User.username, User.id)).all())
        _insert(session, RoleMembership, [
            {"user_id": users[f"officer.{code.lower()}"], "agency_id": ids[code], "role": task.role}
            for code in sorted(ids)
        ])
        session.commit()


def measure(call: Callable[[], int], requests: int) -> list[float]:
    """Milliseconds per call, after a warm-up."""
    for _ in range(10):
        call()
    timings = []
    for _ in range(requests):
        start = time.perf_counter()
        status = call()
        timings.append((time.perf_counter() - start) * 1000)
        if status != 200:
            raise SystemExit(f"unexpected status {status}")
    return timings


def summary(name: str, timings: list[float]) -> str:
    """'name: median X ms, p95 Y ms' for a list of timings."""
    ordered = sorted(timings)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    return f"{name:<28} median {statistics.median(ordered):6.2f} ms   p95 {p95:6.2f} ms   (n={len(ordered)})"


def main() -> None:
    """Build (or reuse) the database, then time the two reads."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--agencies", type=int, default=14_300)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--database-url", default=None, help="an empty database to build in (or one to reuse)")
    parser.add_argument("--reuse", action="store_true", help="the database at --database-url is already built")
    args = parser.parse_args()
    clock = VirtualClock(datetime(2024, 1, 2, 8, 0, tzinfo=VIETNAM))
    url = args.database_url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'inbox-bench.sqlite3'}"
    if not args.reuse:
        began = time.perf_counter()
        build_database(url, args.agencies, clock)
        print(f"built {args.agencies} agencies in {time.perf_counter() - began:.1f} s: {url}")
    settings = Settings(database_url=url, secret_key="benchmark")  # noqa: S106 - a throw-away local app
    app = create_app(settings, clock=clock)
    client = app.test_client()
    factory = make_session_factory(make_engine(url))
    with factory() as session:
        user_id = session.scalars(select(User.id).where(User.username == "officer.bm-07150")).one()
    with client.session_transaction() as browser_session:
        browser_session["user_id"] = user_id
    results = [
        summary("GET /inbox (page)", measure(lambda: client.get("/inbox").status_code, args.requests)),
        summary("GET /api/v1/tasks", measure(lambda: client.get("/api/v1/tasks").status_code, args.requests)),
    ]
    dialect = url.split(":", 1)[0].split("+", 1)[0]
    print(f"{datetime.now(UTC):%Y-%m-%d}  {dialect}, {args.agencies} agencies, officer of BM-07150")
    for line in results:
        print(line)


if __name__ == "__main__":
    main()

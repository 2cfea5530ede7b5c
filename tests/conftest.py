"""Shared fixtures: a migrated database (SQLite copy per test, or PostgreSQL), a virtual clock."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from engine.clock import VIETNAM, VirtualClock
from engine.definitions import deploy_folder
from engine.seed import seed_agencies, seed_demo_accounts
from engine.settings import PROJECT_ROOT
from models import Base
from models.db import make_engine, make_session_factory
from models.migrate import upgrade

PROCESSES = PROJECT_ROOT / "processes"
POSTGRES_ADMIN_URL = os.environ.get("ISOFLOW_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def postgres_required() -> bool:
    """In CI the PostgreSQL tests must run: being unable to reach the server is a failure."""
    return os.environ.get("CI", "").lower() in ("1", "true") or os.environ.get("ISOFLOW_REQUIRE_POSTGRES") == "1"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once; each test works on its own copy."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    """URL of a fresh, migrated SQLite database for one test."""
    target = tmp_path / "isoflow.sqlite3"
    shutil.copy(sqlite_template, target)
    return f"sqlite:///{target}"


@pytest.fixture
def engine(sqlite_url: str) -> Iterator[Engine]:
    """The test's database engine."""
    eng = make_engine(sqlite_url)
    yield eng
    eng.dispose()


@pytest.fixture
def factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory on the test database."""
    return make_session_factory(engine)


@pytest.fixture
def session(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session; tests commit or roll back as an entry point would."""
    with factory() as s:
        yield s


@pytest.fixture
def clock() -> VirtualClock:
    """A virtual clock at the start of the 2024 cycle (Vietnam time)."""
    return VirtualClock(datetime(2024, 1, 2, 8, 0, tzinfo=VIETNAM))


@pytest.fixture
def seeded(session: Session, clock: VirtualClock) -> Session:
    """Agencies, demo accounts and every process of processes/ deployed, committed."""
    seed_agencies(session)
    seed_demo_accounts(session, clock)
    deploy_folder(session, clock, PROCESSES, "test")
    session.commit()
    return session


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A throw-away PostgreSQL database, migrated, for the whole test session."""
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"isoflow_test_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 - any connection failure means "no PostgreSQL here"
        admin.dispose()
        if postgres_required():
            pytest.fail(f"PostgreSQL is required here but not reachable at {POSTGRES_ADMIN_URL}: {exc}")
        pytest.skip(f"PostgreSQL not reachable ({exc}); set CI=true to make this a failure")
    url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    upgrade(url)
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def pg_engine(postgres_database: str) -> Iterator[Engine]:
    """An engine on the PostgreSQL test database, emptied before each test."""
    eng = make_engine(postgres_database)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with eng.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    yield eng
    eng.dispose()


@pytest.fixture
def pg_factory(pg_engine: Engine) -> sessionmaker[Session]:
    """A session factory on PostgreSQL."""
    return make_session_factory(pg_engine)

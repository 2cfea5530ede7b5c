"""Small test helpers shared by several test modules."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from models import Base

FIXTURE_PROCESSES = Path(__file__).resolve().parent / "fixtures" / "processes"


def database_snapshot(session: Session) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, to prove that a refused operation changed nothing."""
    session.expire_all()
    snapshot: dict[str, list[tuple[Any, ...]]] = {}
    for table in Base.metadata.sorted_tables:
        rows = session.execute(select(table).order_by(*table.primary_key.columns)).all()
        snapshot[table.name] = [tuple(row) for row in rows]
    return snapshot


def poll_other_backends(
    session: Session, condition: str, *, until: Callable[[int], bool], tries: int = 200_000
) -> None:
    """Poll pg_stat_activity until `until(count)` of the other backends matching `condition` holds.

    A synchronisation with other PostgreSQL sessions, bounded by a number of queries (not by a
    clock), which fails the test instead of hanging it.
    """
    query = text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        f"AND pid <> pg_backend_pid() AND {condition}"
    )
    for _ in range(tries):
        count = int(session.scalar(query) or 0)
        session.rollback()
        if until(count):
            return
    raise AssertionError(f"other backends never reached the expected state ({condition})")

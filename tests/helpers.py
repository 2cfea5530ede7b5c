"""Small test helpers shared by several test modules."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select
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

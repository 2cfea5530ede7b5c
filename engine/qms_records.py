"""Typed QMS records (documents, findings, corrective actions ...) written from completed forms.

Supervisors aggregate these with plain SQL instead of reading workflow state.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from models import ProcessDefinition, ProcessInstance


def store_records(
    session: Session,
    instance: ProcessInstance,
    definition: ProcessDefinition,
    spec_id: str,
    data: dict[str, Any],
    now: datetime,
    actor: str,
) -> None:
    """Write the typed records a completed task produces (none yet for the first process)."""
    return None

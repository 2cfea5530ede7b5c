"""Processes a completed task starts, as its process.json "starts" declare.

For example the Department's inspection plan starts one `dost_inspection` for every agency it
chooses for an on-site visit:

    "starts": [{"task": "plan_inspections", "process": "dost_inspection",
                "agencies": "form.onsite_agencies", "data": {"inspection_kind": "onsite"}}]

`agencies` names a list of agency codes in the form; each `data` value is a literal, or `form.<path>`.
Starting is idempotent (one instance per agency, year and process), so a retried completion starts
nothing twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.clock import Clock
from engine.errors import ValidationFailed
from engine.instances import business_key, start_instance
from engine.qms_records import lookup
from engine.records import Actor, StartResult
from models import Agency, HumanTask, ProcessDefinition, ProcessInstance

_CYCLE_PROCESS = "iso_annual_cycle"


def _value(spec: Any, form: dict[str, Any]) -> Any:
    if isinstance(spec, str) and spec.startswith("form."):
        return lookup(form, spec.removeprefix("form."))
    return spec


def _agencies(session: Session, codes: Any, field: str) -> list[Agency]:
    if not isinstance(codes, list):
        return []
    found = {a.code: a for a in session.scalars(select(Agency).where(Agency.code.in_([str(c) for c in codes])))}
    missing = [str(c) for c in codes if str(c) not in found]
    if missing:
        raise ValidationFailed(
            f"Không có cơ quan mã {', '.join(missing)} (no agency with code {', '.join(missing)})",
            details={field: f"Mã cơ quan không tồn tại: {', '.join(missing)}"},
        )
    return [found[str(c)] for c in codes]


def start_follow_ups(
    session: Session,
    clock: Clock,
    actor: Actor,
    instance: ProcessInstance,
    owner: ProcessDefinition,
    task: HumanTask,
    form: dict[str, Any],
    now: datetime,
) -> list[StartResult]:
    """Start what the task's process.json declares for this completed task; returns the starts."""
    started: list[StartResult] = []
    year = instance.cycle_year or now.year
    for rule in owner.settings.get("starts", []):
        if rule.get("task") != task.spec_id:
            continue
        process = str(rule["process"])
        field = str(rule.get("agencies", "")).removeprefix("form.")
        data = {name: _value(spec, form) for name, spec in (rule.get("data") or {}).items()}
        for agency in _agencies(session, lookup(form, field), field):
            key = business_key(agency.code, year, process, _CYCLE_PROCESS)
            started.append(start_instance(session, clock, process, agency, year, key=key, data=data, actor=actor))
    return started

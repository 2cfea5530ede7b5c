"""Use cases on process instances: start, start a year's cycle, suspend, resume, cancel, read."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine.access import can_read_instance, reads_everything
from engine.clock import Clock
from engine.deadlines import deadline_text
from engine.definitions import parsed_process, require_latest_definition
from engine.errors import Conflict, Forbidden, NotFound
from engine.projection import apply_snapshot, flush_or_conflict, record
from engine.records import (
    SYSTEM,
    Actor,
    HistoryRecord,
    InstanceDetail,
    InstanceRecord,
    StartResult,
    TimerRecord,
)
from engine.spiff import runner
from engine.task_queries import tasks_of_instance
from models import Agency, HistoryEvent, ProcessDefinition, ProcessInstance, Timer


def business_key(agency_code: str, year: int, process_key: str, cycle_process: str) -> str:
    """`<agency code>/<year>` for the yearly cycle; other processes add their key."""
    base = f"{agency_code}/{year}"
    return base if process_key == cycle_process else f"{base}/{process_key}"


def agency_by_code(session: Session, code: str) -> Agency:
    """The agency with a code, or NotFound."""
    agency = session.scalars(select(Agency).where(Agency.code == code)).first()
    if agency is None:
        raise NotFound(f"no agency with code '{code}'")
    return agency


def start_instance(
    session: Session,
    clock: Clock,
    process_key: str,
    agency: Agency,
    year: int,
    *,
    key: str,
    data: dict[str, Any] | None = None,
    actor: Actor = SYSTEM,
) -> StartResult:
    """Start the latest version of a process for an agency; a second start with the key is a no-op."""
    existing = session.scalars(select(ProcessInstance).where(ProcessInstance.business_key == key)).first()
    if existing is not None:
        return StartResult(existing.id, key, created=False)
    definition = require_latest_definition(session, process_key)
    now = clock.now()
    start_data = {"agency_code": agency.code, "agency_name": agency.name, "cycle_year": year, **(data or {})}
    snapshot = runner.start(parsed_process(session, definition), start_data, now)
    instance = ProcessInstance(
        definition_id=definition.id,
        agency_id=agency.id,
        cycle_year=year,
        business_key=key,
        status="running",
        state=snapshot.state,
        started_by=actor.username,
        started_at=now,
    )
    try:
        with session.begin_nested():
            session.add(instance)
            session.flush()
    except IntegrityError:
        # Someone else started the same business key concurrently: theirs stands.
        other = session.scalars(select(ProcessInstance).where(ProcessInstance.business_key == key)).one()
        return StartResult(other.id, key, created=False)
    record(
        session,
        instance.id,
        now,
        actor.username,
        "instance_started",
        data={"process": process_key, "version": definition.version},
    )
    apply_snapshot(session, instance, definition, snapshot, now, actor.username)
    return StartResult(instance.id, key, created=True)


def start_cycle(
    session: Session,
    clock: Clock,
    year: int,
    *,
    process_key: str = "iso_annual_cycle",
    agency_code: str | None = None,
    report_due: date | None = None,
    actor: Actor = SYSTEM,
) -> list[StartResult]:
    """Start the yearly cycle for every agency active that year (re-runnable, idempotent)."""
    require_latest_definition(session, process_key)
    due = report_due or date(year, 9, 30)
    if agency_code is not None:
        agencies = [agency_by_code(session, agency_code)]
    else:
        agencies = list(
            session.scalars(
                select(Agency)
                .where(Agency.status == "active", Agency.valid_from <= date(year, 12, 31))
                .where((Agency.valid_to.is_(None)) | (Agency.valid_to >= date(year, 1, 1)))
                .order_by(Agency.code)
            )
        )
    started = set(session.scalars(select(ProcessInstance.business_key).where(ProcessInstance.cycle_year == year)))
    results = []
    for agency in agencies:
        key = business_key(agency.code, year, process_key, process_key)
        if key in started:
            continue
        data = {"report_due": deadline_text(due.year, due.month, due.day)}
        results.append(start_instance(session, clock, process_key, agency, year, key=key, data=data, actor=actor))
    return results


def _load(session: Session, instance_id: int) -> ProcessInstance:
    instance = session.get(ProcessInstance, instance_id)
    if instance is None:
        raise NotFound(f"no instance {instance_id}")
    return instance


def _check_version(instance: ProcessInstance, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != instance.version:
        raise Conflict(
            f"instance {instance.id} is at version {instance.version}, not {expected_version}; reload and try again"
        )


def _require_manager(actor: Actor, instance: ProcessInstance) -> None:
    if actor is SYSTEM or actor.is_admin or actor.is_supervisor:
        return
    if actor.holds(instance.agency_id, "agency_head"):
        return
    raise Forbidden("only the agency head, a supervisor or an administrator may do this")


def set_status(
    session: Session,
    clock: Clock,
    instance_id: int,
    action: str,
    *,
    actor: Actor = SYSTEM,
    expected_version: int | None = None,
    reason: str = "",
) -> InstanceRecord:
    """Suspend, resume or cancel an instance."""
    instance = _load(session, instance_id)
    _require_manager(actor, instance)
    _check_version(instance, expected_version)
    now = clock.now()
    allowed = {"suspend": ("running", "suspended"), "resume": ("suspended", "running")}
    if action in allowed:
        source, target = allowed[action]
        if instance.status != source:
            raise Conflict(f"instance {instance.id} is {instance.status}; cannot {action}")
        instance.status = target
    elif action == "cancel":
        if instance.status not in ("running", "suspended"):
            raise Conflict(f"instance {instance.id} is {instance.status}; cannot cancel")
        definition = session.get_one(ProcessDefinition, instance.definition_id)
        snapshot = runner.cancel(parsed_process(session, definition), instance.state, now)
        apply_snapshot(session, instance, definition, snapshot, now, actor.username)
        instance.status = "cancelled"
        instance.ended_at = now
    else:
        raise NotFound(f"unknown action '{action}'")
    record(session, instance.id, now, actor.username, f"instance_{action}", data={"reason": reason} if reason else {})
    flush_or_conflict(session)
    return instance_record(session, instance)


def instance_record(session: Session, instance: ProcessInstance) -> InstanceRecord:
    """Plain record of an instance."""
    definition = session.get_one(ProcessDefinition, instance.definition_id)
    agency = session.get_one(Agency, instance.agency_id)
    return InstanceRecord(
        id=instance.id,
        business_key=instance.business_key,
        process_key=definition.key,
        definition_version=definition.version,
        agency_code=agency.code,
        agency_name=agency.name,
        cycle_year=instance.cycle_year,
        status=instance.status,
        version=instance.version,
        started_at=instance.started_at,
        ended_at=instance.ended_at,
    )


def list_instances(
    session: Session,
    actor: Actor = SYSTEM,
    *,
    year: int | None = None,
    status: str | None = None,
    limit: int = 1000,
    offset: int = 0,
) -> list[InstanceRecord]:
    """Instances visible to the actor, newest first."""
    query = (
        select(ProcessInstance, ProcessDefinition, Agency)
        .join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id)
        .join(Agency, Agency.id == ProcessInstance.agency_id)
        .order_by(ProcessInstance.id)
        .limit(limit)
        .offset(offset)
    )
    if not reads_everything(actor):
        query = query.where(ProcessInstance.agency_id.in_(actor.agency_ids()))
    if year is not None:
        query = query.where(ProcessInstance.cycle_year == year)
    if status is not None:
        query = query.where(ProcessInstance.status == status)
    return [
        InstanceRecord(
            id=i.id,
            business_key=i.business_key,
            process_key=d.key,
            definition_version=d.version,
            agency_code=a.code,
            agency_name=a.name,
            cycle_year=i.cycle_year,
            status=i.status,
            version=i.version,
            started_at=i.started_at,
            ended_at=i.ended_at,
        )
        for i, d, a in session.execute(query)
    ]


def instance_detail(session: Session, instance_id: int, actor: Actor = SYSTEM) -> InstanceDetail:
    """An instance with its tasks, timers and history (scoped to the actor)."""
    instance = _load(session, instance_id)
    if not can_read_instance(actor, instance.agency_id):
        raise NotFound(f"no instance {instance_id}")
    timers = session.scalars(select(Timer).where(Timer.instance_id == instance.id).order_by(Timer.id))
    history = session.scalars(
        select(HistoryEvent).where(HistoryEvent.instance_id == instance.id).order_by(HistoryEvent.id)
    )
    return InstanceDetail(
        instance=instance_record(session, instance),
        tasks=tuple(tasks_of_instance(session, instance.id)),
        timers=tuple(TimerRecord(t.id, t.spec_id, t.name, t.due_at, t.status, t.fired_at) for t in timers),
        history=tuple(HistoryRecord(h.at, h.actor, h.kind, h.spec_id, h.task_name, dict(h.data)) for h in history),
    )

"""Typed QMS records (documents, findings, corrective actions ...) written from completed forms.

Supervisors aggregate these with plain SQL instead of reading workflow state. What a task writes is
data in its process.json, a list under "records":

    {"task": "record_findings", "kind": "finding", "key": "findings", "rows": "findings",
     "fields": {"clause": "row.clause", ...}, "set": {"source": "internal_audit"}, "when": {...}}

- "rows": one record per item of that form array; a resubmission replaces the task's earlier rows.
- "update": change the existing records of the key that match these columns (no new record).
- otherwise: create or update the one record of the key in the task's scope (its called sub-process).
Field sources: "form", "form.<path>", "row.<path>", "task.<path>" (the task's workflow data),
"process.<path>" (the instance's start data), "actor", "now".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, DateTime, String, delete, inspect, select
from sqlalchemy.orm import Session

from engine.clock import VIETNAM
from engine.definitions import definition_of_process
from engine.errors import InvalidDefinition
from engine.spiff.inspect import TaskContext
from models import HumanTask, ProcessDefinition, ProcessInstance
from models.qms import RECORD_KINDS, QmsRecord


def lookup(value: Any, path: str) -> Any:
    """Follow a dotted path through nested dicts; None where it stops."""
    for part in path.split(".") if path else []:
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


@dataclass(frozen=True)
class _Sources:
    """Resolves field sources for one completion (`context`: the task as it was before completing)."""

    instance: ProcessInstance
    task: HumanTask
    form: dict[str, Any]
    context: TaskContext
    now: datetime
    actor: str

    def value(self, source: str, row: dict[str, Any] | None = None) -> Any:
        head, _, path = source.partition(".")
        if head == "form":
            return lookup(self.form, path)
        if head == "row":
            return lookup(row or {}, path)
        if head == "task":
            return lookup(self.context.data, path)
        if head == "process":
            return lookup(self.context.process_data, path)
        if source == "actor":
            return self.actor
        if source == "now":
            return self.now
        raise InvalidDefinition(f"records: unknown field source '{source}'")


def _convert(model: type[QmsRecord], column: str, value: Any) -> Any:
    columns = inspect(model).columns
    if column not in columns:
        raise InvalidDefinition(f"records: {model.__name__} has no column '{column}'")
    if value is None or value == "":
        return None
    kind = columns[column].type
    if isinstance(kind, Date):
        if isinstance(value, datetime):
            return value.astimezone(VIETNAM).date()
        return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    if isinstance(kind, DateTime) or isinstance(getattr(kind, "impl", None), DateTime):
        return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    if isinstance(kind, String):
        text = str(value)
        return text[: kind.length] if kind.length else text
    return value


def _assign(record: QmsRecord, mapping: dict[str, Any], sources: _Sources, row: dict[str, Any] | None) -> None:
    model = type(record)
    for column, source in (mapping.get("fields") or {}).items():
        setattr(record, column, _convert(model, column, sources.value(source, row)))
    for column, value in (mapping.get("set") or {}).items():
        setattr(record, column, _convert(model, column, value))
    record.updated_at = sources.now
    record.updated_by = sources.actor


def _new(model: type[QmsRecord], sources: _Sources, scope: str, key: str) -> QmsRecord:
    instance = sources.instance
    record = model()
    record.instance_id, record.agency_id, record.cycle_year = instance.id, instance.agency_id, instance.cycle_year
    record.scope, record.record_key, record.status, record.created_at = scope, key, "", sources.now
    return record


def _apply(session: Session, mapping: dict[str, Any], sources: _Sources) -> None:
    model = RECORD_KINDS.get(str(mapping.get("kind")))
    if model is None:
        raise InvalidDefinition(f"records: unknown record kind '{mapping.get('kind')}'")
    key = str(mapping.get("key") or mapping["kind"])
    scope = sources.context.scope
    mine = select(model).where(model.instance_id == sources.instance.id, model.scope == scope, model.record_key == key)
    if "rows" in mapping:
        session.execute(_delete_of(model, sources, scope, key))
        for row in sources.form.get(mapping["rows"]) or []:
            record = _new(model, sources, scope, key)
            _assign(record, mapping, sources, row)
            session.add(record)
        return
    if "update" in mapping:
        for column, value in mapping["update"].items():
            mine = mine.where(getattr(model, column) == value)
        for record in session.scalars(mine):
            _assign(record, mapping, sources, None)
        return
    found = session.scalars(mine.order_by(model.id.desc())).first()
    record = found if found is not None else _new(model, sources, scope, key)
    _assign(record, mapping, sources, None)
    if found is None:
        session.add(record)


def _delete_of(model: type[QmsRecord], sources: _Sources, scope: str, key: str) -> Any:
    return delete(model).where(model.instance_id == sources.instance.id, model.scope == scope, model.record_key == key)


def mappings_for(
    session: Session, definition: ProcessDefinition, process_key: str, spec_id: str
) -> list[dict[str, Any]]:
    """The record mappings process.json declares for a task."""
    owner = definition_of_process(session, definition, process_key)
    return [m for m in owner.settings.get("records", []) if m.get("task") == spec_id]


def store_records(
    session: Session,
    instance: ProcessInstance,
    definition: ProcessDefinition,
    task: HumanTask,
    data: dict[str, Any],
    context: TaskContext,
    now: datetime,
    actor: str,
) -> None:
    """Write the typed records a completed task produces, as its process.json "records" declare."""
    sources = _Sources(instance, task, data, context, now, actor)
    for mapping in mappings_for(session, definition, task.process_key, task.spec_id):
        when = mapping.get("when") or {}
        if all(data.get(name) == value for name, value in when.items()):
            _apply(session, mapping, sources)

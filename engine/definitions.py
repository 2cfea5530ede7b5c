"""Deploy process definitions from folders; load the parsed spec of a stored version."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.clock import Clock
from engine.errors import InvalidDefinition, NotFound
from engine.forms import check_form
from engine.records import DeployResult
from engine.spiff.loader import (
    BPMN_NS,
    BpmnDocument,
    ParsedProcess,
    checksum_of,
    load_process,
    parse_document,
    validate_process,
)
from models import ProcessDefinition
from models.agency import ROLES


@dataclass(frozen=True)
class ProcessSource:
    """A process as read from its folder: BPMN, forms and settings."""

    key: str
    bpmn_xml: str
    forms: dict[str, Any]
    settings: dict[str, Any]

    @property
    def checksum(self) -> str:
        """Hash of everything that makes a version."""
        payload = json.dumps([self.bpmn_xml, self.forms, self.settings], sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InvalidDefinition(f"{path.name}: not readable JSON: {exc}") from exc


def read_process_folder(folder: Path) -> ProcessSource:
    """Read `<key>/<key>.bpmn`, `forms/*.json` and `process.json` from a folder."""
    key = folder.name
    bpmn_path = folder / f"{key}.bpmn"
    if not bpmn_path.is_file():
        raise InvalidDefinition(f"{folder.name}: expected the BPMN file {key}.bpmn")
    settings = _read_json(folder / "process.json") if (folder / "process.json").is_file() else {}
    forms = {p.stem: _read_json(p) for p in sorted((folder / "forms").glob("*.json"))}
    return ProcessSource(key, bpmn_path.read_text(encoding="utf-8"), forms, settings)


def latest_definition(session: Session, key: str) -> ProcessDefinition | None:
    """The newest version of a process, or None."""
    return session.scalars(
        select(ProcessDefinition)
        .where(ProcessDefinition.key == key)
        .order_by(ProcessDefinition.version.desc())
        .limit(1)
    ).first()


def require_latest_definition(session: Session, key: str) -> ProcessDefinition:
    """The newest version of a process, or NotFound."""
    definition = latest_definition(session, key)
    if definition is None:
        raise NotFound(f"no process '{key}' is deployed; run `isoflow deploy` first")
    return definition


def _called_keys(xml: str, name: str) -> list[str]:
    root = parse_document(BpmnDocument(name, xml))
    return sorted({node.get("calledElement", "") for node in root.iter(f"{{{BPMN_NS}}}callActivity")} - {""})


def _check_source(source: ProcessSource, parsed: ParsedProcess) -> None:
    lanes = source.settings.get("lanes", {})
    for lane in parsed.lanes:
        role = lanes.get(lane, lane)
        if role not in ROLES:
            raise InvalidDefinition(
                f"{source.key}: lane '{lane}' is not mapped to a role; add it to process.json 'lanes' "
                f"with one of {', '.join(ROLES)}"
            )
    own_tasks = {task.spec_id for task in parsed.user_tasks}
    for spec_id, form in source.forms.items():
        check_form(f"{source.key}/forms/{spec_id}.json", form)
    root = parse_document(BpmnDocument(f"{source.key}.bpmn", source.bpmn_xml))
    declared = {n.get("id") for n in root.iter(f"{{{BPMN_NS}}}userTask")}
    missing = sorted(t for t in declared & own_tasks if t not in source.forms)
    if missing:
        raise InvalidDefinition(f"{source.key}: user task '{missing[0]}' has no form forms/{missing[0]}.json")


def called_closure(session: Session, definition_ids: list[int]) -> list[ProcessDefinition]:
    """The pinned definitions called directly or indirectly through these ids."""
    found: dict[int, ProcessDefinition] = {}
    pending = list(definition_ids)
    while pending:
        rows = session.scalars(select(ProcessDefinition).where(ProcessDefinition.id.in_(pending))).all()
        pending = []
        for row in rows:
            if row.id not in found:
                found[row.id] = row
                pending.extend(i for i in row.called_definition_ids if i not in found)
    return sorted(found.values(), key=lambda d: d.id)


def _documents(session: Session, definition_ids: list[int]) -> list[BpmnDocument]:
    return [BpmnDocument(f"{row.key}.bpmn", row.bpmn_xml) for row in called_closure(session, definition_ids)]


def definition_of_process(session: Session, definition: ProcessDefinition, process_key: str) -> ProcessDefinition:
    """The pinned definition that a task of `process_key` belongs to (the definition or one it calls)."""
    if process_key == definition.key:
        return definition
    # Stored versions never change: what a definition calls is looked up once per session.
    cache: dict[int, dict[str, int]] = session.info.setdefault("isoflow.called_ids", {})
    called = cache.get(definition.id)
    if called is None:
        closure = called_closure(session, list(definition.called_definition_ids))
        called = cache.setdefault(definition.id, {row.key: row.id for row in closure})
    called_id = called.get(process_key)
    return session.get_one(ProcessDefinition, called_id) if called_id is not None else definition


def form_of(session: Session, definition: ProcessDefinition, process_key: str, spec_id: str) -> dict[str, Any] | None:
    """The form of a user task, looked up in the definition that declares it."""
    form: dict[str, Any] | None = definition_of_process(session, definition, process_key).forms.get(spec_id)
    return form


def deploy_sources(
    session: Session, clock: Clock, sources: list[ProcessSource], deployed_by: str
) -> list[DeployResult]:
    """Store each changed source as a new version; unchanged ones are a no-op."""
    by_key = {source.key: source for source in sources}
    results: list[DeployResult] = []
    # Called processes first, so that a caller pins the version deployed in this same run.
    for key in _deploy_order(by_key):
        source = by_key[key]
        current = latest_definition(session, key)
        called = _latest_called(session, key, source)
        if (
            current is not None
            and current.checksum == source.checksum
            and list(current.called_definition_ids) == [c.id for c in called]
        ):
            results.append(DeployResult(key, current.version, created=False))
            continue
        documents = [BpmnDocument(f"{key}.bpmn", source.bpmn_xml), *_documents(session, [c.id for c in called])]
        parsed = validate_process(documents, key)
        _check_source(source, parsed)
        definition = ProcessDefinition(
            key=key,
            version=(current.version + 1) if current is not None else 1,
            name=str(source.settings.get("name", key)),
            checksum=source.checksum,
            bundle_checksum=checksum_of(documents, key),
            called_definition_ids=[c.id for c in called],
            bpmn_xml=source.bpmn_xml,
            forms=source.forms,
            settings=source.settings,
            deployed_by=deployed_by,
            deployed_at=clock.now(),
        )
        session.add(definition)
        session.flush()
        results.append(DeployResult(key, definition.version, created=True))
    return results


def _latest_called(session: Session, key: str, source: ProcessSource) -> list[ProcessDefinition]:
    called = []
    for called_key in _called_keys(source.bpmn_xml, f"{key}.bpmn"):
        if called_key == key:
            continue
        definition = latest_definition(session, called_key)
        if definition is None:
            raise InvalidDefinition(f"{key}: calls process '{called_key}', which is not deployed")
        called.append(definition)
    return called


def _deploy_order(by_key: dict[str, ProcessSource]) -> list[str]:
    order: list[str] = []
    visiting: set[str] = set()

    def visit(key: str) -> None:
        if key in order or key in visiting:
            return
        visiting.add(key)
        for called in _called_keys(by_key[key].bpmn_xml, f"{key}.bpmn"):
            if called in by_key:
                visit(called)
        visiting.discard(key)
        order.append(key)

    for key in sorted(by_key):
        visit(key)
    return order


def deploy_folder(session: Session, clock: Clock, folder: Path, deployed_by: str) -> list[DeployResult]:
    """Deploy every process folder under `folder` (or `folder` itself if it is one)."""
    if not folder.is_dir():
        raise NotFound(f"{folder} is not a folder")
    if (folder / f"{folder.name}.bpmn").is_file():
        candidates = [folder]
    else:
        candidates = sorted(p for p in folder.iterdir() if p.is_dir() and (p / f"{p.name}.bpmn").is_file())
    if not candidates:
        raise InvalidDefinition(f"{folder}: no process folders (<id>/<id>.bpmn) found")
    return deploy_sources(session, clock, [read_process_folder(p) for p in candidates], deployed_by)


def parsed_process(session: Session, definition: ProcessDefinition) -> ParsedProcess:
    """The parsed spec of a stored version, from the cache after the first use."""
    return load_process(
        definition.bundle_checksum,
        definition.key,
        lambda: [
            BpmnDocument(f"{definition.key}.bpmn", definition.bpmn_xml),
            *_documents(session, list(definition.called_definition_ids)),
        ],
    )


def definition_count(session: Session) -> int:
    """How many definition versions are stored."""
    return int(session.scalar(select(func.count()).select_from(ProcessDefinition)) or 0)

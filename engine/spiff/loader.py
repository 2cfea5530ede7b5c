"""Parse and validate BPMN into SpiffWorkflow specs, cached by checksum."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.mixins.user_task import UserTask as UserTaskMixin
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

from engine.errors import InvalidDefinition, UnsafeScript
from engine.spiff.scripting import ScriptRefused, compile_expression, compile_script
from engine.spiff.xml import UnsafeXml, parse_untrusted_xml

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
# Elements whose text is Python run by the engine: scripts, and everything else an expression.
_SCRIPT_TAGS = {"script", "preScript", "postScript"}
_EXPRESSION_TAGS = {
    "conditionExpression",
    "timeDate",
    "timeDuration",
    "timeCycle",
    "loopCardinality",
    "completionCondition",
    "loopCondition",
    "loopMaximum",
}


@dataclass(frozen=True)
class UserTaskInfo:
    """A user task of a process, as the deploy step and forms need it."""

    spec_id: str
    name: str
    lane: str | None


@dataclass(frozen=True)
class ParsedProcess:
    """A runnable process: its spec, the specs of what it calls, and facts about it."""

    process_id: str
    checksum: str
    spec: Any
    subprocess_specs: dict[str, Any]
    user_tasks: tuple[UserTaskInfo, ...]
    lanes: tuple[str, ...]
    # The modeller's documentation of every user task, here and in called processes: (process, task id).
    documentation: dict[tuple[str, str], str] = field(default_factory=dict)


@dataclass(frozen=True)
class BpmnDocument:
    """One BPMN file's text and the name to report errors against."""

    name: str
    xml: str


def checksum_of(documents: Sequence[BpmnDocument], process_id: str) -> str:
    """Content hash identifying a parsed process (its own BPMN plus what it calls)."""
    digest = hashlib.sha256(process_id.encode())
    for doc in documents:
        digest.update(b"\0" + doc.xml.encode("utf-8"))
    return digest.hexdigest()


def _element_label(node: etree._Element) -> str:
    while node is not None and node.get("id") is None:
        node = node.getparent()
    return node.get("id", "?") if node is not None else "?"


def check_scripts(root: etree._Element, document: str) -> None:
    """Compile every script and expression of a document in the sandbox; refuse unsafe ones."""
    for node in root.iter():
        if not isinstance(node.tag, str):
            continue
        local = etree.QName(node).localname
        if local not in _SCRIPT_TAGS and local not in _EXPRESSION_TAGS:
            continue
        source = (node.text or "").strip()
        if not source:
            continue
        try:
            if local in _SCRIPT_TAGS:
                compile_script(source)
            else:
                compile_expression(source)
        except ScriptRefused as exc:
            element = _element_label(node)
            raise UnsafeScript(
                f"{document}: element '{element}' has a script or expression the engine refuses: {exc}",
                details={"element": element},
            ) from exc


def parse_document(doc: BpmnDocument) -> etree._Element:
    """Parse one untrusted BPMN document and check its scripts."""
    try:
        root = parse_untrusted_xml(doc.xml)
    except UnsafeXml as exc:
        raise InvalidDefinition(f"{doc.name}: {exc}") from exc
    if etree.QName(root).namespace != BPMN_NS or etree.QName(root).localname != "definitions":
        raise InvalidDefinition(f"{doc.name}: the root element must be bpmn:definitions")
    check_scripts(root, doc.name)
    return root


def executable_process_ids(doc: BpmnDocument) -> list[str]:
    """The ids of the processes a BPMN document defines."""
    root = parse_document(doc)
    return [p.get("id", "") for p in root.iter(f"{{{BPMN_NS}}}process")]


def _parse(documents: Sequence[BpmnDocument], process_id: str, checksum: str) -> ParsedProcess:
    parser = SpiffBpmnParser(validator=BpmnValidator())
    try:
        for doc in documents:
            parser.add_bpmn_xml(etree.ElementTree(parse_document(doc)), filename=doc.name)
        spec = parser.get_spec(process_id)
        subprocess_specs = parser.get_subprocess_specs(process_id)
    except ValidationException as exc:
        where = f" (element '{exc.id}')" if getattr(exc, "id", "") else ""
        line = f", line {exc.line_number}" if getattr(exc, "line_number", "") else ""
        raise InvalidDefinition(
            f"{exc.file_name or process_id}{line}: {exc}{where}", details={"element": exc.id or ""}
        ) from exc
    except SpiffWorkflowException as exc:
        raise InvalidDefinition(f"{process_id}: {exc}") from exc
    user_tasks = []
    lanes: list[str] = []
    # Lanes and user tasks of this document only: called processes bring their own process.json.
    own_specs = [spec, *(sub for sub in subprocess_specs.values() if getattr(sub, "file", None) == spec.file)]
    for task_spec in [t for own in own_specs for t in own.task_specs.values()]:
        lane = getattr(task_spec, "lane", None)
        if lane and lane not in lanes:
            lanes.append(lane)
        if isinstance(task_spec, UserTaskMixin):
            user_tasks.append(UserTaskInfo(task_spec.bpmn_id, task_spec.bpmn_name or task_spec.bpmn_id, lane))
    documentation = {
        (owner.name, task_spec.bpmn_id): str(task_spec.documentation).strip()
        for owner in [spec, *subprocess_specs.values()]
        for task_spec in owner.task_specs.values()
        if isinstance(task_spec, UserTaskMixin) and task_spec.documentation
    }
    return ParsedProcess(process_id, checksum, spec, subprocess_specs, tuple(user_tasks), tuple(lanes), documentation)


class SpecCache:
    """Parsed processes by checksum; parsing is the expensive step, done once per version."""

    def __init__(self, capacity: int = 256) -> None:
        self._items: OrderedDict[str, ParsedProcess] = OrderedDict()
        self._capacity = capacity
        self._lock = threading.Lock()

    def get(self, key: str, process_id: str, documents: Callable[[], Sequence[BpmnDocument]]) -> ParsedProcess:
        """Return the parsed process stored under `key`, parsing `documents()` on first use."""
        with self._lock:
            cached = self._items.get(key)
            if cached is not None:
                self._items.move_to_end(key)
                return cached
        parsed = _parse(documents(), process_id, key)
        with self._lock:
            self._items[key] = parsed
            while len(self._items) > self._capacity:
                self._items.popitem(last=False)
        return parsed


SPEC_CACHE = SpecCache()


def load_process(key: str, process_id: str, documents: Callable[[], Sequence[BpmnDocument]]) -> ParsedProcess:
    """Fetch a parsed process from the cache by its checksum, parsing it on first use."""
    return SPEC_CACHE.get(key, process_id, documents)


def validate_process(documents: Sequence[BpmnDocument], process_id: str) -> ParsedProcess:
    """Parse and validate a process now (deploy time); raises InvalidDefinition."""
    return _parse(documents, process_id, checksum_of(documents, process_id))

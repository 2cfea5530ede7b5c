"""Workflow state as JSON without the process spec, which is re-attached from the spec cache."""

from __future__ import annotations

import json
import zlib
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG


class _SpeclessWorkflowConverter(BpmnWorkflowConverter):  # type: ignore[misc]
    """Like SpiffWorkflow's converter, but leaves out `spec` and `subprocess_specs`."""

    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        dct: dict[str, Any] = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct: dict[str, Any], spec: Any = None, subprocess_specs: Any = None) -> BpmnWorkflow:
        dct = dict(dct, spec=None, subprocess_specs={})
        dct.pop("spec")
        dct.pop("subprocess_specs")
        workflow = self.target_class(spec, subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


def _build_serializer() -> BpmnWorkflowSerializer:
    config = dict(SPIFF_CONFIG)
    config[BpmnWorkflow] = _SpeclessWorkflowConverter
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))


_SERIALIZER = _build_serializer()
_VERSION_KEY = BpmnWorkflowSerializer.VERSION_KEY
# Task ids repeat through the tree: even the fastest level shrinks a state several times, for ~0.1 ms.
_COMPRESSION_LEVEL = 1


def dump_state(workflow: BpmnWorkflow) -> bytes:
    """Serialize a workflow's state (no spec) to compact, zlib-compressed JSON."""
    registry = _SERIALIZER.registry
    registry._encoder_mode = True
    try:
        dct = _SERIALIZER.to_dict(workflow)
        dct[_VERSION_KEY] = _SERIALIZER.VERSION
        text = json.dumps(dct, cls=_SERIALIZER._encoder_cls, separators=(",", ":"))
    finally:
        registry._encoder_mode = False
    return zlib.compress(text.encode("utf-8"), _COMPRESSION_LEVEL)


def state_json(state: bytes | str) -> str:
    """The JSON text of a stored state (compressed, or plain JSON as first stored)."""
    if isinstance(state, str):
        return state
    return (state if state[:1] == b"{" else zlib.decompress(state)).decode("utf-8")


def load_state(state: bytes | str, spec: Any, subprocess_specs: dict[str, Any]) -> BpmnWorkflow:
    """Restore a workflow from its state and the cached spec of its definition."""
    dct = json.loads(state_json(state), cls=_SERIALIZER.json_decoder_cls)
    _SERIALIZER.migrate(dct)
    workflow: BpmnWorkflow = _SERIALIZER.from_dict(dct, spec=spec, subprocess_specs=subprocess_specs)
    return workflow

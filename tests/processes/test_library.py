"""Every folder of processes/ passes the engine's validation and is a readable, documented diagram."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy.orm import Session, sessionmaker

from engine.clock import VirtualClock
from engine.definitions import deploy_folder, read_process_folder
from models.qms import RECORD_KINDS
from tests.conftest import PROCESSES

NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL", "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI"}
FOLDERS = sorted(p for p in PROCESSES.iterdir() if p.is_dir())
EXPECTED = {"iso_annual_cycle", "iso_internal_audit", "iso_corrective_action", "iso_management_review",
            "iso_legal_update", "iso_republish", "dost_yearly_plan", "dost_inspection"}
NODES = ["startEvent", "endEvent", "userTask", "scriptTask", "callActivity", "exclusiveGateway", "parallelGateway",
         "intermediateCatchEvent", "boundaryEvent"]
SOURCES = ("form", "row", "task", "process")


def test_the_library_has_the_eight_processes() -> None:
    assert {p.name for p in FOLDERS} == EXPECTED


def test_deploy_validates_every_folder_and_is_idempotent(session: Session, clock: VirtualClock) -> None:
    first = deploy_folder(session, clock, PROCESSES, "test")
    assert {r.key for r in first if r.created} == EXPECTED
    session.commit()
    assert not any(r.created for r in deploy_folder(session, clock, PROCESSES, "test"))


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda p: p.name)
def test_each_folder_deploys_on_its_own_once_its_callees_are_there(folder: Path, factory: sessionmaker[Session],
                                                                   clock: VirtualClock) -> None:
    with factory() as session:
        settings = json.loads((folder / "process.json").read_text(encoding="utf-8"))
        for callee in settings.get("calls", []):
            deploy_folder(session, clock, PROCESSES / callee, "test")
        assert deploy_folder(session, clock, folder, "test")[0].created


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda p: p.name)
def test_diagram_has_shapes_for_every_lane_and_node_and_edges_for_every_flow(folder: Path) -> None:
    root = etree.parse(str(folder / f"{folder.name}.bpmn")).getroot()
    shapes = {s.get("bpmnElement") for s in root.iterfind(".//bpmndi:BPMNShape", NS)}
    edges = {e.get("bpmnElement"): e for e in root.iterfind(".//bpmndi:BPMNEdge", NS)}
    participants = [p.get("id") for p in root.iterfind(".//bpmn:participant", NS)]
    assert participants and set(participants) <= shapes
    lanes = root.findall(".//bpmn:lane", NS)
    assert lanes and all(lane.get("id") in shapes for lane in lanes)
    assert all(any(ch.isalpha() and not ch.isascii() for ch in lane.get("name", "")) or lane.get("name") == "Sở KH&CN"
               for lane in lanes), "lanes are named in Vietnamese"
    nodes = [n for tag in NODES for n in root.iterfind(f".//bpmn:{tag}", NS)]
    missing = [n.get("id") for n in nodes if n.get("id") not in shapes]
    assert not missing, f"no DI shape for {missing}"
    for flow in root.iterfind(".//bpmn:sequenceFlow", NS):
        edge = edges.get(flow.get("id"))
        assert edge is not None and len(edge.findall("{http://www.omg.org/spec/DD/20100524/DI}waypoint")) >= 2
    in_lanes = {ref.text for ref in root.iterfind(".//bpmn:flowNodeRef", NS)}
    assert {n.get("id") for n in nodes} <= in_lanes, "every node sits in a lane"


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda p: p.name)
def test_settings_document_timers_and_map_records_to_real_columns(folder: Path) -> None:
    source = read_process_folder(folder)
    root = etree.fromstring(source.bpmn_xml.encode())
    timer_ids = {e.getparent().get("id") for e in root.iterfind(".//bpmn:timerEventDefinition", NS)}
    timers = source.settings.get("timers", {})
    assert set(timers) == timer_ids
    for spec in timers.values():
        assert spec["legal_basis"] and spec["legal_basis_en"] and spec["kind"]
    tasks = {n.get("id") for n in root.iterfind(".//bpmn:userTask", NS)}
    assert set(source.forms) == tasks
    for form in source.forms.values():
        assert form["title"] and form["title_en"] and form["legal_basis"] and form["record"]
        for name, prop in form["schema"]["properties"].items():
            assert prop.get("title") and prop.get("x-title-en"), name
    for mapping in source.settings.get("records", []):
        assert mapping["task"] in tasks and mapping["kind"] in RECORD_KINDS
        columns = RECORD_KINDS[mapping["kind"]].__table__.columns  # type: ignore[attr-defined]
        for column, value in {**mapping.get("fields", {}), **mapping.get("set", {})}.items():
            assert column in columns, f"{mapping['kind']}.{column}"
            if column in mapping.get("fields", {}):
                assert value in ("form", "actor", "now") or value.split(".")[0] in SOURCES
    for rule in source.settings.get("rules", []):
        assert rule["task"] in tasks

"""Workflow state is stored without its spec, and the engine clock drives SpiffWorkflow's timers."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from engine.clock import VIETNAM
from engine.spiff import runner
from engine.spiff.loader import BpmnDocument, ParsedProcess, validate_process
from engine.spiff.serializer import state_json
from tests.helpers import FIXTURE_PROCESSES

START = datetime(2024, 1, 2, 8, 0, tzinfo=VIETNAM)


def demo_process() -> ParsedProcess:
    xml = (FIXTURE_PROCESSES / "engine_demo" / "engine_demo.bpmn").read_text(encoding="utf-8")
    return validate_process([BpmnDocument("engine_demo.bpmn", xml)], "engine_demo")


def test_state_has_no_spec_and_is_small() -> None:
    snapshot = runner.start(demo_process(), {"cycle_year": 2024}, START)
    state = json.loads(state_json(snapshot.state))
    assert "spec" not in state and "subprocess_specs" not in state
    assert len(snapshot.state) < 8 * 1024
    assert [t.spec_id for t in snapshot.ready_tasks] == ["prepare"]


def test_state_round_trips_through_text() -> None:
    process = demo_process()
    started = runner.start(process, {"cycle_year": 2024}, START)
    task = started.ready_tasks[0]
    after = runner.complete(process, started.state, task.task_id, {"pages": 3, "summary": "x", "divisor": 1}, START)
    assert [t.spec_id for t in after.ready_tasks] == ["approve"]
    done = runner.complete(process, after.state, after.ready_tasks[0].task_id, {"approved": True}, START)
    assert done.completed and done.data["total"] == 6


def test_virtual_clock_drives_timers_in_the_past_and_future() -> None:
    # 2024 is in the past of the wall clock: SpiffWorkflow must still wait for the engine's clock.
    process = demo_process()
    started = runner.start(process, {"cycle_year": 2024}, START)
    due = datetime(2024, 3, 31, 17, 0, tzinfo=VIETNAM)
    assert [t.due_at for t in started.timers] == [due]
    early = runner.fire_timers(process, started.state, due - timedelta(minutes=1))
    assert [t.spec_id for t in early.timers] == ["prepare_deadline"]
    fired = runner.fire_timers(process, started.state, due)
    assert fired.timers == () and [t.spec_id for t in fired.ready_tasks] == ["prepare"]
    future = runner.start(process, {"cycle_year": 2099}, START)
    assert runner.fire_timers(process, future.state, START + timedelta(days=365)).timers == future.timers

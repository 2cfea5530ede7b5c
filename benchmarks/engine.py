"""Engine cost per completed task against the raw SpiffWorkflow library, in the same run.

    python benchmarks/engine.py [--instances N] [--process iso_annual_cycle]

The engine path starts N instances and completes every user task through the engine use cases on
a fresh SQLite file (one transaction per task, projections and history included). The raw path
does the same work with SpiffWorkflow alone: parse once; per task deserialize, complete, serialize.
The last line printed is `engine/raw = <ratio>`.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from SpiffWorkflow.bpmn import BpmnWorkflow  # noqa: E402
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer  # noqa: E402
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser  # noqa: E402
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG  # noqa: E402
from SpiffWorkflow.util.task import TaskState  # noqa: E402
from sqlalchemy import select  # noqa: E402

from engine import definitions, instances, tasks  # noqa: E402
from engine.accounts import actor_for, grant_role  # noqa: E402
from engine.clock import VirtualClock  # noqa: E402
from engine.deadlines import script_helpers  # noqa: E402
from engine.errors import Forbidden  # noqa: E402
from engine.forms import validate_submission  # noqa: E402
from engine.seed import seed_agencies, seed_demo_accounts  # noqa: E402
from engine.spiff.scripting import RestrictedEnvironment  # noqa: E402
from engine.spiff.time_hook import workflow_time  # noqa: E402
from models import Agency, ProcessInstance, User  # noqa: E402
from models.db import make_engine, make_session_factory, unit_of_work  # noqa: E402
from models.migrate import upgrade  # noqa: E402

WORK_ROLES = ("iso_officer", "agency_head", "internal_auditor", "supervisor")


def sample_submission(form: dict[str, Any] | None, spec_id: str) -> dict[str, Any]:
    """TEMP: minimal valid data for a form."""
    if form is None:
        return {}
    out: dict[str, Any] = {}
    props = form["schema"].get("properties", {})
    for name in form["schema"].get("required", []):
        spec = props.get(name, {})
        kind = spec.get("type")
        if "enum" in spec:
            out[name] = spec["enum"][0]
        elif kind == "boolean":
            out[name] = True
        elif kind == "integer" or kind == "number":
            out[name] = max(spec.get("minimum", 0), 0)
        elif kind == "array":
            out[name] = []
        elif spec.get("format") == "date":
            out[name] = "2024-05-01"
        else:
            out[name] = "Nội dung mẫu"
    return out


def engine_run(folder: Path, process: str, count: int, workdir: Path) -> tuple[float, int, list[int]]:
    """Seconds spent completing tasks through the engine, tasks completed, state sizes after start."""
    url = f"sqlite:///{workdir / 'bench.sqlite3'}"
    upgrade(url)
    factory = make_session_factory(make_engine(url))
    clock = VirtualClock()
    with unit_of_work(factory) as session:
        seed_agencies(session)
        seed_demo_accounts(session, clock)
        definitions.deploy_folder(session, clock, folder, "benchmark")
        agencies = list(session.scalars(select(Agency).order_by(Agency.code).limit(count)))
        # Two real staff members holding every work role in these agencies (segregation rules need two).
        users = list(session.scalars(select(User).order_by(User.id).limit(2)))
        for user in users:
            for agency in agencies:
                for role in WORK_ROLES:
                    grant_role(session, user, agency, role)
        actors = [actor_for(session, u) for u in users]
        for agency in agencies:
            instances.start_cycle(session, clock, 2024, process_key=process, agency_code=agency.code)
        sizes = [len(s) for s in session.scalars(select(ProcessInstance.state))]
    completed = 0
    elapsed = 0.0
    while True:
        with factory() as session:
            batch = tasks.inbox(session, actors[0], limit=200)
            forms = {t.id: tasks.task_form(session, actors[0], t.id) for t in batch}
        if not batch:
            break
        for task in batch:
            data = sample_submission(forms[task.id], task.spec_id)
            started = time.perf_counter()
            for actor in actors:
                try:
                    with unit_of_work(factory) as session:
                        tasks.complete_task(session, clock, actor, task.id, data)
                    break
                except Forbidden:
                    continue  # segregation of duties: let the second person do it
            elapsed += time.perf_counter() - started
            completed += 1
    return elapsed, completed, sizes


def raw_run(folder: Path, process: str, count: int) -> tuple[float, int]:
    """Seconds spent completing the same tasks with SpiffWorkflow alone, and how many."""
    parser = SpiffBpmnParser()
    for bpmn in sorted(folder.glob("*/*.bpmn")):
        parser.add_bpmn_file(str(bpmn))
    spec = parser.get_spec(process)
    subprocess_specs = parser.get_subprocess_specs(process)
    forms = definitions.read_process_folder(folder / process).forms
    for called in subprocess_specs:
        if (folder / called).is_dir():
            forms.update(definitions.read_process_folder(folder / called).forms)
    serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
    script_engine = _script_engine()
    clock = VirtualClock()
    start_data = {"cycle_year": 2024, "report_due": "2024-09-30T17:00:00+07:00", "agency_code": "VL-001",
                  "agency_name": "x"}
    states = []
    with workflow_time(clock.now()):
        for _ in range(count):
            workflow = BpmnWorkflow(spec, subprocess_specs, script_engine=script_engine)
            workflow.data.update(start_data)
            first = workflow.get_next_task(state=TaskState.READY)
            if first is not None:
                first.data.update(start_data)
            workflow.do_engine_steps()
            states.append(serializer.serialize_json(workflow))
        elapsed = 0.0
        completed = 0
        for state in states:
            while True:
                started = time.perf_counter()
                workflow = serializer.deserialize_json(state)
                workflow.script_engine = script_engine
                ready = workflow.get_tasks(state=TaskState.READY, manual=True)
                if not ready:
                    break
                task = ready[0]
                form = forms.get(task.task_spec.bpmn_id)
                task.data.update(validate_submission(form, sample_submission(form, task.task_spec.bpmn_id)))
                task.run()
                workflow.do_engine_steps()
                state = serializer.serialize_json(workflow)
                elapsed += time.perf_counter() - started
                completed += 1
    return elapsed, completed


def _script_engine() -> Any:
    from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine

    return PythonScriptEngine(environment=RestrictedEnvironment(script_helpers()))


def _report(name: str, elapsed: float, done: int, emit: Callable[[str], None]) -> float:
    per_task = elapsed / max(done, 1)
    emit(f"{name:<8} {done:>6} tasks  {elapsed:8.3f} s  {per_task * 1000:8.3f} ms/task")
    return per_task


def main() -> None:
    """Run both paths and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--instances", type=int, default=50)
    parser.add_argument("--process", default="iso_annual_cycle")
    parser.add_argument("--processes-dir", type=Path, default=ROOT / "processes")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        engine_elapsed, engine_done, sizes = engine_run(args.processes_dir, args.process, args.instances, Path(tmp))
    raw_elapsed, raw_done = raw_run(args.processes_dir, args.process, args.instances)
    print(f"process {args.process}, {args.instances} instances, SQLite, started at {VirtualClock().now():%d/%m/%Y}")
    print(f"state after start: max {max(sizes)} bytes, mean {sum(sizes) // len(sizes)} bytes (goal < 8192)")
    engine_cost = _report("engine", engine_elapsed, engine_done, print)
    raw_cost = _report("raw", raw_elapsed, raw_done, print)
    print(f"engine/raw = {engine_cost / raw_cost:.2f}")


if __name__ == "__main__":
    main()

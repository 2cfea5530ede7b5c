"""Engine cost per completed task against the raw SpiffWorkflow library, in the same run.

    python benchmarks/engine.py [--instances N]

Both paths run the same year of `iso_annual_cycle` (with its called processes: internal audit, one
corrective action for one nonconformity, management review, announcement) for N agencies, with the
form data of the process scenario tests (tests/processes/data.py), so every task rule is met.

- engine: the engine use cases on a fresh SQLite file, one committed transaction per task
  (validation, rules, typed records, projections, history), as a request would do it.
- raw: SpiffWorkflow alone: parse once; per task deserialize, complete, serialize (its own serializer,
  which stores the spec with the state).

The last line printed is `engine/raw = <ratio>` (cost per completed task).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from SpiffWorkflow.bpmn import BpmnWorkflow  # noqa: E402
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine  # noqa: E402
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer  # noqa: E402
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser  # noqa: E402
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG  # noqa: E402
from SpiffWorkflow.util.task import TaskState  # noqa: E402
from sqlalchemy import select  # noqa: E402

from engine import definitions, instances, tasks  # noqa: E402
from engine.accounts import actor_by_username, grant_role  # noqa: E402
from engine.clock import VIETNAM, VirtualClock  # noqa: E402
from engine.deadlines import deadline_text, script_helpers  # noqa: E402
from engine.forms import validate_submission  # noqa: E402
from engine.seed import seed_agencies, seed_demo_accounts  # noqa: E402
from engine.spiff.scripting import RestrictedEnvironment  # noqa: E402
from engine.spiff.time_hook import workflow_time  # noqa: E402
from models import Agency, HumanTask, ProcessInstance, User  # noqa: E402
from models.db import make_engine, make_session_factory, unit_of_work  # noqa: E402
from models.migrate import upgrade  # noqa: E402
from tests.processes import data as d  # noqa: E402

PROCESSES = ROOT / "processes"
ROLES = {"demo.officer": "iso_officer", "demo.head": "agency_head", "demo.auditor": "internal_auditor"}

# (who, task, form data): one agency's year, as in tests/processes/test_annual_cycle.py.
SCRIPT: list[tuple[str, str, dict[str, Any]]] = [
    ("demo.officer", "check_steering_committee", d.committee(exists=False)),
    ("demo.head", "sign_steering_decision", {"decision_number": "10/QĐ", "decision_date": "2024-01-10"}),
    ("demo.officer", "build_documents", d.build("first")),
    ("demo.head", "approve_documents", d.approve()),
    ("demo.officer", "apply_system", d.APPLY),
    ("demo.officer", "audit_plan", d.audit_plan()),
    ("demo.auditor", "audit_checklist", d.checklist()),
    ("demo.auditor", "record_findings", d.findings("minor")),
    ("demo.auditor", "audit_report", d.AUDIT_REPORT),
    ("demo.head", "accept_audit_report", d.ACCEPT_AUDIT),
    ("demo.officer", "immediate_correction", d.CORRECTION),
    ("demo.officer", "root_cause", d.ROOT_CAUSE),
    ("demo.officer", "action_plan", d.action_plan()),
    ("demo.officer", "implement_action", d.IMPLEMENT),
    ("demo.auditor", "verify_effectiveness", d.verify()),
    ("demo.officer", "review_inputs", d.REVIEW_INPUTS),
    ("demo.officer", "review_minutes", d.REVIEW_MINUTES),
    ("demo.head", "approve_review", d.APPROVE_REVIEW),
    ("demo.head", "confirm_effectiveness", d.CONFIRM),
    ("demo.officer", "prepare_announcement", d.PREPARE_ANNOUNCEMENT),
    ("demo.head", "sign_announcement", d.SIGN_ANNOUNCEMENT),
    ("demo.officer", "notify_and_post", d.NOTIFY),
    ("demo.officer", "prepare_report", d.PREPARE_REPORT),
    ("demo.head", "submit_report", d.SUBMIT_REPORT),
]


def engine_run(count: int, workdir: Path) -> tuple[list[float], list[int]]:
    """Seconds per task completion through the engine, and state sizes right after start."""
    url = f"sqlite:///{workdir / 'bench.sqlite3'}"
    upgrade(url)
    factory = make_session_factory(make_engine(url))
    clock = VirtualClock()
    with unit_of_work(factory) as session:
        seed_agencies(session)
        seed_demo_accounts(session, clock)
        definitions.deploy_folder(session, clock, PROCESSES, "benchmark")
        agencies = list(session.scalars(select(Agency).order_by(Agency.code).limit(count)))
        for username, role in ROLES.items():
            user = session.scalars(select(User).where(User.username == username)).one()
            for agency in agencies:
                grant_role(session, user, agency, role)
        for agency in agencies:
            instances.start_cycle(session, clock, 2024, agency_code=agency.code)
        ids = list(session.scalars(select(ProcessInstance.id).order_by(ProcessInstance.id)))
        sizes = [len(s) for s in session.scalars(select(ProcessInstance.state))]
    timings: list[float] = []
    for instance_id in ids:
        for username, spec_id, data in SCRIPT:
            with factory() as session:
                task_id = session.scalars(
                    select(HumanTask.id).where(HumanTask.instance_id == instance_id, HumanTask.spec_id == spec_id,
                                               HumanTask.status == "ready")
                ).one()
                actor = actor_by_username(session, username)
            started = time.perf_counter()
            with unit_of_work(factory) as session:
                tasks.complete_task(session, clock, actor, task_id, data)
            timings.append(time.perf_counter() - started)
    return timings, sizes


def raw_run(count: int) -> tuple[list[float], int]:
    """Seconds per task completion with SpiffWorkflow alone, and the stored state size after start."""
    parser = SpiffBpmnParser()
    for bpmn in sorted(PROCESSES.glob("*/*.bpmn")):
        parser.add_bpmn_file(str(bpmn))
    spec = parser.get_spec("iso_annual_cycle")
    subprocess_specs = parser.get_subprocess_specs("iso_annual_cycle")
    forms: dict[str, Any] = {}
    for folder in PROCESSES.iterdir():
        if folder.is_dir():
            forms.update(definitions.read_process_folder(folder).forms)
    serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
    script_engine = PythonScriptEngine(environment=RestrictedEnvironment(script_helpers()))
    start_data = {"agency_code": "VL-001", "agency_name": "Văn phòng UBND tỉnh", "cycle_year": 2024,
                  "report_due": deadline_text(2024, 9, 30)}
    steps = [(spec_id, validate_submission(forms.get(spec_id), data)) for _, spec_id, data in SCRIPT]
    timings: list[float] = []
    with workflow_time(VirtualClock().now()):
        for _ in range(count):
            workflow = BpmnWorkflow(spec, subprocess_specs, script_engine=script_engine)
            workflow.data.update(start_data)
            first = workflow.get_next_task(state=TaskState.READY)
            if first is not None:
                first.data.update(start_data)
            workflow.do_engine_steps()
            state = serializer.serialize_json(workflow)
            size = len(state.encode())
            for spec_id, data in steps:
                started = time.perf_counter()
                workflow = serializer.deserialize_json(state)
                workflow.script_engine = script_engine
                task = next(t for t in workflow.get_tasks(state=TaskState.READY, manual=True)
                            if t.task_spec.bpmn_id == spec_id)
                task.data.update(data)
                task.run()
                workflow.do_engine_steps()
                state = serializer.serialize_json(workflow)
                timings.append(time.perf_counter() - started)
    return timings, size


def _line(name: str, timings: list[float]) -> float:
    mean = statistics.fmean(timings)
    print(f"{name:<7} {len(timings):>6} tasks  mean {mean * 1000:7.3f} ms/task  "
          f"median {statistics.median(timings) * 1000:7.3f} ms")
    return mean


def main() -> None:
    """Run both paths and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--instances", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        engine_timings, sizes = engine_run(args.instances, Path(tmp))
    raw_timings, raw_size = raw_run(args.instances)
    print(f"iso_annual_cycle, {args.instances} agencies x {len(SCRIPT)} tasks, SQLite, "
          f"virtual clock at {VirtualClock().now().astimezone(VIETNAM):%d/%m/%Y}")
    print(f"stored state right after start: engine max {max(sizes):,} bytes (goal < 8,192); "
          f"raw SpiffWorkflow serializer {raw_size:,} bytes")
    engine_cost = _line("engine", engine_timings)
    raw_cost = _line("raw", raw_timings)
    print(f"engine/raw = {engine_cost / raw_cost:.2f}")


if __name__ == "__main__":
    main()

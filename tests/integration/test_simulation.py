"""The simulated year: deterministic, schema- and rule-driven, refuses real data, leaves data for the dashboard."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cli.main import main
from engine.business_calendar import BusinessCalendar
from engine.errors import Conflict, ValidationFailed
from engine.plan_windows import PLAN_CSV, plan_windows
from engine.settings import PROJECT_ROOT
from engine.simulation import SimulationConfig, run_simulation
from engine.simulation_report import SimulationSummary, format_summary
from engine.simulation_setup import prepare_database
from models import HistoryEvent, HumanTask, ProcessInstance, QmsCorrectiveAction, SimulationRun, User
from models.db import make_engine, make_session_factory

TEST_PROCESSES = Path(__file__).resolve().parent / "processes"
MANDATORY = ["scope", "quality_policy", "quality_objectives", "risks_opportunities", "documented_information",
             "internal_audit", "management_review", "corrective_action", "complaints_satisfaction", "work_procedure"]


def simulate(url: str, **overrides: object) -> SimulationSummary:
    prepare_database(url)
    engine = make_engine(url)
    try:
        options: dict[str, object] = {
            "year": 2024,
            "seed": 11,
            "agencies": 12,
            "processes_dir": TEST_PROCESSES,
            "cycle_process": "sim_cycle",
            "legal_change_rate": 0.5,
        }
        options.update(overrides)
        return run_simulation(make_session_factory(engine), SimulationConfig(**options))  # type: ignore[arg-type]
    finally:
        engine.dispose()


def test_a_seed_gives_the_same_year(tmp_path: Path) -> None:
    first = simulate(f"sqlite:///{tmp_path / 'a.sqlite3'}")
    second = simulate(f"sqlite:///{tmp_path / 'b.sqlite3'}")
    assert first.as_dict() == second.as_dict()
    assert first.instances_started == 12 + first.legal_updates and first.legal_updates > 0
    assert first.tasks_completed > 40 and first.unfillable_tasks == 0 and first.problems == []
    assert first.reminders > 0 and sum(first.escalations.values()) > 0
    assert first.nonconformity_tasks > 0
    rates = {s.spec_id: s.rate for s in first.steps}
    assert rates["approve"] is None and 0 < (rates["prepare_plan"] or 0) <= 1
    text = format_summary(first, 1.5)
    assert "Tỷ lệ đúng hạn" in text and "on-time rate" in text and "escalations" in text


def test_the_database_is_left_for_the_dashboard_and_can_be_simulated_again(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'sim.sqlite3'}"
    first = simulate(url, agencies=4, legal_change_rate=0.0)
    engine = make_engine(url)
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(ProcessInstance)) == 4
        assert session.scalar(select(func.count()).select_from(HumanTask)) > 0
        assert session.scalar(select(func.count()).select_from(HistoryEvent)) > 0
        run = session.scalars(select(SimulationRun)).one()
        assert run.finished_at is not None and run.summary["instances_started"] == 4
        assert session.scalars(select(User.username).where(User.username == "sim.supervisor1")).one()
    engine.dispose()
    # A database made by a simulation is reset, not added to.
    assert prepare_database(url) == "simulation"
    again = simulate(url, agencies=4, legal_change_rate=0.0)
    assert again.as_dict() == first.as_dict()


def test_real_data_is_refused(seeded: Session, sqlite_url: str) -> None:
    with pytest.raises(Conflict, match="real data"):
        prepare_database(sqlite_url)
    assert seeded.scalar(select(func.count()).select_from(User)) == 7


def real_year(url: str, **overrides: object) -> SimulationSummary:
    """Five agencies of the plan with the real processes: cycles, the Department's plan, inspections."""
    options: dict[str, object] = {
        "agencies": 5,
        "seed": 4,
        "processes_dir": PROJECT_ROOT / "processes",
        "cycle_process": "iso_annual_cycle",
        "findings_rate": 0.8,  # most audits find something: corrective actions are certain
        "late_agency_share": 0.4,  # some agencies miss their deadlines: escalations are certain
        "legal_change_rate": 0.4,
    }
    options.update(overrides)
    return simulate(url, **options)


def test_the_real_processes_complete_their_year(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'real.sqlite3'}"
    summary = real_year(url)
    assert summary.unfillable_tasks == 0 and summary.problems == []
    assert summary.cycles == 5 and summary.cycles_completed + summary.cycles_overdue == 5
    assert summary.cycles_completed >= 3
    assert summary.corrective_actions > 0 and summary.by_process["iso_legal_update"]
    assert sum(summary.escalations.values()) + sum(summary.escalation_timers.values()) > 0
    assert summary.by_process["dost_yearly_plan"] == {"completed": 1}
    assert sum(summary.by_process["dost_inspection"].values()) >= 2, "at least a third of 5 agencies on site"
    text = format_summary(summary)
    assert "yearly cycles completed: " in text and "corrective actions" in text
    engine = make_engine(url)
    with Session(engine) as session:
        check_the_rules_were_played(session)
    engine.dispose()
    assert real_year(f"sqlite:///{tmp_path / 'again.sqlite3'}").as_dict() == summary.as_dict()


def check_the_rules_were_played(session: Session) -> None:
    """What the simulated staff submitted keeps the process rules, read back from the records."""
    for action in session.scalars(select(QmsCorrectiveAction).where(QmsCorrectiveAction.verified_by.is_not(None))):
        assert action.verified_by != action.implemented_by
    audit_plans = session.scalars(select(HistoryEvent).where(HistoryEvent.spec_id == "audit_plan",
                                                             HistoryEvent.kind == "task_completed")).all()
    assert audit_plans
    for event in audit_plans:
        units = {m["username"]: m["unit"] for m in event.data["team"]}
        assert len(set(units.values())) == len(units) >= 2
        assert all(row["auditor"] in units and units[row["auditor"]] != row["unit"] for row in event.data["schedule"])
    builds = session.scalars(select(HistoryEvent).where(HistoryEvent.spec_id == "build_documents",
                                                        HistoryEvent.kind == "task_completed")).all()
    for event in builds:
        if event.data["work_kind"] == "build":
            assert {row["kind"] for row in event.data["documents"]} >= set(MANDATORY)
    plan = session.scalars(select(HistoryEvent).where(HistoryEvent.spec_id == "plan_inspections",
                                                      HistoryEvent.kind == "task_completed")).one()
    chosen = plan.data["onsite_agencies"]
    inspected = session.scalars(select(ProcessInstance.business_key).where(
        ProcessInstance.business_key.like("%/dost_inspection"))).all()
    assert sorted(key.split("/")[0] for key in inspected) == sorted(chosen) and len(chosen) >= 2


def test_the_plan_windows_come_from_appendix_2() -> None:
    windows = plan_windows(PLAN_CSV.read_text(encoding="utf-8"), BusinessCalendar(), 2024)
    assert set(windows) == {"deploy", "training", "auditor_training", "iso18091", "reports", "inspection",
                            "aggregate", "ministry", "it_plan"}
    assert windows["deploy"] == {"from": "2024-03-01", "to": "2024-03-31"}
    assert windows["reports"] == {"from": "2024-08-01", "to": "2024-09-30"}
    assert windows["inspection"]["from"] == "2024-09-04", "2/9 and 3/9/2024 are days off"
    assert windows["ministry"] == {"from": "2024-12-02", "to": "2024-12-31"}, "not in the plan: QĐ 19 Art 12"
    assert plan_windows(PLAN_CSV.read_text(encoding="utf-8"), BusinessCalendar(), 2025)["it_plan"]["to"] == (
        "2025-12-31"
    )
    with pytest.raises(ValidationFailed, match="no row 2"):
        plan_windows("no,task,from_month,to_month\n1,x,2024-03,2024-03\n", BusinessCalendar(), 2024)


def test_cli_simulate(tmp_path: Path, seeded: Session, sqlite_url: str) -> None:
    runner = CliRunner()
    args = [
        "simulate",
        "--year",
        "2024",
        "--agencies",
        "2",
        "--seed",
        "3",
        "--processes",
        str(TEST_PROCESSES),
        "--cycle-process",
        "sim_cycle",
    ]
    fresh = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    result = runner.invoke(main, [*args, "--database-url", fresh])
    assert result.exit_code == 0, result.output
    assert "Mô phỏng năm 2024" in result.stdout and "Hồ sơ hoàn thành / instances completed:" in result.stdout
    refused = runner.invoke(main, args, env={"ISOFLOW_DATABASE_URL": sqlite_url})
    assert refused.exit_code == 1 and "real data" in refused.stderr

"""The simulated year: deterministic, schema-driven, refuses real data, leaves data for the dashboard."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cli.main import main
from engine.errors import Conflict
from engine.settings import PROJECT_ROOT
from engine.simulation import SimulationConfig, run_simulation
from engine.simulation_report import SimulationSummary, format_summary
from engine.simulation_setup import prepare_database
from models import HistoryEvent, HumanTask, ProcessInstance, SimulationRun, User
from models.db import make_engine, make_session_factory

TEST_PROCESSES = Path(__file__).resolve().parent / "processes"


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


def test_the_current_processes_can_be_simulated(tmp_path: Path) -> None:
    summary = simulate(
        f"sqlite:///{tmp_path / 'p.sqlite3'}",
        agencies=5,
        processes_dir=PROJECT_ROOT / "processes",
        cycle_process="iso_annual_cycle",
    )
    assert summary.instances_started >= 5
    assert summary.tasks_completed > 0


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

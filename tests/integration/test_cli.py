"""The `isoflow` command line, end to end on a SQLite file, as the README describes it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main


@pytest.fixture
def isoflow(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("ISOFLOW_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    monkeypatch.delenv("ISOFLOW_ENV", raising=False)
    return CliRunner()


def run(runner: CliRunner, *args: str, ok: bool = True) -> str:
    result = runner.invoke(main, list(args), catch_exceptions=False)
    assert (result.exit_code == 0) is ok, result.output
    return result.output


def test_seed_deploy_cycle_tasks_and_timers(isoflow: CliRunner) -> None:
    run(isoflow, "db", "upgrade")
    assert "Agencies added: 143" in run(isoflow, "seed")
    assert "new version" in run(isoflow, "deploy")
    assert "unchanged" in run(isoflow, "deploy")
    assert "Instances created: 143" in run(isoflow, "cycle", "start", "--year", "2024")
    assert "Instances created: 0" in run(isoflow, "cycle", "start", "--year", "2024")
    listed = json.loads(run(isoflow, "instances", "list", "--json"))
    assert len(listed) == 143 and {"VL-013/2024", "VL-143/2024"} <= {i["business_key"] for i in listed}

    inbox = json.loads(run(isoflow, "tasks", "list", "--user", "demo.officer", "--json"))
    assert [t["business_key"] for t in inbox] == ["VL-013/2024"]
    task = inbox[0]
    # A form with required fields refuses empty data, with a message and exit code 1.
    refused = run(isoflow, "tasks", "complete", str(task["id"]), "--user", "demo.officer", "--data", "{}", ok=False)
    assert "Lỗi" in refused
    assert "not valid JSON" in run(
        isoflow, "tasks", "complete", str(task["id"]), "--user", "demo.officer", "--data", "{oops", ok=False
    )
    assert "another agency" in run(
        isoflow, "tasks", "complete", str(task["id"]), "--user", "demo.commune.officer", "--data", "{}", ok=False
    )
    shown = json.loads(run(isoflow, "instances", "show", str(task["instance_id"]), "--json"))
    assert shown["instance"]["status"] == "running"
    assert "Timers fired" in run(isoflow, "timers", "fire", "--now", "2024-12-31T00:00:00+07:00")
    assert "UTC offset" in run(isoflow, "timers", "fire", "--now", "2024-12-31T00:00:00", ok=False)


def test_unknown_things_exit_non_zero(isoflow: CliRunner) -> None:
    run(isoflow, "db", "upgrade")
    run(isoflow, "seed")
    assert "no process 'iso_annual_cycle'" in run(isoflow, "cycle", "start", "--year", "2024", ok=False)
    assert "no agency" in run(
        isoflow, "instances", "start", "iso_annual_cycle", "--agency", "XX-1", "--year", "2024", ok=False
    )
    assert "no active user" in run(isoflow, "tasks", "list", "--user", "ghost", ok=False)
    assert "no instance" in run(isoflow, "instances", "show", "42", ok=False)


def test_production_refuses_demo_accounts(isoflow: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    run(isoflow, "db", "upgrade")
    monkeypatch.setenv("ISOFLOW_ENV", "production")
    assert "production" in run(isoflow, "seed", ok=False)
    assert "Agencies added: 143; demo accounts: 0" in run(isoflow, "seed", "--no-demo")


def test_the_departments_yearly_plan_starts_once(isoflow: CliRunner) -> None:
    run(isoflow, "db", "upgrade")
    run(isoflow, "seed")
    run(isoflow, "deploy")
    assert "Started" in run(isoflow, "plan", "start", "--year", "2024")
    assert "Already running" in run(isoflow, "plan", "start", "--year", "2024")
    listed = json.loads(run(isoflow, "instances", "list", "--json"))
    assert [i["business_key"] for i in listed] == ["VL-013/2024/dost_yearly_plan"]

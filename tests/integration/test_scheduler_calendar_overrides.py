"""The administrators' calendar overrides: stored, honoured by deadlines, scripts and the CLI."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from cli.main import main
from engine.calendar_overrides import (
    add_override,
    import_overrides_csv,
    install_calendar,
    list_overrides,
    load_calendar,
    remove_override,
)
from engine.clock import VIETNAM, VirtualClock
from engine.deadlines import script_helpers
from engine.definitions import deploy_folder
from engine.errors import Conflict, NotFound, ValidationFailed
from engine.instances import start_cycle
from engine.seed import seed_agencies
from engine.spiff.runner import configure_script_helpers
from models import HumanTask

PROCESS = Path(__file__).resolve().parent / "processes" / "sim_cycle"


@pytest.fixture(autouse=True)
def statutory_helpers_afterwards() -> object:
    yield None
    configure_script_helpers(script_helpers())  # other tests expect the statutory calendar


def test_overrides_are_stored_and_honoured(session: Session) -> None:
    assert load_calendar(session).is_working_day(date(2026, 1, 2))
    add_override(session, date(2026, 1, 2), False, "Nghỉ bù Tết Dương lịch 2026")
    add_override(session, date(2026, 1, 10), True, "Làm bù cho thứ Sáu 02/01/2026")
    calendar = load_calendar(session)
    assert not calendar.is_working_day(date(2026, 1, 2)) and calendar.is_working_day(date(2026, 1, 10))
    # Wed 31/12/2025 + 1 working day: Thu 1/1 is New Year's Day and Fri 2/1 is off, so Mon 5/1.
    assert calendar.add_working_days(date(2025, 12, 31), 1) == date(2026, 1, 5)
    with pytest.raises(Conflict):
        add_override(session, date(2026, 1, 2), True, "again")
    add_override(session, date(2026, 1, 2), True, "changed", replace=True)
    with pytest.raises(ValidationFailed):
        add_override(session, date(2026, 1, 3), False, "  ")
    assert [o.day for o in list_overrides(session, year=2026)] == [date(2026, 1, 2), date(2026, 1, 10)]
    remove_override(session, date(2026, 1, 2))
    with pytest.raises(NotFound):
        remove_override(session, date(2026, 1, 2))
    with pytest.raises(ValidationFailed):
        import_overrides_csv(session, "2026-13-01,0,bad date")
    assert len(import_overrides_csv(session, "date,working,reason\n2024-01-03,0,Thử nghiệm\n")) == 1


def test_installed_calendar_drives_process_deadlines(factory: sessionmaker[Session]) -> None:
    clock = VirtualClock(datetime(2024, 1, 2, 8, tzinfo=VIETNAM))
    with factory() as session:
        seed_agencies(session)
        deploy_folder(session, clock, PROCESS, "test")
        add_override(session, date(2024, 1, 5), False, "Nghỉ đột xuất (kiểm thử)")
        install_calendar(session)
        start_cycle(session, clock, 2024, process_key="sim_cycle", agency_code="VL-013")
        session.commit()
        task = session.scalars(select(HumanTask)).one()
        # 10 working days after Tue 2/1/2024 is Tue 16/1; with Fri 5/1 off it is Wed 17/1.
        assert task.due_at == datetime(2024, 1, 17, 17, tzinfo=VIETNAM)


def test_cli_prints_dates_with_the_database_overrides(factory: sessionmaker[Session], sqlite_url: str) -> None:
    runner = CliRunner()
    env = {"ISOFLOW_DATABASE_URL": sqlite_url}
    result = runner.invoke(main, ["calendar", "add-months", "2024-01-31", "1"], env=env)
    assert result.exit_code == 0 and result.stdout.strip() == "2024-02-29"
    assert (
        runner.invoke(main, ["calendar", "add-working-days", "2024-02-07", "1"], env=env).stdout.strip() == "2024-02-15"
    )
    added = runner.invoke(main, ["calendar", "overrides", "add", "2024-02-29", "--off", "--reason", "Thử"], env=env)
    assert added.exit_code == 0, added.output
    assert runner.invoke(main, ["calendar", "add-months", "2024-01-31", "1"], env=env).stdout.strip() == "2024-03-01"
    assert (
        runner.invoke(main, ["calendar", "add-months", "2024-01-31", "1", "--no-db"], env=env).stdout.strip()
        == "2024-02-29"
    )
    listed = runner.invoke(main, ["calendar", "overrides", "list"], env=env)
    assert "29/02/2024" in listed.stdout
    duplicate = runner.invoke(main, ["calendar", "overrides", "add", "2024-02-29", "--off", "--reason", "x"], env=env)
    assert duplicate.exit_code == 1 and "29/02/2024" in duplicate.stderr
    assert runner.invoke(main, ["calendar", "overrides", "remove", "2024-02-29"], env=env).exit_code == 0
    bad = runner.invoke(main, ["calendar", "add-months", "31/01/2024", "1"], env=env)
    assert bad.exit_code == 1 and "ISO" in bad.stderr
